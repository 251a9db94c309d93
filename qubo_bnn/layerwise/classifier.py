"""Layer-wise QUBO training of a softmax head on frozen features (DESIGN.md section 6.3).

Each outer iteration builds Böhning's majoriser of the training objective at the current head,
writes it as ``C`` independent K-bit QUBOs (:mod:`qubo_bnn.layerwise.formulation`), solves them
with a dimod sampler and moves to the decoded weights.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import dimod
import numpy as np
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from qubo_bnn.layerwise.formulation import LayerwiseFormulation, LayerwiseProblem
from qubo_bnn.sampling import BATCH_MODES, VARTYPES, default_sampler, solve_batch


class LayerwiseQuboClassifier(ClassifierMixin, BaseEstimator):
    """Softmax head on frozen features, trained by solving K-bit QUBOs (one per class).

    Parameters
    ----------
    bits:
        Bits per weight ``K``.
    features:
        A transformer (``fit``/``transform``, e.g.
        :class:`qubo_bnn.layerwise.features.RandomConvFeatures`) cloned and fitted on the
        training inputs; ``None`` uses the inputs as the features.
    iterations:
        Most outer (majorise-then-solve) iterations.
    sampler:
        Any ``dimod.Sampler``; ``None`` uses :func:`~qubo_bnn.sampling.default_sampler`,
        resolved at fit time.
    sample_kwargs:
        Keyword arguments of every sampler call (e.g. ``num_reads``, ``num_sweeps``).
    radius, shrink, min_radius:
        Half-width of the weight range in iteration ``t`` is
        ``max(min_radius, radius * shrink**t)`` (our choice of schedule).
    ridge:
        ``λ`` of the ridge on the non-bias weights.
    guard:
        Keep a class's current weights when the best read is worse on the majoriser than they
        are (then the objective never increases, whatever the sampler returns).
    tol, patience:
        Stop after ``patience`` iterations in a row whose majoriser decrease
        ``objective(W_t) − S(W_(t+1))`` is at most ``tol * max(1, objective(W_t))``.
    batch, sample_vartype:
        How the C QUBOs of an iteration are sampled, and in which form (``"SPIN"``,
        ``"BINARY"`` or ``None`` = as built): see :func:`~qubo_bnn.sampling.solve_batch`.
    random_state:
        Seed of the sampler calls (used when the sampler takes a ``seed``).

    Attributes
    ----------
    classes_, coef_ (``C × d``), intercept_ (``C``), n_iter_, features_ (fitted transformer or
    ``None``), history_ (one dict per iteration: ``iteration``, ``radius``, ``surrogate``,
    ``objective``, ``cross_entropy``, ``train_accuracy``, ``kept_classes``, ``seconds``,
    ``sampler_seconds``), best_iteration_ (the iteration whose weights are kept; 0 is the
    all-zero start).
    """

    def __init__(
        self,
        bits: int = 10,
        *,
        features: Any = None,
        iterations: int = 30,
        sampler: dimod.Sampler | None = None,
        sample_kwargs: Mapping[str, Any] | None = None,
        radius: float = 0.5,
        shrink: float = 0.9,
        min_radius: float = 1e-3,
        ridge: float = 1e-3,
        guard: bool = True,
        tol: float = 1e-4,
        patience: int = 3,
        batch: str = "auto",
        sample_vartype: str | None = "SPIN",
        random_state: int | None = None,
    ):
        self.bits = bits
        self.features = features
        self.iterations = iterations
        self.sampler = sampler
        self.sample_kwargs = sample_kwargs
        self.radius = radius
        self.shrink = shrink
        self.min_radius = min_radius
        self.ridge = ridge
        self.guard = guard
        self.tol = tol
        self.patience = patience
        self.batch = batch
        self.sample_vartype = sample_vartype
        self.random_state = random_state

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> None:
        for name, low in (("bits", 1), ("iterations", 1), ("patience", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
            if value < low:
                raise ValueError(f"{name} must be >= {low}, got {value}")
        for name in ("radius", "shrink", "min_radius", "ridge", "tol"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
                raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
            if not np.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value}")
        if self.radius <= 0 or self.min_radius <= 0:
            raise ValueError("radius and min_radius must be positive")
        if not 0 < self.shrink <= 1:
            raise ValueError(f"shrink must lie in (0, 1], got {self.shrink}")
        if self.ridge < 0 or self.tol < 0:
            raise ValueError("ridge and tol must be >= 0")
        if self.batch not in BATCH_MODES:
            raise ValueError(f"batch must be one of {BATCH_MODES}, got {self.batch!r}")
        if self.sample_vartype not in VARTYPES:
            raise ValueError(
                f"sample_vartype must be one of {VARTYPES}, got {self.sample_vartype!r}"
            )
        if self.sample_kwargs is not None and not isinstance(self.sample_kwargs, Mapping):
            raise TypeError("sample_kwargs must be a mapping or None")
        if self.sampler is not None and not callable(getattr(self.sampler, "sample", None)):
            raise TypeError("sampler must be a dimod.Sampler (with a sample method) or None")
        if self.features is not None and not (
            hasattr(self.features, "fit") and hasattr(self.features, "transform")
        ):
            raise TypeError("features must be a transformer with fit and transform, or None")

    def _transform(self, X) -> np.ndarray:
        if self.features_ is not None:
            z = self.features_.transform(X)
        else:
            z = X
        try:
            z = np.asarray(z, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError("X must be numeric") from exc
        if z.ndim != 2:
            raise ValueError(f"features must be 2-D, got shape {z.shape}")
        if not np.all(np.isfinite(z)):
            raise ValueError("X gives non-finite features")
        return z

    # ------------------------------------------------------------------ training
    def fit(self, X, y) -> LayerwiseQuboClassifier:
        """Train the head on ``X`` (inputs of ``features``) and labels ``y``."""
        self._check_params()
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ValueError(f"y must be 1-D with one label per row of X, got shape {y.shape}")
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError("y must contain at least two classes")
        self.features_ = None if self.features is None else clone(self.features).fit(X, y)
        phi = self._transform(X)
        sampler = default_sampler() if self.sampler is None else self.sampler
        kwargs = dict(self.sample_kwargs or {})
        rng = np.random.default_rng(self.random_state)

        problem = LayerwiseProblem(phi, encoded, n_classes=len(self.classes_), ridge=self.ridge)
        weights = np.zeros(problem.weight_shape)
        best = (problem.objective(weights), weights, 0)
        self.history_ = []
        stalled = 0
        for t in range(self.iterations):
            start = time.perf_counter()
            radius = max(self.min_radius, self.radius * self.shrink**t)
            formulations = problem.build(weights, bits=self.bits, radius=radius)
            maj = formulations[0].majoriser
            sampled = time.perf_counter()
            reads = solve_batch(sampler, [f.bqm for f in formulations], kwargs,
                                batch=self.batch, seed=int(rng.integers(2**31 - 1)),
                                vartype=self.sample_vartype)
            sampler_seconds = time.perf_counter() - sampled
            weights, surrogate, kept = self._step(formulations, reads)
            surrogate = float(surrogate)
            seconds = time.perf_counter() - start
            objective = problem.objective(weights)
            self.history_.append({
                "iteration": t + 1,
                "radius": radius,
                "surrogate": surrogate,
                "objective": objective,
                "cross_entropy": problem.cross_entropy(weights),
                "train_accuracy": problem.accuracy(weights),
                "kept_classes": kept,
                "seconds": seconds,
                "sampler_seconds": sampler_seconds,
            })
            if objective < best[0]:
                best = (objective, weights, t + 1)
            decrease = maj.objective_at_iterate - surrogate
            small = decrease <= self.tol * max(1.0, maj.objective_at_iterate)
            stalled = stalled + 1 if small else 0
            if stalled >= self.patience:
                break
        _, weights, self.best_iteration_ = best
        self.n_iter_ = len(self.history_)
        self.coef_ = weights[:, :-1].copy()
        self.intercept_ = weights[:, -1].copy()
        return self

    def _step(
        self, formulations: list[LayerwiseFormulation], reads: list[np.ndarray]
    ) -> tuple[np.ndarray, float, int]:
        """Best read per class (scored exactly on the majoriser), guarded if asked."""
        maj = formulations[0].majoriser
        rows, total, kept = [], 0.0, 0
        for f, bits in zip(formulations, reads, strict=True):
            values = f.values(bits)
            i = int(np.argmin(values))
            current = maj.constants[f.class_index]  # f_c at the current weights
            if self.guard and values[i] > current:
                rows.append(maj.iterate[f.class_index])
                total += current
                kept += 1
            else:
                rows.append(f.grid.decode(bits[i]))
                total += float(values[i])
        return np.vstack(rows), total, kept

    # ------------------------------------------------------------------ prediction
    def decision_function(self, X) -> np.ndarray:
        """Logits ``Φ Wᵀ``, shape ``(n_samples, C)``."""
        check_is_fitted(self, "coef_")
        z = self._transform(X)
        if z.shape[1] != self.coef_.shape[1]:
            raise ValueError(f"X gives {z.shape[1]} features, fitted on {self.coef_.shape[1]}")
        return z @ self.coef_.T + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """Softmax class probabilities, columns in the order of ``classes_``."""
        return softmax(self.decision_function(X), axis=1)

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]
