"""The exact whole-network BNN training QUBO (DESIGN.md 6.1) on binarised sklearn digits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qubo_bnn.datasets import load_digits_binary
from qubo_bnn.whole_network.direct_search import anneal_weights
from qubo_bnn.whole_network.formulation import build_bnn_qubo
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.options import DirectSearchOptions
from suites.problems import BuiltProblem, Param, ProblemKind


class DigitsBNN(ProblemKind):
    """Whole-network BNN QUBO on ``samples`` training images of two digit classes.

    Target: with the default (exact) penalty, the 0-1 loss, and no margin, every energy is
    ≥ 0 and a zero-loss network has energy 0. The adapter searches for such a network directly
    over the weights (:func:`qubo_bnn.whole_network.direct_search.anneal_weights`) and checks it
    with the formulation's own ``loss``; when one is found the target is 0 (source ``optimum``),
    otherwise none is known (the suite's ``auto`` policy then uses the best energy seen).
    """

    description = "exact whole-network BNN training QUBO on binarised sklearn digits"
    params = {
        "layers": Param("int_list", "layer widths, first = size*size pixels, e.g. [16, 2, 1]",
                        required=True),
        "samples": Param("int", "training samples in the QUBO", required=True),
        "classes": Param("int_list", "two digit classes", default=[3, 8]),
        "size": Param("int", "image side after pooling: 8, 4, 2 or 1", default=4),
        "data_seed": Param("int", "seed choosing the split and the samples", default=0),
        "loss": Param("str", "'zero_one' or 'hard'", default="zero_one"),
        "margin": Param("float", "margin regulariser strength mu >= 0", default=0.0),
        "penalty": Param("float", "penalty strength (default: the exact bound + 1)"),
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        layers, size = params.get("layers"), params.get("size", 4)
        if layers is not None and layers[0] != size * size:
            raise ValueError(f"layers[0] must equal size*size = {size * size} input pixels, "
                             f"got {layers[0]}")
        if layers is not None and layers[-1] != 1:
            raise ValueError(f"two-class digits need one output unit, got layers[-1] = "
                             f"{layers[-1]}")
        if len(params.get("classes", [3, 8])) != 2:
            raise ValueError("classes must name exactly two digits")
        if params.get("loss", "zero_one") not in ("zero_one", "hard"):
            raise ValueError("loss must be 'zero_one' or 'hard'")
        if params.get("samples", 1) < 1:
            raise ValueError("samples must be >= 1")

    def data(self, params: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        """The ``samples`` training images (±1) and labels (±1) the QUBO is built from."""
        ds = load_digits_binary(classes=tuple(params["classes"]), size=params["size"],
                                seed=params["data_seed"])
        rng = np.random.default_rng(params["data_seed"])
        if params["samples"] > ds.X_train.shape[0]:
            raise ValueError(f"samples = {params['samples']} exceeds the "
                             f"{ds.X_train.shape[0]} training images")
        pick = rng.choice(ds.X_train.shape[0], size=params["samples"], replace=False)
        return ds.X_train[pick], np.where(ds.y_train[pick] > 0, 1, -1).astype(np.int8)

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        X, y = self.data(params)
        form = build_bnn_qubo(list(params["layers"]), X, y, loss=params["loss"],
                              penalty=params.get("penalty"), margin=params["margin"])
        info = {"counts": form.counts, **{k: v for k, v in form.info.items()
                                          if isinstance(v, (int, float, bool, str))}}
        target = source = None
        exact_zero_one = (params.get("penalty") is None and params["margin"] == 0
                          and params["loss"] == "zero_one")
        if exact_zero_one:
            found = anneal_weights(X, (y > 0).astype(np.int64), list(params["layers"]),
                                   DirectSearchOptions(num_reads=4, num_sweeps=2000),
                                   seed=params["data_seed"])
            if found.errors == 0 and form.loss(BinaryNetwork.from_arrays(found.weights)) == 0:
                target, source = 0.0, "optimum"
        return BuiltProblem(bqm=form.bqm, target_energy=target, target_source=source, info=info)
