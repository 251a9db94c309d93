"""Training through a sampler machine: the machine solves every QUBO of the training.

* :class:`~suites.tasks.WholeNetworkTask`:
  :class:`~qubo_bnn.whole_network.classifier.QuboBNNClassifier` (unit-wise or exact-batch
  scheme, as the task's QUBO options say);
* :class:`~suites.tasks.LayerwiseTask`:
  :class:`~qubo_bnn.layerwise.classifier.LayerwiseQuboClassifier` with ``bits`` per weight.

Every sampler call gets the job's sampling parameters (reads, sweeps, ...); the job seed
seeds the classifier, which seeds the sampler calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dimod

from qubo_bnn.layerwise.classifier import LayerwiseQuboClassifier
from qubo_bnn.whole_network.classifier import QuboBNNClassifier
from suites.tasks import LayerwiseTask, WholeNetworkTask
from suites.trainers.base import Trainer


class QuboTrainer(Trainer):
    """Train a task with QUBOs solved by ``sampler`` (any ``dimod.Sampler``)."""

    tasks = (WholeNetworkTask, LayerwiseTask)

    def __init__(self, sampler: dimod.Sampler) -> None:
        self.sampler = sampler

    def train(self, task: Any, params: Mapping[str, Any], seed: int) -> dict[str, Any]:
        self.check_task(type(task))
        kwargs = {k: v for k, v in params.items() if k != "seed"}
        if isinstance(task, WholeNetworkTask):
            return self._whole_network(task, kwargs, seed)
        return self._layerwise(task, kwargs, seed)

    def _whole_network(self, task: WholeNetworkTask, kwargs: dict[str, Any], seed: int
                       ) -> dict[str, Any]:
        data = task.data
        clf = QuboBNNClassifier(hidden_layers=task.hidden_layers, **task.qubo_options,
                                sampler=self.sampler, sample_kwargs=kwargs, random_state=seed)
        clf.fit(data.X_train, data.y_train)
        return {"train_accuracy": float(clf.score(data.X_train, data.y_train)),
                "test_accuracy": float(clf.score(data.X_test, data.y_test)),
                "sampler_calls": int(getattr(clf, "sampler_calls_", 0)),
                "solver_seconds": float(getattr(clf, "solver_seconds_", float("nan"))),
                "history": [{"round": int(row["round"]), "train_loss": float(row["train_loss"]),
                             "seconds": float(row["seconds"])} for row in clf.history_]}

    def _layerwise(self, task: LayerwiseTask, kwargs: dict[str, Any], seed: int
                   ) -> dict[str, Any]:
        if task.bits is None:
            raise ValueError("training the layer-wise head through a machine needs bits")
        data = task.data
        clf = LayerwiseQuboClassifier(task.bits, features=task.features,
                                      iterations=task.iterations, sampler=self.sampler,
                                      sample_kwargs=kwargs, ridge=task.ridge, random_state=seed)
        clf.fit(data.X_train, data.y_train)
        return {"train_accuracy": float(clf.score(data.X_train, data.y_train)),
                "test_accuracy": float(clf.score(data.X_test, data.y_test)),
                "iterations_run": int(clf.n_iter_),
                "num_variables_per_qubo": int((clf.coef_.shape[1] + 1) * task.bits),
                "final_cross_entropy": float(clf.history_[-1]["cross_entropy"])}
