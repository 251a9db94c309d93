"""Float baseline: the same binary architecture trained by gradient descent (numpy only).

Straight-through estimator (STE): latent real weights ``W`` in ``[-1, 1]``; the forward pass
uses ``sign(W)`` (``sign(0) = +1``) and ``sign`` activations exactly as the binary network does;
the backward pass treats ``sign(W)`` as the identity where ``|W| <= 1`` and each hidden
``sign(z)`` as ``hardtanh(z / sqrt(fan_in))``. Loss on the output pre-activations scaled by
``1 / sqrt(fan_in)``: logistic for one output (class 1 = output +1), softmax cross-entropy for
several (argmax prediction, as :meth:`BinaryNetwork.predict_class`). Adam, mini-batches; the
binarised network with the best training accuracy over the epochs is returned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qubo_bnn.whole_network.network import BinaryNetwork


@dataclass
class SteResult:
    """The best binarised network, its training accuracy and the loss per epoch."""

    network: BinaryNetwork
    train_accuracy: float
    loss_history: list[float]


def _sign(a: np.ndarray) -> np.ndarray:
    return np.where(a >= 0, 1.0, -1.0)


def train_ste(
    X: np.ndarray,
    y: np.ndarray,
    hidden_layers: tuple[int, ...] | list[int] = (4,),
    *,
    epochs: int = 100,
    learning_rate: float = 0.01,
    batch_size: int = 32,
    seed: int | None = None,
) -> SteResult:
    """Train a layered ±1 network (no biases) with the STE (see the module docstring).

    ``X``: ``(S, n)`` ±1; ``y``: class indices ``0..C-1`` (``C = 2`` -> one output unit).
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] == 0 or not np.isin(X, (-1, 1)).all():
        raise ValueError("X must be a non-empty 2-D array of -1/+1 values")
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise ValueError(f"y must be {X.shape[0]} non-negative class indices")
    for name, v in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    n_classes = max(int(y.max()) + 1, 2)
    n_out = 1 if n_classes == 2 else n_classes
    sizes = [X.shape[1], *[int(h) for h in hidden_layers], n_out]
    if min(sizes) < 1:
        raise ValueError(f"hidden_layers must hold positive widths, got {hidden_layers!r}")
    rng = np.random.default_rng(seed)
    Ws = [rng.uniform(-1, 1, size=(n, m)) for m, n in zip(sizes[:-1], sizes[1:], strict=True)]
    adam = [(np.zeros_like(W), np.zeros_like(W)) for W in Ws]
    Xf = X.astype(np.float64)
    best, best_acc, losses, step = None, -1.0, [], 0
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        total = 0.0
        for start in range(0, X.shape[0], batch_size):
            idx = order[start : start + batch_size]
            loss, grads = loss_and_gradients(Ws, Xf[idx], y[idx], n_out)
            total += loss * idx.size
            step += 1
            for k, (W, g) in enumerate(zip(Ws, grads, strict=True)):
                m, v = adam[k]
                m[:] = 0.9 * m + 0.1 * g
                v[:] = 0.999 * v + 0.001 * g * g
                mh, vh = m / (1 - 0.9**step), v / (1 - 0.999**step)
                W -= learning_rate * mh / (np.sqrt(vh) + 1e-8)
                np.clip(W, -1.0, 1.0, out=W)
        losses.append(total / X.shape[0])
        net = BinaryNetwork.from_arrays([_sign(W).astype(np.int8) for W in Ws])
        acc = float(np.mean(net.predict_class(X) == y))
        if acc > best_acc:
            best, best_acc = net, acc
    return SteResult(best, best_acc, losses)


def loss_and_gradients(
    Ws: list[np.ndarray], x: np.ndarray, y: np.ndarray, n_out: int
) -> tuple[float, list[np.ndarray]]:
    """Loss of one mini-batch and its STE gradients with respect to the latent weights ``Ws``.

    ``x`` ``(B, n)`` float ±1, ``y`` class indices, ``n_out`` output units (see the module
    docstring for the loss and the straight-through rules).
    """
    acts, pre = [x], []
    for k, W in enumerate(Ws):
        z = acts[-1] @ _sign(W).T / np.sqrt(W.shape[1])
        pre.append(z)
        if k < len(Ws) - 1:
            acts.append(_sign(z))
    out = pre[-1]
    n = x.shape[0]
    if n_out == 1:
        t = np.where(y == 1, 1.0, -1.0)[:, None]
        margin = t * out
        loss = float(np.mean(np.logaddexp(0.0, -margin)))
        dz = -t / (1.0 + np.exp(margin)) / n
    else:
        shifted = out - out.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(p[np.arange(n), y] + 1e-12)))
        dz = p.copy()
        dz[np.arange(n), y] -= 1.0
        dz /= n
    grads = [None] * len(Ws)
    for k in range(len(Ws) - 1, -1, -1):
        W = Ws[k]
        scale = 1.0 / np.sqrt(W.shape[1])
        gWb = dz.T @ acts[k] * scale
        grads[k] = gWb * (np.abs(W) <= 1.0)
        if k > 0:
            da = dz @ _sign(W) * scale
            dz = da * (np.abs(pre[k - 1]) <= 1.0)
    return loss, grads
