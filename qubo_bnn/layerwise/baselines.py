"""Float baselines for the layer-wise head, trained on the same features.

* :func:`fit_logistic_lbfgs` — multinomial logistic regression solved to convergence (L-BFGS);
* :func:`fit_logistic_sgd` — the same model by stochastic gradient descent (log loss);
* :func:`fit_boehning_float` — the QUBO trainer's own majorise-minimise iteration with float
  weights (each step the exact minimiser of the majoriser), i.e. what the K-bit QUBOs would give
  with infinitely many bits and exact solves.

The ridge is given as the QUBO trainer's ``λ`` (objective ``mean CE + λ/2 ||w||²``); scikit-learn's
``C`` for ``N`` samples is ``1 / (N λ)`` and SGD's ``alpha`` is ``λ``.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier

from qubo_bnn.layerwise.formulation import LayerwiseProblem


def _check(features, labels) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(features, dtype=float)
    y = np.asarray(labels)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"features must be a non-empty 2-D array, got shape {x.shape}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"labels must have shape ({x.shape[0]},), got {y.shape}")
    return x, y


def _check_ridge(ridge: float, positive: bool) -> float:
    if isinstance(ridge, bool) or not isinstance(ridge, (int, float, np.floating)):
        raise TypeError(f"ridge must be a real number, got {type(ridge).__name__}")
    if not np.isfinite(ridge) or ridge < 0 or (positive and ridge == 0):
        raise ValueError(f"ridge must be finite and {'> 0' if positive else '>= 0'}, got {ridge}")
    return float(ridge)


def fit_logistic_lbfgs(
    features, labels, *, ridge: float = 1e-3, max_iter: int = 2000
) -> LogisticRegression:
    """Multinomial logistic regression by L-BFGS, minimising ``mean CE + ridge/2 ||w||²``."""
    x, y = _check(features, labels)
    c = 1.0 / (x.shape[0] * _check_ridge(ridge, positive=True))
    return LogisticRegression(C=c, solver="lbfgs", max_iter=max_iter).fit(x, y)


def fit_logistic_sgd(
    features,
    labels,
    *,
    ridge: float = 1e-3,
    max_iter: int = 50,
    random_state: int | None = None,
) -> SGDClassifier:
    """Logistic regression by SGD (log loss, L2 penalty ``alpha = ridge``, one-vs-rest)."""
    x, y = _check(features, labels)
    model = SGDClassifier(
        loss="log_loss",
        alpha=_check_ridge(ridge, positive=True),
        max_iter=max_iter,
        tol=1e-4,
        random_state=random_state,
    )
    return model.fit(x, y)


def fit_boehning_float(
    features, labels, *, ridge: float = 1e-3, iterations: int = 30
) -> tuple[np.ndarray, LayerwiseProblem]:
    """``iterations`` float majorise-minimise steps from zero; returns ``W`` and the problem.

    ``labels`` must be integers ``0 .. C-1``; ``W`` is ``C × (d+1)`` with the bias last.
    """
    x, y = _check(features, labels)
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)):
        raise TypeError(f"iterations must be an int, got {type(iterations).__name__}")
    if iterations < 0:
        raise ValueError(f"iterations must be >= 0, got {iterations}")
    problem = LayerwiseProblem(x, y, ridge=_check_ridge(ridge, positive=False))
    weights = np.zeros(problem.weight_shape)
    for _ in range(iterations):
        weights = problem.majoriser(weights).minimiser()
    return weights, problem
