"""The per-unit weight QUBO of the unit-wise scheme (fan-in sized, any number of samples).

For one unit with ±1 weights ``w`` (length ``n``: its fan-in, plus one for a bias), inputs
``x_s`` (±1, the previous layer's activations, a constant +1 column for the bias), a target
``t_s`` (±1) and a weight ``c_s >= 0`` per sample, the energy is

    E(w) = (1 / sum c) * sum_s c_s (t_s w.x_s - m)^2  -  sum_i p_i w_i

the least-squares relaxation of the exact sign constraint "t_s (w.x_s) >= 1" of DESIGN.md 6.1
(slack dropped, target pre-activation ``m``) plus linear pulls ``p`` (toward the running
weights and toward dropout subnetwork weights). Expanding with ``w_i^2 = 1``:

    J_ik = 2 G_ik (i < k),  h_i = -2 m r_i - p_i,  offset = trace(G) + m^2

with ``G = X^T diag(c) X / sum c`` (the weighted Gram matrix) and ``r = X^T (c t) / sum c``. The
margin regulariser of DESIGN.md 6.2, ``-mu sum_s a_s z_s``, with the activation fixed to its
target ``a_s = t_s``, is the linear term ``-mu r.w`` (per sample), i.e. it moves ``m`` to
``m + mu/2``. Coupling size is the fan-in squared; the number of samples only enters through
``G`` and ``r``, so the QUBO does not grow with the training set.
"""

from __future__ import annotations

import dimod
import numpy as np

from qubo_bnn.sampling import block_union


def unit_ising(
    inputs: np.ndarray,
    targets: np.ndarray,
    sample_weight: np.ndarray,
    margin: float,
    pull: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """``(h, J, offset)`` of one unit's energy in spin form (``J`` strictly upper triangular).

    ``inputs`` ``(S, n)`` ±1, ``targets`` ``(S,)`` ±1, ``sample_weight`` ``(S,)`` >= 0 (not all
    zero), ``margin`` the target pre-activation ``m``, ``pull`` ``(n,)`` linear pulls ``p``.
    """
    x, c, total, gram = _weighted_gram(inputs, sample_weight)
    r = x.T @ (c * np.asarray(targets, dtype=np.float64)) / total
    h = _pulled(-2.0 * margin * r, pull)
    return h, np.triu(2.0 * gram, k=1), float(np.trace(gram) + margin**2)


def _weighted_gram(inputs: np.ndarray, sample_weight: np.ndarray):
    """``(X, c, sum c, G)`` as floats, ``G = X^T diag(c) X / sum c``; ``sum c`` must be > 0."""
    x = np.asarray(inputs, dtype=np.float64)
    c = np.asarray(sample_weight, dtype=np.float64)
    total = c.sum()
    if total <= 0:
        raise ValueError("sample_weight must have a positive sum")
    return x, c, total, (x * c[:, None]).T @ x / total


def _pulled(h: np.ndarray, pull: np.ndarray | None) -> np.ndarray:
    """``h - p`` (``h`` when there is no pull)."""
    return h if pull is None else h - np.asarray(pull, dtype=np.float64)


def spin_energy(
    h: np.ndarray, coupling: np.ndarray, offset: float, spins: np.ndarray
) -> np.ndarray:
    """Energies of rows of ``spins`` (``(R, n)`` ±1) under ``(h, J, offset)``."""
    s = np.asarray(spins, dtype=np.float64)
    return offset + s @ h + np.einsum("ri,ij,rj->r", s, coupling, s)


def spin_block(h: np.ndarray, coupling: np.ndarray, offset: float) -> dimod.BinaryQuadraticModel:
    """The SPIN BQM of one unit's ``(h, J, offset)``, variables ``0 .. n-1``."""
    r, c = np.nonzero(coupling)
    return dimod.BinaryQuadraticModel.from_numpy_vectors(
        h, (r, c, coupling[r, c]), offset, dimod.SPIN
    )


def block_bqm(blocks: list[tuple[np.ndarray, np.ndarray, float]]) -> dimod.BinaryQuadraticModel:
    """One BINARY BQM holding independent spin blocks side by side.

    Block ``b``'s spin ``i`` becomes variable ``start_b + i`` (integers, blocks in order, see
    :func:`~qubo_bnn.sampling.block_union`); spin ``s = 2q - 1`` for bit ``q``.
    """
    bqm = block_union([spin_block(*block) for block in blocks])
    bqm.change_vartype(dimod.BINARY, inplace=True)
    return bqm


def unit_ising_values(
    inputs: np.ndarray,
    values: np.ndarray,
    sample_weight: np.ndarray,
    pull: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """``(h, J, offset)`` of ``(1 / sum c) sum_s c_s (w.x_s - v_s)^2 - p.w`` in spin form.

    The same least-squares energy as :func:`unit_ising` with a real target pre-activation
    ``v_s`` per sample instead of ``t_s * m`` (used for the output units' class-margin targets):
    ``h = -2 X^T (c v) / sum c - p``, ``J = 2 G`` above the diagonal, offset
    ``trace(G) + sum c v^2 / sum c``.
    """
    x, c, total, gram = _weighted_gram(inputs, sample_weight)
    v = np.asarray(values, dtype=np.float64)
    h = _pulled(-2.0 * (x.T @ (c * v)) / total, pull)
    return h, np.triu(2.0 * gram, k=1), float(np.trace(gram) + np.sum(c * v * v) / total)
