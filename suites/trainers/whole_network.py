"""Machine-free yardsticks for a binary network (:class:`~suites.tasks.WholeNetworkTask`).

* ``direct`` (:class:`DirectSearchTrainer`): simulated annealing straight over the ±1 weights
  on the forward-pass 0-1 loss (DESIGN.md 6.5), best of ``restarts`` runs of ``sweeps``;
* ``ste`` (:class:`STETrainer`): the same architecture trained by gradient descent (Adam) with
  a straight-through estimator, ``epochs`` epochs.

Both see the data and architecture of the task, not its QUBO scheme; the job seed seeds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qubo_bnn.whole_network.direct_search import anneal_weights
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.options import DirectSearchOptions
from qubo_bnn.whole_network.ste import train_ste
from suites.problems import Param
from suites.tasks import WholeNetworkTask
from suites.trainers.base import Trainer


def _accuracies(net: BinaryNetwork, task: WholeNetworkTask) -> dict[str, float]:
    y_train, y_test = task.class_indices()
    return {"train_accuracy": float(np.mean(net.predict_class(task.data.X_train) == y_train)),
            "test_accuracy": float(np.mean(net.predict_class(task.data.X_test) == y_test))}


class DirectSearchTrainer(Trainer):
    """Direct simulated annealing over the network's ±1 weights."""

    tasks = (WholeNetworkTask,)
    params = {
        "sweeps": Param("int", "sweeps per restart", default=DirectSearchOptions.num_sweeps),
        "restarts": Param("int", "independent restarts (the best is kept)", default=4),
    }

    def train(self, task: WholeNetworkTask, params: Mapping[str, Any], seed: int
              ) -> dict[str, float]:
        settings = self.settings(params)
        schedule = DirectSearchOptions(num_reads=settings["restarts"],
                                       num_sweeps=settings["sweeps"])
        y_train, _ = task.class_indices()
        found = anneal_weights(task.data.X_train, y_train, task.layer_sizes, schedule, seed=seed)
        return _accuracies(BinaryNetwork.from_arrays(found.weights), task)


class STETrainer(Trainer):
    """Gradient descent with a straight-through estimator on the same architecture."""

    tasks = (WholeNetworkTask,)
    params = {"epochs": Param("int", "epochs of Adam", default=100)}

    def train(self, task: WholeNetworkTask, params: Mapping[str, Any], seed: int
              ) -> dict[str, float]:
        y_train, _ = task.class_indices()
        result = train_ste(task.data.X_train, y_train, list(task.hidden_layers),
                           epochs=self.settings(params)["epochs"], seed=seed)
        return _accuracies(result.network, task)
