"""Direct-search reference: simulated annealing straight over the ±1 weights.

This is the accuracy yardstick of the project (DESIGN.md 6.5): no QUBO and no sampler, just
Metropolis single-weight flips on a layered binary network whose energy is the forward-pass
0-1 training loss (number of misclassified training samples).

Evaluation is incremental. Flipping weight ``w`` of unit ``j`` in layer ``l`` changes that
unit's pre-activation by ``-2 w a_i`` on every sample, i.e. O(samples) work; only on samples
whose activation of ``j`` changes sign are the later layers recomputed (a few multiply-adds for
one hidden layer). Pre-activations of every layer are kept per sample and committed when the
flip is accepted.

Schedule (:class:`~qubo_bnn.whole_network.options.DirectSearchOptions`): ``num_sweeps`` sweeps
(one sweep = as many proposals as there are weights), inverse temperature geometric from
``beta_range[0]`` to ``beta_range[1]`` in units of 1/error, best network over the run kept;
``num_reads`` independent restarts (from random weights, or all from given ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from qubo_bnn.whole_network.layers import LayerShape, layered_start
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.options import DirectSearchOptions


@dataclass
class DirectSearchResult:
    """Outcome of :func:`anneal_weights`.

    ``weights`` holds one ``int8`` matrix per layer (``n_l x (n_(l-1) [+1 bias])``, bias as the
    last column); ``errors`` the training errors of that network; ``errors_per_read`` the best
    count found by each restart.
    """

    weights: list[np.ndarray]
    errors: int
    errors_per_read: np.ndarray
    accuracy: float


@njit(cache=True)
def _sample_error(z_out_row: np.ndarray, target: int) -> int:
    """0-1 error of one sample given its output pre-activations and class index."""
    c = z_out_row.shape[0]
    if c == 1:
        pred = 1 if z_out_row[0] >= 0 else 0
        return 0 if pred == target else 1
    best = 0
    for k in range(1, c):
        if z_out_row[k] > z_out_row[best]:
            best = k
    return 0 if best == target else 1


@njit(cache=True)
def _forward_sample(x, s, sizes, bias, woff, uoff, w, z, a):
    """Recompute layers 1..L of sample ``s`` into z (pre-activations) and a (activations)."""
    num_layers = sizes.shape[0] - 1
    for layer in range(1, num_layers + 1):
        n_in = sizes[layer - 1]
        cols = n_in + bias[layer]
        for j in range(sizes[layer]):
            base = woff[layer] + j * cols
            acc = 0
            for i in range(n_in):
                if layer == 1:
                    acc += w[base + i] * x[s, i]
                else:
                    acc += w[base + i] * a[s, uoff[layer - 1] + i]
            if bias[layer]:
                acc += w[base + n_in]
            z[s, uoff[layer] + j] = acc
            a[s, uoff[layer] + j] = 1 if acc >= 0 else -1


@njit(cache=True)
def _forward_row(layer0, sizes, bias, woff, uoff, w, z_row, a_row):
    """Recompute layers > layer0 of one sample's pre-activations and signs, in place."""
    num_layers = sizes.shape[0] - 1
    for layer in range(layer0 + 1, num_layers + 1):
        n_in = sizes[layer - 1]
        cols = n_in + bias[layer]
        for j in range(sizes[layer]):
            base = woff[layer] + j * cols
            acc = 0
            for i in range(n_in):
                acc += w[base + i] * a_row[uoff[layer - 1] + i]
            if bias[layer]:
                acc += w[base + n_in]
            z_row[uoff[layer] + j] = acc
            a_row[uoff[layer] + j] = 1 if acc >= 0 else -1


@njit(cache=True)
def _tail_error(layer0, sizes, bias, woff, uoff, w, a_row, z_tail, target):
    """Error of a sample when layers > layer0 are recomputed from ``a_row`` (scratch)."""
    _forward_row(layer0, sizes, bias, woff, uoff, w, z_tail, a_row)
    out0 = uoff[sizes.shape[0] - 1]
    return _sample_error(z_tail[out0 : out0 + sizes[-1]], target)


@njit(cache=True)
def _anneal_kernel(x, target, sizes, bias, woff, w0, betas, seed):
    """Metropolis over single weight flips; returns (best weights, best errors)."""
    np.random.seed(seed)
    num_layers = sizes.shape[0] - 1
    n_samples = x.shape[0]
    n_w = w0.shape[0]
    uoff = np.zeros(num_layers + 2, dtype=np.int64)
    for layer in range(1, num_layers + 1):
        uoff[layer + 1] = uoff[layer] + sizes[layer]
    n_units = uoff[num_layers + 1]
    out0 = uoff[num_layers]
    w = w0.copy()
    z = np.zeros((n_samples, n_units), dtype=np.int64)
    a = np.zeros((n_samples, n_units), dtype=np.int64)
    err = np.zeros(n_samples, dtype=np.int64)
    errors = 0
    for s in range(n_samples):
        _forward_sample(x, s, sizes, bias, woff, uoff, w, z, a)
        err[s] = _sample_error(z[s, out0 : out0 + sizes[num_layers]], target[s])
        errors += err[s]
    best = errors
    best_w = w.copy()
    # weight index -> (layer, unit, input) lookup
    w_layer = np.zeros(n_w, dtype=np.int64)
    w_unit = np.zeros(n_w, dtype=np.int64)
    w_in = np.zeros(n_w, dtype=np.int64)
    for layer in range(1, num_layers + 1):
        cols = sizes[layer - 1] + bias[layer]
        for k in range(woff[layer], woff[layer + 1]):
            w_layer[k] = layer
            w_unit[k] = (k - woff[layer]) // cols
            w_in[k] = (k - woff[layer]) % cols
    new_err = np.zeros(n_samples, dtype=np.int64)
    a_row = np.zeros(n_units, dtype=np.int64)
    z_tail = np.zeros(n_units, dtype=np.int64)
    for sweep in range(betas.shape[0]):
        beta = betas[sweep]
        for _ in range(n_w):
            k = np.random.randint(n_w)
            layer = w_layer[k]
            j = w_unit[k]
            i = w_in[k]
            col = uoff[layer] + j
            wk = w[k]
            w[k] = -wk  # tentatively, so tail recomputation sees the flip
            delta = 0
            for s in range(n_samples):
                if i == sizes[layer - 1]:
                    inp = 1
                elif layer == 1:
                    inp = x[s, i]
                else:
                    inp = a[s, uoff[layer - 1] + i]
                zn = z[s, col] - 2 * wk * inp
                if layer == num_layers:
                    for u in range(sizes[num_layers]):
                        z_tail[out0 + u] = z[s, out0 + u]
                    z_tail[out0 + j] = zn
                    e = _sample_error(z_tail[out0 : out0 + sizes[num_layers]], target[s])
                else:
                    an = 1 if zn >= 0 else -1
                    if an == a[s, col]:
                        e = err[s]
                    else:
                        for u in range(n_units):
                            a_row[u] = a[s, u]
                        a_row[col] = an
                        e = _tail_error(layer, sizes, bias, woff, uoff, w, a_row, z_tail,
                                        target[s])
                new_err[s] = e
                delta += e - err[s]
            if delta <= 0 or np.random.random() < np.exp(-beta * delta):
                for s in range(n_samples):
                    if i == sizes[layer - 1]:
                        inp = 1
                    elif layer == 1:
                        inp = x[s, i]
                    else:
                        inp = a[s, uoff[layer - 1] + i]
                    zn = z[s, col] - 2 * wk * inp
                    z[s, col] = zn
                    an = 1 if zn >= 0 else -1
                    if an != a[s, col] and layer < num_layers:
                        a[s, col] = an
                        _forward_row(layer, sizes, bias, woff, uoff, w, z[s], a[s])
                    else:
                        a[s, col] = an
                    err[s] = new_err[s]
                errors += delta
                if errors < best:
                    best = errors
                    best_w[:] = w
            else:
                w[k] = wk
        if best == 0:
            break
    return best_w, best


def _check_data(x: np.ndarray, y: np.ndarray, shape: LayerShape) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x must be a non-empty 2-D array of ±1 values, got shape {x.shape}")
    if not np.all(np.isin(x, (-1, 1))):
        raise ValueError("x must contain only -1 and +1")
    if x.shape[1] != shape.sizes[0]:
        raise ValueError(f"x has {x.shape[1]} features but sizes[0] is {shape.sizes[0]}")
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must have shape ({x.shape[0]},), got {y.shape}")
    n_out = int(shape.sizes[-1])
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= max(n_out, 2):
        raise ValueError(
            f"y must hold class indices in [0, {max(n_out, 2) - 1}] for {n_out} output(s)"
        )
    return x.astype(np.int64), y.astype(np.int64)


def anneal_weights(
    x: np.ndarray,
    y: np.ndarray,
    layers: Sequence[int] | LayerShape | BinaryNetwork,
    options: DirectSearchOptions | None = None,
    *,
    seed: int | None = None,
) -> DirectSearchResult:
    """Train a layered binary network by simulated annealing over its ±1 weights.

    Parameters
    ----------
    x:
        Training inputs, ``(S, n_0)`` of ±1.
    y:
        Class index per sample: 0/1 for one output (0 means a negative output), or
        ``0..C-1`` for ``C = n_L`` outputs (argmax prediction).
    layers:
        Layer widths ``n_0, n_1, ..., n_L`` (no biases) or a
        :class:`~qubo_bnn.whole_network.layers.LayerShape` (with ``bias=True``: a ±1 bias per
        non-input unit): every read starts from random weights; or a layered
        :class:`~qubo_bnn.whole_network.network.BinaryNetwork`: every read starts from its
        weights.
    options:
        Restarts and schedule (:class:`~qubo_bnn.whole_network.options.DirectSearchOptions`;
        ``None``: its defaults).
    seed:
        Seed of the start weights and of the reads' kernel seeds.
    """
    options = DirectSearchOptions() if options is None else options
    shape, start = layered_start(layers)
    x, y = _check_data(x, y, shape)
    rng = np.random.default_rng(seed)
    betas = np.geomspace(*options.beta_range, options.num_sweeps)
    best_w, best_e = None, None
    per_read = np.zeros(options.num_reads, dtype=np.int64)
    for read in range(options.num_reads):
        if start is None:
            w0 = rng.choice(np.array([-1, 1], dtype=np.int64), size=shape.num_weights)
        else:
            w0 = start.astype(np.int64)
        kseed = int(rng.integers(0, 2**31 - 1))
        w, e = _anneal_kernel(x, y, shape.sizes, shape.bias, shape.woff, w0, betas, kseed)
        per_read[read] = e
        if best_e is None or e < best_e:
            best_w, best_e = w, e
    mats = [m.astype(np.int8).copy() for m in shape.split(best_w)]
    return DirectSearchResult(mats, int(best_e), per_read, 1.0 - best_e / x.shape[0])
