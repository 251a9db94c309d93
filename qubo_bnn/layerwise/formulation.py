"""Layer-wise head training as C per-class K-bit QUBOs (DESIGN.md section 6.3).

Fixed features ``Φ`` (``N × (d+1)``, last column 1), one-hot labels ``Y`` (``N × C``) and head
weights ``W`` (``C × (d+1)``). The objective is the mean cross-entropy plus an optional ridge
``λ/2 Σ_c ||w_c||²`` on the non-bias weights (mask ``R``).

At an iterate ``W_t`` with ``P = softmax(Φ W_tᵀ)``, ``g_c = ((P − Y)ᵀ Φ / N)_c`` and
``A = ΦᵀΦ / N``, Böhning's bound (Hessian of the mean cross-entropy ⪯ ½ I_C ⊗ A) gives the
separable majoriser

    S(W) = CE(W_t) + Σ_c [g_cᵀ u_c + ¼ u_cᵀ A u_c] + λ/2 Σ_c w_cᵀ R w_c,   u_c = w_c − w_c,t,

equal to the objective at ``W_t`` and above it everywhere else. Per class, with
``H = ½ A + λ R`` and ``g̃_c = g_c + λ R w_c,t``, the term is
``f_c(w) = CE(W_t)/C + λ/2 w_c,tᵀ R w_c,t + g̃_cᵀ u + ½ uᵀ H u`` and ``S(W) = Σ_c f_c(w_c)``.

Writing ``w_c = o + E b`` with K bits per weight (:mod:`qubo_bnn.layerwise.fixed_point`) and
``δ = o − w_c,t`` gives the QUBO ``½ bᵀ EᵀHE b + bᵀ Eᵀ(H δ + g̃_c)`` plus the constant
``CE(W_t)/C + λ/2 w_c,tᵀ R w_c,t + g̃_cᵀ δ + ½ δᵀ H δ`` (kept as the BQM offset), so that the
BQM energy of class ``c`` equals ``f_c`` at the decoded weights. For ``λ = 0`` this is the
design's ``Q_c = ¼ EᵀAE + diag(Eᵀ(g_c + ½ A δ))``.

Our choice: the grid of class ``c`` is centred half a step above ``w_c,t`` so that ``w_c,t`` is a
grid point (:func:`qubo_bnn.layerwise.fixed_point.grid_on_point`). The QUBO minimum is then at most
``f_c(w_c,t)``, so exact solves never raise the objective.

Variables of class ``c``'s BQM are the integers ``i*K + k`` (weight ``i``, bit ``k``, least
significant first); weight ``d`` is the bias.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dimod
import numpy as np
from scipy.special import log_softmax, softmax

from qubo_bnn.formulation import ConstraintReport, Formulation
from qubo_bnn.layerwise.fixed_point import FixedPointGrid, grid_on_point

__all__ = ["LayerwiseProblem", "LayerwiseFormulation", "Majoriser"]


def _check_matrix(value, name: str, shape: tuple[int, int]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}") from exc
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


class Majoriser:
    """Böhning's quadratic majoriser of the objective at one iterate (see module docstring).

    Attributes
    ----------
    iterate:
        ``W_t``, shape ``(C, d+1)``.
    objective_at_iterate:
        Objective (cross-entropy + ridge) at ``W_t``: the value of the majoriser there.
    cross_entropy_at_iterate:
        Mean cross-entropy at ``W_t``.
    hessian:
        ``H = ½ A + λ R``, shape ``(d+1, d+1)``, shared by all classes.
    linear:
        ``g̃``, shape ``(C, d+1)``: gradient of the majoriser at ``W_t``.
    constants:
        ``CE(W_t)/C + λ/2 w_c,tᵀ R w_c,t`` per class: ``f_c(w_c,t)``.
    """

    def __init__(self, problem: LayerwiseProblem, iterate: np.ndarray):
        self.problem = problem
        self.iterate = iterate
        self.cross_entropy_at_iterate = problem.cross_entropy(iterate)
        self.hessian = 0.5 * problem.gram + problem.ridge * np.diag(problem.ridge_mask)
        masked = iterate * problem.ridge_mask
        self.linear = problem.gradient(iterate) + problem.ridge * masked
        n_classes = problem.n_classes
        ridge_terms = 0.5 * problem.ridge * np.einsum("ci,ci->c", masked, iterate)
        self.constants = self.cross_entropy_at_iterate / n_classes + ridge_terms
        self.objective_at_iterate = float(self.constants.sum())

    def class_values(self, cls: int, weights) -> np.ndarray:
        """``f_c`` at weight vectors ``weights`` of shape ``(..., d+1)``."""
        u = np.asarray(weights, dtype=float) - self.iterate[cls]
        quad = 0.5 * np.einsum("...i,ij,...j->...", u, self.hessian, u)
        return self.constants[cls] + u @ self.linear[cls] + quad

    def value(self, weights) -> float:
        """The majoriser ``S(W)`` at ``W`` of shape ``(C, d+1)``."""
        w = _check_matrix(weights, "weights", self.iterate.shape)
        return float(sum(self.class_values(c, w[c]) for c in range(w.shape[0])))

    def minimiser(self) -> np.ndarray:
        """The unconstrained (float) minimiser ``W_t − g̃ H⁻¹``: one Böhning MM step."""
        step = np.linalg.lstsq(self.hessian, self.linear.T, rcond=None)[0].T
        return self.iterate - step


class LayerwiseFormulation(Formulation):
    """One class's K-bit QUBO of the layer-wise majoriser.

    ``bqm.energy(b) == loss(decode(b))`` for every bit vector ``b`` (no constraints, so every
    assignment is feasible); ``loss`` is ``f_c`` computed from the data's gradient and Gram
    matrix. ``constant`` is the BQM offset.
    """

    def __init__(self, majoriser: Majoriser, cls: int, grid: FixedPointGrid):
        self.majoriser = majoriser
        self.class_index = cls
        self.grid = grid
        h = majoriser.hessian
        k = grid.bits
        scales = grid.scales
        w_t = majoriser.iterate[cls]
        delta = grid.offset - w_t
        quad = np.repeat(np.repeat(h, k, axis=0), k, axis=1) * np.outer(scales, scales)
        linear = 0.5 * np.diag(quad) + scales * np.repeat(h @ delta + majoriser.linear[cls], k)
        self.constant = float(
            majoriser.constants[cls] + majoriser.linear[cls] @ delta + 0.5 * delta @ h @ delta
        )
        self.bqm = dimod.BinaryQuadraticModel(
            linear, np.triu(quad, 1), self.constant, dimod.BINARY
        )
        labels = list(range(grid.num_bits))
        self.variables = {"weight": labels}
        self.info = {
            "class": cls,
            "bits": k,
            "num_weights": grid.size,
            "num_variables": grid.num_bits,
            "radius": grid.radius.copy(),
            "step": grid.step.copy(),
            "label_layout": "weight i, bit k (LSB first) -> label i*K + k",
        }

    def bits_from(self, sample) -> np.ndarray:
        """A sample (mapping label -> 0/1, or an array in label order) as a bit vector."""
        n = self.grid.num_bits
        if isinstance(sample, Mapping):
            missing = [v for v in range(n) if v not in sample]
            if missing:
                raise ValueError(f"sample lacks variables {missing[:5]} (needs 0..{n - 1})")
            bits = np.fromiter((sample[v] for v in range(n)), dtype=float, count=n)
        else:
            bits = np.asarray(sample, dtype=float)
            if bits.shape != (n,):
                raise ValueError(f"sample must be a mapping or an array of length {n}")
        if not np.all((bits == 0) | (bits == 1)):
            raise ValueError("sample values must be 0 or 1")
        return bits

    def decode(self, sample) -> np.ndarray:
        """Weight vector ``w_c`` (length ``d+1``, bias last) of a sample."""
        return self.grid.decode(self.bits_from(sample))

    def loss(self, decoded) -> float:
        """Majoriser term ``f_c`` at the weight vector ``decoded``."""
        w = np.asarray(decoded, dtype=float)
        if w.shape != (self.grid.size,):
            raise ValueError(f"decoded must have shape ({self.grid.size},), got {w.shape}")
        return float(self.majoriser.class_values(self.class_index, w))

    def check(self, sample) -> ConstraintReport:
        """No constraints: reports non-binary values under ``"domain"`` and nothing else."""
        if isinstance(sample, Mapping):
            bad = [v for v in self.variables["weight"] if sample.get(v) not in (0, 1)]
        else:
            arr = np.asarray(sample)
            bad = [int(i) for i in np.flatnonzero((arr != 0) & (arr != 1))]
        return ConstraintReport(violations={"domain": bad} if bad else {})

    def values(self, bits) -> np.ndarray:
        """``f_c`` of many bit vectors at once (rows of ``bits``, label order)."""
        return self.majoriser.class_values(self.class_index, self.grid.decode(bits))


class LayerwiseProblem:
    """Mean cross-entropy of a linear softmax head on fixed features, and its QUBO steps.

    Parameters
    ----------
    features:
        ``N × d`` feature matrix (a column of ones is appended for the bias).
    labels:
        Integer class labels in ``0 .. C-1``, length ``N``.
    n_classes:
        ``C``; default ``max(labels) + 1``.
    ridge:
        ``λ ≥ 0``, the ridge on the non-bias weights.
    """

    def __init__(self, features, labels, *, n_classes: int | None = None, ridge: float = 0.0):
        try:
            x = np.asarray(features, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError("features must be a numeric array") from exc
        if x.ndim != 2 or x.shape[0] == 0:
            raise ValueError(f"features must be a non-empty 2-D array, got shape {x.shape}")
        if not np.all(np.isfinite(x)):
            raise ValueError("features must be finite")
        y = np.asarray(labels)
        if y.shape != (x.shape[0],):
            raise ValueError(f"labels must have shape ({x.shape[0]},), got {y.shape}")
        if not np.issubdtype(y.dtype, np.integer):
            raise TypeError("labels must be integers 0 .. C-1")
        if y.min() < 0:
            raise ValueError("labels must be non-negative")
        if n_classes is None:
            n_classes = int(y.max()) + 1
        if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
            raise TypeError(f"n_classes must be an int, got {type(n_classes).__name__}")
        if n_classes < 2 or y.max() >= n_classes:
            raise ValueError(f"n_classes must be >= 2 and exceed every label, got {n_classes}")
        if isinstance(ridge, bool) or not isinstance(ridge, (int, float, np.floating)):
            raise TypeError(f"ridge must be a real number, got {type(ridge).__name__}")
        if not ridge >= 0 or not np.isfinite(ridge):
            raise ValueError(f"ridge must be finite and >= 0, got {ridge}")
        self.phi = np.hstack([x, np.ones((x.shape[0], 1))])
        self.labels = y.astype(np.intp)
        self.n_classes = int(n_classes)
        self.onehot = np.eye(self.n_classes)[self.labels]
        self.gram = self.phi.T @ self.phi / self.phi.shape[0]
        self.ridge = float(ridge)
        self.ridge_mask = np.ones(self.phi.shape[1])
        self.ridge_mask[-1] = 0.0

    @property
    def n_samples(self) -> int:
        return int(self.phi.shape[0])

    @property
    def n_weights(self) -> int:
        """Weights per class, ``d + 1``."""
        return int(self.phi.shape[1])

    @property
    def weight_shape(self) -> tuple[int, int]:
        return (self.n_classes, self.n_weights)

    def _weights(self, weights) -> np.ndarray:
        return _check_matrix(weights, "weights", self.weight_shape)

    def logits(self, weights) -> np.ndarray:
        return self.phi @ self._weights(weights).T

    def probabilities(self, weights) -> np.ndarray:
        """Softmax class probabilities on the training features, ``N × C``."""
        return softmax(self.logits(weights), axis=1)

    def cross_entropy(self, weights) -> float:
        """Mean cross-entropy of ``W`` on the training data."""
        logp = log_softmax(self.logits(weights), axis=1)
        return float(-logp[np.arange(self.n_samples), self.labels].mean())

    def objective(self, weights) -> float:
        """Cross-entropy plus ridge: what the majoriser bounds."""
        w = self._weights(weights)
        return self.cross_entropy(w) + 0.5 * self.ridge * float(np.sum(w**2 * self.ridge_mask))

    def gradient(self, weights) -> np.ndarray:
        """Gradient of the mean cross-entropy, ``(P − Y)ᵀ Φ / N``, shape ``(C, d+1)``."""
        return (self.probabilities(weights) - self.onehot).T @ self.phi / self.n_samples

    def accuracy(self, weights) -> float:
        return float(np.mean(np.argmax(self.logits(weights), axis=1) == self.labels))

    def majoriser(self, iterate) -> Majoriser:
        """Böhning's majoriser at ``iterate``."""
        return Majoriser(self, self._weights(iterate).copy())

    def surrogate(self, weights, iterate) -> float:
        """The majoriser built at ``iterate``, evaluated at ``weights``."""
        return self.majoriser(iterate).value(weights)

    def build(self, iterate, *, bits: int, radius) -> list[LayerwiseFormulation]:
        """The C per-class K-bit QUBOs of the majoriser at ``iterate``.

        ``radius`` is the half-width of each weight's range: a positive scalar, or an array
        broadcastable to ``(C, d+1)``.
        """
        maj = self.majoriser(iterate)
        try:
            r = np.broadcast_to(np.asarray(radius, dtype=float), self.weight_shape)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"radius must be a positive scalar or broadcast to {self.weight_shape}"
            ) from exc
        if not np.all(np.isfinite(r)) or np.any(r <= 0):
            raise ValueError("radius must be positive and finite")
        return [
            LayerwiseFormulation(maj, c, grid_on_point(maj.iterate[c], r[c], bits))
            for c in range(self.n_classes)
        ]

    def decode(self, formulations: Sequence[LayerwiseFormulation], samples) -> np.ndarray:
        """Stack the decoded weight vectors of one sample per class into ``W`` (``C × (d+1)``)."""
        if len(formulations) != self.n_classes or len(samples) != self.n_classes:
            raise ValueError(f"need {self.n_classes} formulations and {self.n_classes} samples")
        return np.vstack([f.decode(s) for f, s in zip(formulations, samples, strict=True)])
