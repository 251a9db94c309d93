"""Per-sample hidden targets: the nearest hidden pattern that makes the next layer right.

Used by the unit-wise QUBO scheme (:mod:`qubo_bnn.whole_network.unitwise`). For one hidden layer
with current activations ``a`` (``S x n``) and pre-activations ``z``, and the next layer's
weights, a *target pattern* ``t`` per sample is chosen to minimise

    BIG * (downstream error of t) + sum_j [t_j != a_j] * (|z_j| + 1)

i.e. first make the next layer right (output: the sample is classified correctly; hidden: as
many of its units as possible hit their own targets), then change as few and as cheap units
as possible: flipping a unit whose pre-activation is near zero costs little. Patterns are
searched exhaustively when the layer has at most :data:`EXHAUSTIVE_MAX` units, else by greedy
single flips. Samples that are already right keep their pattern.

``keep`` (a boolean unit mask) restricts the search to a dropout subnetwork: dropped units
contribute nothing downstream and keep their current value. :func:`layer_targets` chains this
from the output layer backwards.
"""

from __future__ import annotations

import numpy as np

from qubo_bnn.whole_network.layers import LayerShape

EXHAUSTIVE_MAX = 10
_BIG = 1.0e6


def _downstream_error(
    z_next: np.ndarray, goal: np.ndarray, is_output: bool, graded: bool = False
) -> np.ndarray:
    """Error per row of next-layer pre-activations ``z_next`` (..., m) against ``goal``.

    Output layer: ``goal`` holds class indices (0/1 for one output), error is 0/1; with
    ``graded`` and several outputs a misclassified row costs ``1 + max_(k != y) z_k - z_y``
    (>= 1, the argmax decision plus how far the true class is behind).
    Hidden layer: ``goal`` holds ±1 target patterns, error is the number of missed units.
    """
    if is_output:
        if z_next.shape[-1] == 1:
            pred = (z_next[..., 0] >= 0).astype(np.int64)
            return (pred != goal).astype(np.float64)
        pred = np.argmax(z_next, axis=-1)
        wrong = (pred != goal).astype(np.float64)
        if not graded:
            return wrong
        z_true = np.take_along_axis(z_next, goal[..., None], axis=-1)[..., 0]
        z_best = np.max(z_next, axis=-1)  # on a wrong row this is the best wrong class
        return wrong * (1.0 + z_best - z_true)
    act = np.where(z_next >= 0, 1, -1)
    return np.sum(act != goal, axis=-1).astype(np.float64)


def hidden_targets(
    a: np.ndarray,
    z: np.ndarray,
    w_next: np.ndarray,
    b_next: np.ndarray | None,
    goal: np.ndarray,
    keep: np.ndarray | None = None,
    graded: bool = False,
    max_flips: int = 4,
) -> np.ndarray:
    """Target pattern per sample for one hidden layer (see the module docstring).

    Parameters
    ----------
    a, z:
        Current activations (±1) and pre-activations of the layer, ``(S, n)``.
    w_next, b_next:
        Next layer's weights ``(m, n)`` and biases ``(m,)`` (or ``None``).
    goal:
        The next layer's goal: class indices ``(S,)`` when it is the output layer, else its
        ±1 targets ``(S, m)``.
    keep:
        Boolean mask ``(n,)`` of units in the subnetwork (``None``: all).
    graded:
        Several outputs: rank wrong patterns by how far the true class is behind
        (:func:`_downstream_error`), so greedy flips can close the gap step by step.
    max_flips:
        Most unit flips per sample in the greedy search (wide layers).
    """
    a = np.asarray(a, dtype=np.int64)
    goal = np.asarray(goal)
    is_output = goal.ndim == 1
    n = a.shape[1]
    keep = np.ones(n, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    w_eff = np.asarray(w_next, dtype=np.int64) * keep[None, :]
    bias = np.zeros(w_eff.shape[0], dtype=np.int64) if b_next is None else np.asarray(b_next)
    cost_flip = (np.abs(z) + 1.0) * keep[None, :]
    free = np.flatnonzero(keep)
    if free.size <= EXHAUSTIVE_MAX:
        return _exhaustive(a, cost_flip, w_eff, bias, goal, is_output, free, graded)
    return _greedy(a, cost_flip, w_eff, bias, goal, is_output, free, graded, max_flips)


def _exhaustive(a, cost_flip, w_eff, bias, goal, is_output, free, graded=False):
    k = free.size
    codes = np.arange(2**k)
    flips = ((codes[:, None] >> np.arange(k)[None, :]) & 1).astype(bool)  # (P, k)
    out = a.copy()
    # candidate patterns per sample: a with the chosen free units flipped
    sign_free = a[:, free]  # (S, k)
    cand = np.where(flips[None, :, :], -sign_free[:, None, :], sign_free[:, None, :])  # S,P,k
    z_base = a @ w_eff.T + bias  # (S, m) with current pattern
    w_free = w_eff[:, free]  # (m, k)
    z_next = z_base[:, None, :] + (cand - sign_free[:, None, :]) @ w_free.T  # (S, P, m)
    goal_b = goal[:, None] if is_output else goal[:, None, :]
    err = _downstream_error(z_next, goal_b, is_output, graded)  # (S, P)
    cost = flips[None, :, :] * cost_flip[:, free][:, None, :]
    total = _BIG * err + cost.sum(axis=2)
    best = np.argmin(total, axis=1)
    out[:, free] = cand[np.arange(a.shape[0]), best]
    return out


def _greedy(a, cost_flip, w_eff, bias, goal, is_output, free, graded=False, max_flips=4):
    out = a.copy()
    z_next = out @ w_eff.T + bias
    cur_err = _downstream_error(z_next, goal, is_output, graded)
    for _ in range(max_flips):
        active = np.flatnonzero(cur_err > 0)
        if active.size == 0:
            break
        sub = out[active][:, free]  # (A, k)
        delta = -2 * sub[:, :, None] * w_eff[:, free].T[None, :, :]  # (A, k, m)
        z_try = z_next[active][:, None, :] + delta
        goal_b = goal[active][:, None] if is_output else goal[active][:, None, :]
        err = _downstream_error(z_try, goal_b, is_output, graded)  # (A, k)
        score = _BIG * err + cost_flip[active][:, free]
        j = np.argmin(score, axis=1)
        better = err[np.arange(active.size), j] < cur_err[active]
        if not better.any():
            break
        rows = active[better]
        cols = free[j[better]]
        z_next[rows] = z_try[better, j[better]]
        out[rows, cols] = -out[rows, cols]
        cur_err[rows] = err[better, j[better]]
    return out


def output_targets(y: np.ndarray, n_out: int) -> np.ndarray:
    """±1 targets ``(S, n_out)`` of the output layer: the label for one output, one-hot else."""
    if n_out == 1:
        return np.where(y == 1, 1, -1)[:, None]
    t = -np.ones((y.size, n_out), dtype=np.int64)
    t[np.arange(y.size), y] = 1
    return t


def layer_targets(
    shape: LayerShape,
    mats: list[np.ndarray],
    forward: tuple[list[np.ndarray], list[np.ndarray]],
    y: np.ndarray,
    keeps: list[np.ndarray | None],
    graded: bool = False,
    max_flips: int = 4,
) -> list[np.ndarray]:
    """Targets (±1, ``S x n_l``) of every layer ``l = 1..L`` (list index ``l - 1``).

    ``forward`` is ``(z, a)`` of :func:`~qubo_bnn.whole_network.layers.forward_layers` at the
    running weights ``mats``; ``keeps[l]`` the unit mask of layer ``l`` (``None``: all); the
    output layer gets :func:`output_targets`, each hidden layer, from the last backwards,
    :func:`hidden_targets` against the layer after it (``graded`` only against the output).
    """
    z, a = forward
    num_layers = shape.num_layers
    out: list[np.ndarray] = [np.empty(0)] * num_layers
    out[-1] = output_targets(y, shape.sizes[-1])
    goal: np.ndarray = y
    for layer in range(num_layers - 1, 0, -1):
        nxt = mats[layer]  # weights of layer+1, shape n_(l+1) x (n_l [+1])
        n_l = shape.sizes[layer]
        w_next, b_next = nxt[:, :n_l], (nxt[:, n_l] if shape.bias[layer + 1] else None)
        is_output = layer + 1 == num_layers
        out[layer - 1] = hidden_targets(
            a[layer], z[layer - 1], w_next, b_next, goal, keeps[layer],
            graded=graded and is_output, max_flips=max_flips,
        )
        goal = out[layer - 1]
    return out
