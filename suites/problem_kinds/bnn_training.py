"""Training problem: a layered binary neural network on binarised sklearn digits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qubo_bnn.datasets import load_digits_binary
from qubo_bnn.whole_network.classifier import QuboBNNClassifier
from qubo_bnn.whole_network.options import ExactBatchOptions, UnitwiseOptions
from suites.problems import Param, ProblemKind
from suites.tasks import WholeNetworkTask


class DigitsBNNTraining(ProblemKind):
    """A binary network (``hidden_layers``) to train on two or more digit classes.

    Through a sampler machine, :class:`~qubo_bnn.whole_network.classifier.QuboBNNClassifier`
    trains it and the machine solves every QUBO of the training scheme; the job seed seeds the
    classifier (initial weights, batches, dropout draws, sampler seeds). Regulariser strengths
    (``margin``, ``dropout``) are ordinary parameters, so a suite can grid over them. Defaults
    and checks of the scheme's knobs are those of its options
    (:mod:`qubo_bnn.whole_network.options`). The trainers ``direct`` and ``ste`` train the same
    network on the same data without a machine (the scheme's knobs keep their defaults).
    """

    mode = "train"
    description = "binary network on binarised digits (QUBO-trained, or direct / ste)"
    task_type = WholeNetworkTask
    machine_params = ("scheme", "margin", "dropout", "dropout_strength", "rounds",
                      "batch_size")
    params = {
        "hidden_layers": Param("int_list", "hidden layer widths", default=[4]),
        "scheme": Param("str", "'unitwise' or 'exact'", default="unitwise"),
        "classes": Param("int_list", "digit classes", default=[3, 8]),
        "size": Param("int", "image side after pooling: 8, 4, 2 or 1", default=8),
        "margin": Param("float", "margin regulariser mu >= 0", default=UnitwiseOptions.margin),
        "dropout": Param("float", "dropout-style regulariser rate in [0, 1)",
                         default=UnitwiseOptions.dropout),
        "dropout_strength": Param("float", "pull toward the subnetworks' mean",
                                  default=UnitwiseOptions.dropout_strength),
        "rounds": Param("int", "training rounds", default=UnitwiseOptions.rounds),
        "batch_size": Param("int", "samples per exact QUBO ('exact' scheme)",
                            default=ExactBatchOptions.batch_size),
        "data_seed": Param("int", "seed of the train/test split", default=0),
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        full = {**{name: p.default for name, p in self.params.items()}, **params}
        QuboBNNClassifier(hidden_layers=tuple(full["hidden_layers"]),
                          **{name: full[name] for name in self.machine_params}
                          ).training_options()

    def task(self, params: Mapping[str, Any], seed: int) -> WholeNetworkTask:
        """The split of ``classes`` (pooled to ``size``, by ``data_seed``) and the network."""
        data = load_digits_binary(classes=tuple(params["classes"]), size=params["size"],
                                  seed=params["data_seed"])
        return WholeNetworkTask(data=data, hidden_layers=tuple(params["hidden_layers"]),
                                qubo_options={name: params[name] for name in self.machine_params})
