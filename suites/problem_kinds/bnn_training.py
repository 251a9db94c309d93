"""Training job: a binary neural network trained through QUBOs (QuboBNNClassifier) on digits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dimod

from qubo_bnn.datasets import load_digits_binary
from qubo_bnn.whole_network.classifier import QuboBNNClassifier
from qubo_bnn.whole_network.options import ExactBatchOptions, UnitwiseOptions
from suites.problems import Param, ProblemKind


class DigitsBNNTraining(ProblemKind):
    """Train :class:`~qubo_bnn.whole_network.classifier.QuboBNNClassifier` with a machine on digits.

    The machine solves every QUBO of the training scheme; the job seed seeds the classifier
    (initial weights, batches, dropout draws, sampler seeds). Regulariser strengths
    (``margin``, ``dropout``) are ordinary parameters, so a suite can grid over them. Defaults
    and checks of the training knobs are those of the scheme's options
    (:mod:`qubo_bnn.whole_network.options`).
    """

    mode = "train"
    description = "binary network trained through QUBOs (QuboBNNClassifier) on digits"
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

    def _classifier(self, params: Mapping[str, Any], **kwargs: Any) -> QuboBNNClassifier:
        return QuboBNNClassifier(
            hidden_layers=tuple(params["hidden_layers"]), scheme=params["scheme"],
            margin=params["margin"], dropout=params["dropout"],
            dropout_strength=params["dropout_strength"], rounds=params["rounds"],
            batch_size=params["batch_size"], **kwargs,
        )

    def check_params(self, params: Mapping[str, Any]) -> None:
        defaults = {name: p.default for name, p in self.params.items()}
        self._classifier({**defaults, **params}).training_options()

    def train(
        self,
        params: Mapping[str, Any],
        sampler: dimod.Sampler,
        sample_kwargs: Mapping[str, Any],
        seed: int,
    ) -> dict[str, float]:
        ds = load_digits_binary(classes=tuple(params["classes"]), size=params["size"],
                                seed=params["data_seed"])
        kwargs = {k: v for k, v in sample_kwargs.items() if k != "seed"}
        clf = self._classifier(params, sampler=sampler, sample_kwargs=kwargs, random_state=seed)
        clf.fit(ds.X_train, ds.y_train)
        return {"train_accuracy": float(clf.score(ds.X_train, ds.y_train)),
                "test_accuracy": float(clf.score(ds.X_test, ds.y_test)),
                "sampler_calls": int(getattr(clf, "sampler_calls_", 0)),
                "solver_seconds": float(getattr(clf, "solver_seconds_", float("nan"))),
                "history": [{"round": int(row["round"]), "train_loss": float(row["train_loss"]),
                             "seconds": float(row["seconds"])} for row in clf.history_]}
