"""Numba kernels for Metropolis simulated annealing and parallel tempering (CPU).

Model storage (see :mod:`emulators.annealing.storage`): the coupling matrix is either dense
(``J[i, j]``, C-contiguous, zero diagonal) or CSR (``indptr``/``indices``/``data`` with both
directions of each coupler). Every kernel takes both forms and a ``dense`` flag; the unused
form is a 1-element dummy of the same dtype. Coefficients are exact integers (int8/16/32,
fields int16/32/64) or float64, so the same code runs on both.

Conventions. ``f_i = h_i + sum_j J_ij s_j`` is the local field and ``e_i = -s_i f_i`` is
*half* the energy cost of flipping spin ``i`` (flip cost ``dE_i = 2 e_i``). A flip is accepted
when ``e_i <= 0`` (no random number drawn) and otherwise with probability
``exp(-beta2 * e_i)`` where ``beta2 = 2 * beta`` in kernel units. When ``beta2 * e_i > 37``
the acceptance probability is below ``2**-53``, the resolution of the uniform draws in
``(0, 1]``, so the flip is rejected without drawing — the result is identical to drawing.
For integer storage, ``exp(-beta2 * e)`` for small ``e`` comes from a table filled once per
sweep. An accepted flip updates the fields with one contiguous pass over row ``i`` (dense)
or over the neighbours of ``i`` (CSR).

Randomness: each read (and each replica) owns a SplitMix64 stream whose 64-bit state lives
in a ``uint64`` array, so results do not depend on how reads are spread over threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from emulators._core.target import NO_THRESHOLD

__all__ = ["anneal", "fill_table", "init_fields", "temper", "uniform"]

#: Above this ``beta2 * e`` the acceptance probability is below 2**-53 (never accepted).
EXP_CUTOFF = 37.0

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_ONE = np.uint64(1)
_INV2_53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def uniform(state):
    """Next SplitMix64 draw from ``state[0]`` as a float in ``(0, 1]`` (53-bit resolution)."""
    z = state[0] + _GOLDEN
    state[0] = z
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return float((z >> _S11) + _ONE) * _INV2_53


@njit(cache=True)
def fill_table(table, beta2, table_cap):
    """Fill ``table[e] = exp(-beta2 * e)`` for ``1 <= e < tlen`` and return ``tlen``.

    ``table_cap < 1`` (float storage) disables the table (``tlen = 0``).
    """
    if table_cap < 1:
        return 0
    last = table_cap
    if beta2 > 0.0:
        reach = EXP_CUTOFF / beta2
        if reach < last:
            last = int(reach)
    for e in range(1, last + 1):
        table[e] = math.exp(-beta2 * e)
    return last + 1


@njit(cache=True)
def _sweep(dense, J, indptr, indices, data, s, f, beta2, table, tlen, state):
    """One sequential Metropolis sweep over all spins; returns the energy change."""
    n = s.shape[0]
    delta = f[0] * 0
    for i in range(n):
        si = s[i]
        e = -si * f[i]
        if e > 0:
            if e < tlen:
                if uniform(state) >= table[int(e)]:
                    continue
            else:
                x = beta2 * e
                if x > EXP_CUTOFF:
                    continue
                if uniform(state) >= math.exp(-x):
                    continue
        c = -2 * si
        s[i] = -si
        if dense:
            row = J[i]
            for j in range(n):
                f[j] += c * row[j]
        else:
            for k in range(indptr[i], indptr[i + 1]):
                f[indices[k]] += c * data[k]
        delta += 2 * e
    return delta


@njit(cache=True, parallel=True)
def init_fields(dense, J, indptr, indices, data, h, spins, fields):
    """``fields[r] = h + J @ spins[r]`` for every read ``r`` (in the fields' dtype)."""
    reads, n = spins.shape
    for r in prange(reads):
        for i in range(n):
            acc = h[i]
            if dense:
                for j in range(n):
                    acc += J[i, j] * spins[r, j]
            else:
                for k in range(indptr[i], indptr[i + 1]):
                    acc += data[k] * spins[r, indices[k]]
            fields[r, i] = acc


@njit(cache=True, inline="always")
def _stopped_before(stop_step, r, energy, threshold, step):
    """Whether read (run) ``r`` has stopped, or stops now before sweep ``step`` because its
    energy is ``<= threshold`` (then ``stop_step[r] = step``)."""
    if stop_step[r] >= 0:
        return True
    if energy <= threshold:
        stop_step[r] = step
        return True
    return False


@njit(cache=True, parallel=True)
def anneal(dense, J, indptr, indices, data, spins, fields, energy, best, beta2s, states,
           tables, table_cap, stop_step=None, threshold=NO_THRESHOLD, first_step=0):
    """Run one sweep per entry of ``beta2s`` on every read (reads in parallel).

    ``spins``/``fields`` ``(reads, n)``, ``energy``/``best`` ``(reads,)`` (current and lowest
    end-of-sweep energy, kernel units), ``states`` ``(reads,)`` uint64, ``tables``
    ``(reads, table_cap + 1)`` scratch. All are updated in place.

    With ``stop_step`` (``(reads,)`` int64, ``-1`` for a running read) a read whose energy is
    ``<= threshold`` before a sweep or at its end stops: ``stop_step`` records ``first_step``
    plus the sweeps it ran, and stopped reads are skipped.
    """
    for r in prange(spins.shape[0]):
        if stop_step is not None:
            if _stopped_before(stop_step, r, energy[r], threshold, first_step):
                continue
        state = states[r:r + 1]
        s = spins[r]
        f = fields[r]
        table = tables[r]
        en = energy[r]
        low = best[r]
        for k in range(beta2s.shape[0]):
            beta2 = beta2s[k]
            tlen = fill_table(table, beta2, table_cap)
            en += _sweep(dense, J, indptr, indices, data, s, f, beta2, table, tlen, state)
            if en < low:
                low = en
            if stop_step is not None and en <= threshold:
                stop_step[r] = first_step + k + 1
                break
        energy[r] = en
        best[r] = low


@njit(cache=True, parallel=True)
def temper(dense, J, indptr, indices, data, spins, fields, energy, beta2s, tables, tlens,
           perm, states, best, best_spins, swaps_tried, swaps_done, start, stop,
           swap_interval, stop_step=None, threshold=NO_THRESHOLD):
    """Parallel tempering: sweeps ``start..stop-1`` of every run (runs in parallel).

    Per run ``r``: replica states ``spins[r, q]``/``fields[r, q]``/``energy[r, q]``;
    ``perm[r, k]`` is the replica at temperature slot ``k`` (``beta2s[k]``, increasing
    coldness is not required). After every ``swap_interval``-th sweep, neighbouring slots
    ``k, k+1`` (``k = 0..K-2`` in order) exchange replicas with probability
    ``min(1, exp((beta_k - beta_k+1) (E_k - E_k+1)))``. ``states[r, q]`` drives replica
    ``q``'s sweeps, ``states[r, K]`` the swaps. ``best[r]``/``best_spins[r]`` keep the
    lowest end-of-sweep energy and its state over all replicas.

    With ``stop_step`` (``(runs,)`` int64, ``-1`` for a running run) a run whose best energy
    is ``<= threshold`` stops (before the next sweep, or at the start) and records the
    sweeps it ran; stopped runs are skipped.
    """
    runs, num_slots, n = spins.shape
    for r in prange(runs):
        if stop_step is not None:
            if _stopped_before(stop_step, r, best[r], threshold, start):
                continue
        for t in range(start, stop):
            for k in range(num_slots):
                q = perm[r, k]
                energy[r, q] += _sweep(dense, J, indptr, indices, data, spins[r, q],
                                       fields[r, q], beta2s[k], tables[k], tlens[k],
                                       states[r, q:q + 1])
            for k in range(num_slots):
                q = perm[r, k]
                if energy[r, q] < best[r]:
                    best[r] = energy[r, q]
                    best_spins[r, :] = spins[r, q]
            if stop_step is not None and best[r] <= threshold:
                stop_step[r] = t + 1
                break
            if (t + 1) % swap_interval == 0:
                swap_state = states[r, num_slots:num_slots + 1]
                for k in range(num_slots - 1):
                    a = perm[r, k]
                    b = perm[r, k + 1]
                    x = 0.5 * (beta2s[k] - beta2s[k + 1]) * (energy[r, a] - energy[r, b])
                    swaps_tried[r, k] += 1
                    if x >= 0.0 or uniform(swap_state) < math.exp(x):
                        perm[r, k] = b
                        perm[r, k + 1] = a
                        swaps_done[r, k] += 1
