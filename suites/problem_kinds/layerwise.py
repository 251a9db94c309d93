"""Training job: the layer-wise K-bit softmax head (DESIGN.md 6.3) on sklearn digits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dimod

from qubo_bnn.datasets import load_digits_binary
from qubo_bnn.layerwise.classifier import LayerwiseQuboClassifier
from qubo_bnn.layerwise.features import RandomConvFeatures
from suites.problems import Param, ProblemKind


class DigitsLayerwise(ProblemKind):
    """Train :class:`~qubo_bnn.layerwise.classifier.LayerwiseQuboClassifier` with a machine.

    Data: binarised sklearn digits (``classes``, pooled to ``size`` × ``size``), split by
    ``data_seed``; features: frozen random convolutions (``n_features``; 0 = raw pixels).
    Every sampler call gets the job's sampling parameters (reads, sweeps, ...); the job seed
    seeds the classifier's sampler calls and the random features.
    """

    mode = "train"
    description = "layer-wise K-bit softmax head on frozen random conv features (digits)"
    params = {
        "bits": Param("int", "bits per weight K", required=True),
        "classes": Param("int_list", "digit classes", default=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
        "size": Param("int", "image side after pooling: 8, 4, 2 or 1", default=8),
        "n_features": Param("int", "random conv features (0: the pixels themselves)",
                            default=32),
        "iterations": Param("int", "outer majorise-and-solve iterations", default=10),
        "ridge": Param("float", "ridge strength on the weights", default=1e-3),
        "data_seed": Param("int", "seed of the train/test split", default=0),
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        for key in ("bits", "iterations"):
            if key in params and params[key] < 1:
                raise ValueError(f"{key} must be >= 1, got {params[key]}")
        if params.get("n_features", 32) < 0:
            raise ValueError("n_features must be >= 0")
        if len(params.get("classes", [0, 1])) < 2:
            raise ValueError("classes must name at least two digits")

    def train(
        self,
        params: Mapping[str, Any],
        sampler: dimod.Sampler,
        sample_kwargs: Mapping[str, Any],
        seed: int,
    ) -> dict[str, float]:
        ds = load_digits_binary(classes=tuple(params["classes"]), size=params["size"],
                                seed=params["data_seed"])
        features = None
        if params["n_features"] > 0:
            features = RandomConvFeatures(params["n_features"], image_shape=ds.image_shape,
                                          random_state=seed)
        kwargs = {k: v for k, v in sample_kwargs.items() if k != "seed"}
        clf = LayerwiseQuboClassifier(params["bits"], features=features,
                                      iterations=params["iterations"], sampler=sampler,
                                      sample_kwargs=kwargs, ridge=params["ridge"],
                                      random_state=seed)
        clf.fit(ds.X_train, ds.y_train)
        return {"train_accuracy": float(clf.score(ds.X_train, ds.y_train)),
                "test_accuracy": float(clf.score(ds.X_test, ds.y_test)),
                "iterations_run": int(clf.n_iter_),
                "num_variables_per_qubo": int((clf.coef_.shape[1] + 1) * params["bits"])}
