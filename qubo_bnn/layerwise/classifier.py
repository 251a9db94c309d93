"""Layer-wise QUBO training of a softmax head on frozen features (DESIGN.md section 6.3).

Each outer iteration builds Böhning's majoriser of the training objective at the current head,
writes it as ``C`` independent K-bit QUBOs (:mod:`qubo_bnn.layerwise.formulation`), solves them
with a dimod sampler and moves to the decoded weights.

``LayerwiseQuboClassifier`` follows scikit-learn's conventions: parameters stored untouched in
``__init__`` and checked against ``_parameter_constraints`` when ``fit`` starts, inputs through
:func:`sklearn.utils.validation.validate_data` (``n_features_in_``; with ``features`` set, the
transformer validates its own inputs, 3-D image stacks included), ``NotFittedError`` before
``fit``.

Feature scale: the K-bit weight range (half-width ``radius``) suits features of unit scale. With
``standardise="auto"`` (the default) every feature that is not on unit scale already is
standardised with its training mean and standard deviation. On unit scale, and used exactly as
they are: features whose training values lie in ``[-1, 1]`` (±1 pixels, ``[0, 1]`` images) and
features already standardised (training mean 0 and standard deviation 1 within
:data:`STANDARDISED_TOL`, e.g. :class:`~qubo_bnn.layerwise.features.RandomConvFeatures`'
output). Leaving them untouched matters: the iteration is sensitive to rounding-level changes of
its features, so standardising them again would change seeded results.
A fit whose iterations never improve on the all-zero start warns with a
:class:`~sklearn.exceptions.ConvergenceWarning` naming what to try.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import dimod
import numpy as np
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from qubo_bnn.estimators import encode_classes
from qubo_bnn.layerwise.formulation import LayerwiseFormulation, LayerwiseProblem
from qubo_bnn.sampling import (
    BATCH_MODES,
    accepted_parameters,
    default_sampler,
    solve_batch,
)

#: Sampler keywords used when ``sample_kwargs`` is ``None`` (those the sampler declares).
DEFAULT_SAMPLE_KWARGS = {"num_reads": 2, "num_sweeps": 100}
#: How far from mean 0 and standard deviation 1 a feature counts as standardised already.
STANDARDISED_TOL = 1e-6


class LayerwiseQuboClassifier(ClassifierMixin, BaseEstimator):
    """Softmax head on frozen features, trained by solving K-bit QUBOs (one per class).

    Parameters (all but ``bits`` keyword-only)
    ----------
    bits:
        Bits per weight ``K``.
    features:
        A transformer (``fit``/``transform``, e.g.
        :class:`qubo_bnn.layerwise.features.RandomConvFeatures`) cloned and fitted on the
        training inputs; ``None`` uses the inputs as the features.
    standardise:
        ``"auto"``: standardise (training mean and standard deviation) the features not on
        unit scale already (values in ``[-1, 1]``, or standardised), use the others as they
        are; ``True``: every feature; ``False``: none (see the module docstring).
    iterations:
        Most outer (majorise-then-solve) iterations.
    sampler:
        Any ``dimod.Sampler``; ``None`` uses :func:`~qubo_bnn.sampling.default_sampler`,
        resolved at fit time.
    sample_kwargs:
        Keyword arguments of every sampler call (e.g. ``num_reads``, ``num_sweeps``); ``None``:
        :data:`DEFAULT_SAMPLE_KWARGS` (2 reads × 100 sweeps) where the sampler declares them.
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
    classes_, n_features_in_, feature_names_in_ (pandas input), features_ (fitted transformer
    or ``None``), feature_mean_ and feature_scale_ (the head's standardisation, 0 and 1 for
    features used as they are), coef_ (``C × d``, the K-bit weights, acting on the
    standardised features), intercept_ (``C``), n_iter_, history_ (one dict per iteration:
    ``iteration``, ``radius``, ``surrogate``, ``objective``, ``cross_entropy``,
    ``train_accuracy``, ``kept_classes``, ``seconds``, ``sampler_seconds``), best_iteration_
    (the iteration whose weights are kept; 0 is the all-zero start).
    """

    _parameter_constraints: dict = {
        "bits": [Interval(Integral, 1, None, closed="left")],
        "features": [HasMethods(["fit", "transform"]), None],
        "standardise": ["boolean", StrOptions({"auto"})],
        "iterations": [Interval(Integral, 1, None, closed="left")],
        "sampler": [HasMethods(["sample"]), None],
        "sample_kwargs": [Mapping, None],
        "radius": [Interval(Real, 0, np.inf, closed="neither")],
        "shrink": [Interval(Real, 0, 1, closed="right")],
        "min_radius": [Interval(Real, 0, np.inf, closed="neither")],
        "ridge": [Interval(Real, 0, np.inf, closed="left")],
        "guard": ["boolean"],
        "tol": [Interval(Real, 0, np.inf, closed="left")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "batch": [StrOptions(set(BATCH_MODES))],
        "sample_vartype": [StrOptions({"SPIN", "BINARY"}), None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        bits: int = 10,
        *,
        features: Any = None,
        standardise: bool | str = "auto",
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
        self.standardise = standardise
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if hasattr(self.features, "__sklearn_tags__"):  # image stacks, if the features take them
            tags.input_tags.three_d_array = get_tags(self.features).input_tags.three_d_array
        return tags

    # ------------------------------------------------------------------ features
    def _fit_features(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        """Validate ``X``, ``y``; fit ``features_`` and the standardisation; return ``φ``, ``y``."""
        if self.features is None:
            X, y = validate_data(self, X, y, dtype=np.float64)
            self.features_ = None
            phi = X
        else:
            y = column_or_1d(y, warn=True)
            check_consistent_length(X, y)
            self.features_ = clone(self.features).fit(X, y)
            phi = self._feature_matrix(self.features_.transform(X))
            for name in ("n_features_in_", "feature_names_in_"):
                if hasattr(self.features_, name):
                    setattr(self, name, getattr(self.features_, name))
        self.feature_mean_, self.feature_scale_ = _standardisation(phi, self.standardise)
        return (phi - self.feature_mean_) / self.feature_scale_, y

    @staticmethod
    def _feature_matrix(z) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        if z.ndim != 2:
            raise ValueError(f"features must give a 2-D array, got shape {z.shape}")
        if not np.all(np.isfinite(z)):
            raise ValueError("the features of X are not all finite")
        return z

    def _transform(self, X) -> np.ndarray:
        """The head's (standardised) features of ``X``."""
        if self.features_ is None:
            z = validate_data(self, X, reset=False, dtype=np.float64)
        else:
            z = self._feature_matrix(self.features_.transform(X))
            if z.shape[1] != self.coef_.shape[1]:
                raise ValueError(
                    f"X gives {z.shape[1]} features, fitted on {self.coef_.shape[1]}"
                )
        return (z - self.feature_mean_) / self.feature_scale_

    # ------------------------------------------------------------------ training
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y) -> LayerwiseQuboClassifier:
        """Train the head on ``X`` (inputs of ``features``) and labels ``y``."""
        phi, y = self._fit_features(X, y)
        self.classes_, encoded = encode_classes(y)
        sampler = default_sampler() if self.sampler is None else self.sampler
        problem = LayerwiseProblem(phi, encoded, n_classes=len(self.classes_), ridge=self.ridge)
        weights, self.best_iteration_ = self._iterate(problem, sampler)
        self.n_iter_ = len(self.history_)
        self.coef_ = weights[:, :-1].copy()
        self.intercept_ = weights[:, -1].copy()
        if self.best_iteration_ == 0:
            warnings.warn(
                f"LayerwiseQuboClassifier: none of {self.n_iter_} iterations improved on the "
                "all-zero start, so the head predicts one class. Try standardise=True (or "
                "scale the features to unit size), a smaller radius, or more sampler effort "
                "(num_reads / num_sweeps in sample_kwargs).",
                ConvergenceWarning,
                stacklevel=3,  # the caller of fit, above scikit-learn's _fit_context wrapper
            )
        return self

    def _sample_kwargs(self, sampler: dimod.Sampler) -> dict[str, Any]:
        if self.sample_kwargs is not None:
            return dict(self.sample_kwargs)
        declared = accepted_parameters(sampler)
        return {k: v for k, v in DEFAULT_SAMPLE_KWARGS.items() if k in declared}

    def _iterate(self, problem: LayerwiseProblem, sampler: dimod.Sampler
                 ) -> tuple[np.ndarray, int]:
        """The majorise-then-solve loop; fills ``history_``, returns the best weights and
        their iteration."""
        kwargs = self._sample_kwargs(sampler)
        rng = np.random.default_rng(self.random_state)
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
        return best[1], best[2]

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
    def _logits(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return self._transform(X) @ self.coef_.T + self.intercept_

    def decision_function(self, X) -> np.ndarray:
        """Logits ``Φ Wᵀ + b``, shape ``(n_samples, C)``; with two classes, scikit-learn's
        binary form: the logit difference of ``classes_[1]`` over ``classes_[0]``, shape
        ``(n_samples,)``."""
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def predict_proba(self, X) -> np.ndarray:
        """Softmax class probabilities, columns in the order of ``classes_``."""
        return softmax(self._logits(X), axis=1)

    def predict(self, X) -> np.ndarray:
        """Class labels of ``X``: the largest logit."""
        best = np.argmax(self._logits(X), axis=1)  # checks the fit before classes_ is read
        return self.classes_[best]


def _standardisation(phi: np.ndarray, standardise: bool | str) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature ``(mean, scale)`` of the head's standardisation (see the module docstring);
    features left as they are get ``(0, 1)``, constant ones scale 1."""
    auto = isinstance(standardise, str)  # "auto", the one string the constraints allow
    if not auto and not standardise:
        return np.zeros(phi.shape[1]), np.ones(phi.shape[1])
    mean, std = phi.mean(axis=0), phi.std(axis=0)
    scale = np.where(std > 1e-12, std, 1.0)
    if auto:
        standardised = (np.abs(mean) <= STANDARDISED_TOL) & (np.abs(std - 1.0) <= STANDARDISED_TOL)
        keep = standardised | np.all(np.abs(phi) <= 1.0, axis=0)
        mean, scale = np.where(keep, 0.0, mean), np.where(keep, 1.0, scale)
    return mean, scale
