"""What a training problem kind hands to a trainer: the data and the model to train.

A ``train`` problem kind (:mod:`suites.problems`) builds one of these from its parameters; a
trainer (:mod:`suites.trainers`) declares which of them it trains.

* :class:`WholeNetworkTask`: a binary network (±1 weights, sign activations) on ±1 inputs.
* :class:`LayerwiseTask`: the layer-wise K-bit softmax head on frozen features.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import clone

from qubo_bnn.datasets import BinaryDataset


@dataclass(frozen=True)
class DataSplit:
    """Training and test inputs (one row per sample) with their labels."""

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


@dataclass(frozen=True)
class WholeNetworkTask:
    """A layered binary network to train on binarised digits.

    Attributes
    ----------
    data:
        The split; labels are ±1 with two classes, class indices with more.
    hidden_layers:
        Hidden layer widths (the input and output widths follow from the data).
    qubo_options:
        :class:`~qubo_bnn.whole_network.classifier.QuboBNNClassifier` keywords of the QUBO
        training scheme (scheme, regularisers, rounds, ...): used when a machine trains it.
    """

    data: BinaryDataset
    hidden_layers: tuple[int, ...]
    qubo_options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def layer_sizes(self) -> list[int]:
        """Widths from the input to the output layer (one output unit for two classes)."""
        n_out = 1 if self.data.n_classes == 2 else self.data.n_classes
        return [self.data.n_features, *self.hidden_layers, n_out]

    def class_indices(self) -> tuple[np.ndarray, np.ndarray]:
        """Training and test labels as class indices ``0..C-1`` (two classes: -1 -> 0)."""
        if self.data.n_classes == 2:
            return tuple((y > 0).astype(np.int64) for y in (self.data.y_train,
                                                            self.data.y_test))
        return self.data.y_train.astype(np.int64), self.data.y_test.astype(np.int64)


@dataclass(frozen=True)
class LayerwiseTask:
    """A softmax head to train on frozen features.

    Attributes
    ----------
    data:
        The split of the inputs.
    features:
        An unfitted transformer (``fit``/``transform``) that turns the inputs into features,
        fitted on the training inputs; ``None`` when the inputs are the features.
    bits:
        Bits per weight ``K`` of the head's QUBOs (``None``: trained in floating point).
    iterations:
        Outer majorise-and-solve iterations.
    ridge:
        Ridge strength on the non-bias weights.
    """

    data: DataSplit
    features: Any
    bits: int | None
    iterations: int
    ridge: float

    def feature_matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """The training and test features (the transformer fitted on the training inputs)."""
        if self.features is None:
            return self.data.X_train, self.data.X_test
        fitted = clone(self.features).fit(self.data.X_train, self.data.y_train)
        return fitted.transform(self.data.X_train), fitted.transform(self.data.X_test)
