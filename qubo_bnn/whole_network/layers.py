"""Flat array view of a layered binary network, shared by the training kernels.

A layered network n_0 -> n_1 -> ... -> n_L is held as one flat ``int8`` weight buffer: layer
``l`` (1-based) is an ``n_l x (n_(l-1) + b_l)`` row-major block starting at ``woff[l]``, where
``b_l = 1`` when the layer has a bias, stored as the last column and multiplied by a constant
+1 input. Activations are ``sign`` with ``sign(0) = +1``. Predictions: one output -> its sign;
several outputs -> the index of the largest pre-activation (first one on ties).

A trainer's ``layers`` argument is layer sizes (no biases), a :class:`LayerShape` (random ±1
start) or a layered :class:`~qubo_bnn.whole_network.network.BinaryNetwork` (its weights are the
start): :func:`layered_start`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qubo_bnn.whole_network.network import BinaryNetwork


@dataclass(frozen=True)
class LayerShape:
    """Sizes of a layered network and where each layer lives in the flat weight buffer."""

    sizes: np.ndarray  # int64, (L+1,)
    bias: np.ndarray  # int64, (L+1,), entry 0 unused
    woff: np.ndarray  # int64, (L+2,), woff[l] start of layer l, woff[L+1] total

    @classmethod
    def build(cls, sizes: Sequence[int], bias: bool = False) -> LayerShape:
        """The shape of layers ``sizes = [n_0, ..., n_L]``, every non-input unit biased or not.

        Raises ``TypeError``/``ValueError`` naming ``sizes`` unless it lists at least two
        positive widths.
        """
        sizes_arr = np.asarray(positive_widths("sizes", sizes, min_count=2), dtype=np.int64)
        b = np.zeros(len(sizes_arr), dtype=np.int64)
        if bias:
            b[1:] = 1
        woff = np.zeros(len(sizes_arr) + 1, dtype=np.int64)
        for layer in range(1, len(sizes_arr)):
            woff[layer + 1] = woff[layer] + sizes_arr[layer] * (sizes_arr[layer - 1] + b[layer])
        woff[0] = 0
        return cls(sizes_arr, b, woff)

    @property
    def num_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def num_weights(self) -> int:
        return int(self.woff[-1])

    def split(self, flat: np.ndarray) -> list[np.ndarray]:
        """Views of the flat buffer as per-layer matrices (bias as the last column)."""
        out = []
        for layer in range(1, len(self.sizes)):
            rows, cols = self.sizes[layer], self.sizes[layer - 1] + self.bias[layer]
            out.append(flat[self.woff[layer] : self.woff[layer + 1]].reshape(rows, cols))
        return out

    def join(self, mats: list[np.ndarray]) -> np.ndarray:
        """Concatenate per-layer matrices (bias as the last column) into a flat int8 buffer."""
        return np.concatenate([np.asarray(m, dtype=np.int8).ravel() for m in mats])

    @classmethod
    def of_network(cls, network: BinaryNetwork) -> tuple[LayerShape, np.ndarray]:
        """The shape of a layered network and its weights (biases as last columns), flat."""
        if network.layer_sizes is None:
            raise ValueError("the network is a general DAG; a layered network is needed")
        mats, biases = network.to_arrays()
        if biases is not None:
            mats = [np.column_stack([m, b]) for m, b in zip(mats, biases, strict=True)]
        shape = cls.build(network.layer_sizes, biases is not None)
        return shape, shape.join(mats)

    def to_network(self, mats: list[np.ndarray]) -> BinaryNetwork:
        """The :class:`BinaryNetwork` of per-layer matrices (bias as the last column)."""
        cols = self.sizes[:-1]
        weights = [m[:, : cols[i]] for i, m in enumerate(mats)]
        biases = [m[:, cols[i]] for i, m in enumerate(mats)] if self.bias[-1] else None
        return BinaryNetwork.from_arrays(weights, biases)


def positive_widths(name: str, values, min_count: int = 0) -> list[int]:
    """``values`` as a list of positive integer widths (at least ``min_count`` of them).

    Raises ``TypeError`` (not a sequence) or ``ValueError`` (a width that is not a positive
    integer, or too few), naming ``name``.
    """
    try:
        values = list(values)
        widths = [int(v) for v in values]
    except TypeError as exc:
        raise TypeError(f"{name} must be a sequence of positive integers, got {values!r}") from exc
    except ValueError as exc:
        raise ValueError(f"{name} must hold positive integers, got {values!r}") from exc
    if len(widths) < min_count or any(w < 1 or w != v for w, v in zip(widths, values,
                                                                       strict=True)):
        least = f"at least {min_count} " if min_count else ""
        raise ValueError(f"{name} must hold {least}positive integers, got {values!r}")
    return widths


def layered_start(
    layers: Sequence[int] | LayerShape | BinaryNetwork,
) -> tuple[LayerShape, np.ndarray | None]:
    """The shape of a trainer's ``layers`` argument and its start weights (flat, or ``None``).

    Layer sizes (no biases) or a :class:`LayerShape` give no start weights (the trainer draws
    random ones from its seed); a layered :class:`BinaryNetwork` gives its own weights.
    """
    if isinstance(layers, BinaryNetwork):
        return LayerShape.of_network(layers)
    if isinstance(layers, LayerShape):
        return layers, None
    return LayerShape.build(layers), None


def forward_layers(
    shape: LayerShape, flat: np.ndarray, x: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pre-activations and activations of every layer (numpy; ``x`` is ``(S, n_0)`` of ±1).

    Returns ``(z, a)`` where ``a[0] = x`` and ``z[l-1]``, ``a[l]`` belong to layer ``l``.
    """
    a = [np.asarray(x, dtype=np.int32)]
    z = []
    for layer, mat in enumerate(shape.split(flat), start=1):
        inp = a[-1]
        if shape.bias[layer]:
            inp = np.concatenate([inp, np.ones((inp.shape[0], 1), dtype=np.int32)], axis=1)
        zl = inp @ mat.astype(np.int32).T
        z.append(zl)
        a.append(np.where(zl >= 0, 1, -1).astype(np.int32))
    return z, a


def predict_from_output(z_out: np.ndarray) -> np.ndarray:
    """Class index per sample from output pre-activations (see module docstring)."""
    if z_out.shape[1] == 1:
        return (z_out[:, 0] >= 0).astype(np.int64)
    return np.argmax(z_out, axis=1).astype(np.int64)


def bias_column(inputs: np.ndarray, has_bias: int | bool) -> np.ndarray:
    """Append a constant +1 column (the bias input) when ``has_bias``."""
    if not has_bias:
        return inputs
    return np.concatenate([inputs, np.ones((inputs.shape[0], 1), dtype=inputs.dtype)], axis=1)


def count_errors(shape: LayerShape, flat: np.ndarray, x: np.ndarray, y: np.ndarray) -> int:
    """Training errors of the flat weights on ``x`` (±1) against class indices ``y``."""
    z, _ = forward_layers(shape, flat, x)
    return int(np.sum(predict_from_output(z[-1]) != np.asarray(y)))


def errors_of(x: np.ndarray, y: np.ndarray, weights: list[np.ndarray], bias: bool) -> int:
    """Training errors of per-layer matrices ``weights`` (bias as the last column if ``bias``)."""
    sizes = [np.asarray(x).shape[1]] + [m.shape[0] for m in weights]
    shape = LayerShape.build(sizes, bias)
    return count_errors(shape, shape.join(weights), x, y)
