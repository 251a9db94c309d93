"""The margin regulariser of the whole-network BNN QUBO (DESIGN.md section 6.2).

``margin = mu`` in :func:`~qubo_bnn.whole_network.formulation.build_bnn_qubo` adds
``E_margin = -mu * sum_{s, j} a_sj * z_sj`` over every sample ``s`` and neuron ``j``, with
``a = 2 alpha - 1`` the activation and ``z`` the pre-activation written in the QUBO's bits
(linear), so the term is quadratic and adds no variables. At feasible assignments ``a z = |z|``
(``sign(0) = +1``), i.e. ``E_margin = -mu * sum |z|``: large pre-activation magnitudes are
rewarded. At infeasible bits ``|z_j| <= Zmax_j`` (see :func:`margin_bound`), and the builder
raises its exact penalty bound by ``mu * sum_j Zmax_j``.
"""

from __future__ import annotations

import numpy as np

from qubo_bnn.whole_network.network import BinaryNetwork

__all__ = ["margin_bound", "margin_terms"]


def margin_bound(network: BinaryNetwork, mu: float) -> float:
    """``mu * sum_j Zmax_j``: the largest change of the margin term for one sample.

    ``Zmax_j = 5 * (#neuron->j edges) + (#input->j edges) + [bias]`` bounds ``|z_j|`` at any
    bits (a neuron-edge product ``4u - 2w - 2 alpha + 1`` lies in [-3, 5] when ``u`` is free).
    """
    if mu == 0:
        return 0.0
    nn = network.edges[:, 0] >= network.n_inputs
    per_edge = np.where(nn, 5, 1)
    zmax = float(per_edge.sum()) + (network.n_neurons if network.has_bias else 0)
    return float(mu) * zmax


def margin_terms(z_idx, z_coef, z_const, mu, alpha_idx=None, alpha_const=None):
    """QUBO terms of ``-mu * a * z`` for one neuron over a batch of samples.

    ``z = z_const + sum_m z_coef[:, m] * q[z_idx[:, m]]`` (``(S, m)``, ``(S,)``); the
    activation is the bit ``alpha_idx`` (``(S,)``, ``a = 2 alpha - 1``) or, when ``alpha_idx``
    is ``None``, the constant bits ``alpha_const``. Returns
    ``(lin_idx, lin_val, q_row, q_col, q_val, offset)``.
    """
    z_idx = np.asarray(z_idx, dtype=np.int64)
    g = np.asarray(z_coef, dtype=np.float64)
    z0 = np.asarray(z_const, dtype=np.float64)
    mu = float(mu)
    if alpha_idx is None:
        a = 2.0 * np.asarray(alpha_const, dtype=np.float64) - 1.0
        lin_val = -mu * a[:, None] * g
        empty = np.zeros(0, np.int64)
        return z_idx.ravel(), lin_val.ravel(), empty, empty, np.zeros(0), float(-mu * (a @ z0))
    alpha_idx = np.asarray(alpha_idx, dtype=np.int64)
    # -mu (2 alpha - 1)(z0 + g.q) = -2 mu z0 alpha - 2 mu g (alpha q) + mu g q + mu z0
    lin_idx = np.concatenate([alpha_idx, z_idx.ravel()])
    lin_val = np.concatenate([-2.0 * mu * z0, mu * g.ravel()])
    q_row = np.broadcast_to(alpha_idx[:, None], z_idx.shape).ravel()
    return lin_idx, lin_val, q_row, z_idx.ravel(), (-2.0 * mu * g).ravel(), float(mu * z0.sum())
