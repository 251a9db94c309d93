"""Float baselines of the layer-wise head (:class:`~suites.tasks.LayerwiseTask`), trained on
the task's features without a sampler:

* ``float-mm`` (:class:`FloatMMTrainer`): the head's own majorise-minimise iteration with
  exact float steps, the task's ``iterations``;
* ``lbfgs`` (:class:`LBFGSTrainer`): multinomial logistic regression to convergence;
* ``sgd`` (:class:`SGDTrainer`): log-loss SGD, seeded by the job seed.

All use the task's ``ridge``; labels are encoded as class indices in sorted order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qubo_bnn.layerwise.baselines import (
    fit_boehning_float,
    fit_logistic_lbfgs,
    fit_logistic_sgd,
)
from suites.tasks import LayerwiseTask
from suites.trainers.base import Trainer


def _encoded(task: LayerwiseTask) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training and test features with labels as class indices ``0..C-1``."""
    z_train, z_test = task.feature_matrices()
    classes, y_train = np.unique(task.data.y_train, return_inverse=True)
    y_test = np.searchsorted(classes, task.data.y_test)
    return z_train, z_test, y_train, y_test


class FloatMMTrainer(Trainer):
    """The majorise-minimise iteration of the head with exact float steps."""

    tasks = (LayerwiseTask,)

    def train(self, task: LayerwiseTask, params: Mapping[str, Any], seed: int
              ) -> dict[str, float]:
        z_train, z_test, y_train, y_test = _encoded(task)
        w, problem = fit_boehning_float(z_train, y_train, ridge=task.ridge,
                                        iterations=task.iterations)
        test = np.mean(np.argmax(z_test @ w[:, :-1].T + w[:, -1], axis=1) == y_test)
        return {"train_accuracy": float(problem.accuracy(w)), "test_accuracy": float(test)}


class LBFGSTrainer(Trainer):
    """Logistic regression on the head's features by L-BFGS."""

    tasks = (LayerwiseTask,)

    def train(self, task: LayerwiseTask, params: Mapping[str, Any], seed: int
              ) -> dict[str, float]:
        z_train, z_test, y_train, y_test = _encoded(task)
        model = fit_logistic_lbfgs(z_train, y_train, ridge=task.ridge)
        return {"train_accuracy": float(model.score(z_train, y_train)),
                "test_accuracy": float(model.score(z_test, y_test))}


class SGDTrainer(Trainer):
    """Logistic regression on the head's features by SGD."""

    tasks = (LayerwiseTask,)

    def train(self, task: LayerwiseTask, params: Mapping[str, Any], seed: int
              ) -> dict[str, float]:
        z_train, z_test, y_train, y_test = _encoded(task)
        model = fit_logistic_sgd(z_train, y_train, ridge=task.ridge, random_state=seed)
        return {"train_accuracy": float(model.score(z_train, y_train)),
                "test_accuracy": float(model.score(z_test, y_test))}
