"""Numba kernels of the Digital Annealer emulator (CPU).

State lives in arrays owned by the caller, so a run can be advanced in chunks (for traces) and
sub-problems can be solved in place (decomposition). One row per run (or per replica):

* ``spins[r]`` (int8, ±1), ``fields[r]`` (float64, local fields ``h + J s``),
* ``energy[r]`` (float64, current energy), ``offset[r]`` (dynamic offset E_off),
* ``best_energy[r]`` / ``best_spins[r]`` (lowest energy seen and its state),
* ``rng_state[r]`` (uint64 state of a SplitMix64 generator private to the row, so results do
  not depend on how rows are spread over threads).

Couplings are given either densely (``dense``, ``(n, n)``, zero diagonal) or as CSR
(``indptr``, ``indices``, ``data``); ``is_dense`` picks which (the other may be empty). The
Python dispatchers take the state as :class:`RowState`, :class:`Couplings` and
:class:`Exchange` tuples and unpack them into the numba kernels.

One Monte Carlo step (:func:`_mc_step`), with ``dE_i = -2 s_i f_i``:

* ``trial="parallel"`` (the machine): every bit is tried with acceptance probability
  ``p_i = min(1, exp(-(dE_i - E_off) / T))``; among the accepted bits one is chosen uniformly at
  random. Each bit draws one uniform ``u_i`` and is accepted iff ``u_i < p_i``; given
  acceptance, ``u_i / p_i`` is uniform on [0, 1) and independent across bits, so the accepted
  bit with the smallest ``u_i / p_i`` is a uniform choice among the accepted ones (one random
  number per bit, no list of accepted bits). Bits with ``(dE_i - E_off) / T > 42`` are always
  rejected: their ``p_i < 2^-60`` is below the resolution of a 53-bit uniform. ``exp`` is a
  branch-free polynomial (relative error < 2e-9) so the loop over bits vectorises.
* ``trial="single"`` (for comparison, not a machine mode): one bit chosen uniformly at random
  is tried with the same rule.

If a bit is accepted it is flipped, all local fields are updated (O(n) dense, O(degree) CSR)
and E_off is reset to 0; otherwise E_off grows by ``offset_rate``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numba import njit, prange

from emulators._core.target import NO_THRESHOLD
from emulators._core.threads import numba_threads

__all__ = [
    "Couplings",
    "Exchange",
    "RowState",
    "anneal",
    "couplings_of",
    "decay_for_end",
    "replica_exchange_rounds",
    "row_state",
    "seed_states",
    "temperature_schedule",
]

#: Above this value of ``(dE - E_off) / T`` a trial is rejected without drawing a number.
REJECT_ABOVE = 42.0

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53
_C3, _C4, _C5, _C6, _C7 = 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040
_C8, _C9, _C10, _C11 = 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800
#: Least work (trial flips in one call) worth starting parallel threads for.
PARALLEL_MIN_WORK = 2_000_000
#: An interval so long that a row keeps one temperature (replica exchange).
_ONE_TEMPERATURE = 1 << 62


@njit(cache=True, inline="always")
def _mix(z):
    """SplitMix64 output function of a counter value ``z``: uniform on [0, 1) (53 bits)."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(11)) * _TO_UNIT


@njit(cache=True, inline="always")
def _uniform(state):
    """One SplitMix64 step: ``(new_state, u)`` with ``u`` uniform on [0, 1) (53 bits)."""
    state = state + _GOLDEN
    return state, _mix(state)


def seed_states(seeds: np.ndarray) -> np.ndarray:
    """uint64 generator states from int64 seeds (one per row)."""
    return np.asarray(seeds, dtype=np.int64).view(np.uint64).copy()


@njit(cache=True, inline="always")
def _flip(k, s, f, dense, indptr, indices, data, is_dense):
    """Flip spin ``k`` of row ``s`` and update the local fields ``f``."""
    delta = -2.0 * s[k]
    if is_dense:
        row = dense[k]
        for j in range(f.shape[0]):
            f[j] += delta * row[j]
    else:
        for idx in range(indptr[k], indptr[k + 1]):
            f[indices[idx]] += delta * data[idx]
    s[k] = -s[k]


@njit(cache=True, inline="always")
def _exp_neg(x):
    """``exp(-x)`` for ``0 <= x <= REJECT_ABOVE`` as ``(Taylor_11(-x/64))^64``.

    Branch-free so that the loop over bits vectorises (numba has no vector ``exp`` without
    SVML); the relative error is below 2e-9 on the whole range.
    """
    z = -x * (1.0 / 64.0)
    p = 1.0 + z * (1.0 + z * (0.5 + z * (_C3 + z * (_C4 + z * (_C5 + z * (_C6 + z * (
        _C7 + z * (_C8 + z * (_C9 + z * (_C10 + z * _C11))))))))))
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    return p * p


@njit(cache=True, inline="always")
def _choose(s, f, beta, off, state, single, keys):
    """Pick the bit to flip in one step: ``(state, k)`` with ``k = -1`` when none accepted.

    Parallel trial: bit ``i`` uses the counter ``state + (i + 1) * golden`` (the SplitMix64
    sequence, drawn for every bit so the loop has no branch and vectorises); the state then
    advances by ``n`` draws. ``keys`` is scratch space of length ``n``.
    """
    n = s.shape[0]
    if single:
        state, u = _uniform(state)
        i = min(int(u * n), n - 1)
        x = (-2.0 * s[i] * f[i] - off) * beta
        if x <= 0.0:
            return state, i
        if x > REJECT_ABOVE:
            return state, -1
        state, u = _uniform(state)
        if u < _exp_neg(x):
            return state, i
        return state, -1
    for i in range(n):
        x = (-2.0 * s[i] * f[i] - off) * beta
        u = _mix(state + np.uint64(i + 1) * _GOLDEN)
        xc = min(max(x, 0.0), REJECT_ABOVE)
        p = _exp_neg(xc)
        keys[i] = u / p if (u < p) & (x <= REJECT_ABOVE) else 2.0
    state = state + np.uint64(n) * _GOLDEN
    k = np.argmin(keys)
    if keys[k] < 2.0:
        return state, k
    return state, -1


@njit(cache=True, inline="always")
def _run_steps(r, t0, t1, temps, interval, offset_rate, single, threshold, spins, fields,
               energy, offset, best_energy, best_spins, rng_state, stop_step, dense, indptr,
               indices, data, is_dense):
    """Advance row ``r`` over steps ``t0..t1-1`` (temperature ``temps[t // interval]``).

    A row whose best energy is ``<= threshold`` stops (``stop_step[r]`` records the steps
    it ran); a stopped row is left as it is.
    """
    if stop_step[r] >= 0:
        return
    if best_energy[r] <= threshold:
        stop_step[r] = t0
        return
    s = spins[r]
    f = fields[r]
    state = rng_state[r]
    keys = np.empty(s.shape[0])
    e = energy[r]
    off = offset[r]
    best = best_energy[r]
    for t in range(t0, t1):
        beta = 1.0 / temps[t // interval]
        state, k = _choose(s, f, beta, off, state, single, keys)
        if k < 0:
            off += offset_rate
            continue
        e += -2.0 * s[k] * f[k]
        _flip(k, s, f, dense, indptr, indices, data, is_dense)
        off = 0.0
        if e < best:
            best = e
            best_spins[r, :] = s
            if best <= threshold:
                stop_step[r] = t + 1
                break
    rng_state[r] = state
    energy[r] = e
    offset[r] = off
    best_energy[r] = best


@njit(cache=True, parallel=True, fastmath=True)
def _anneal_parallel(t0, t1, temps, interval, offset_rate, single, spins, fields, energy,
                     offset, best_energy, best_spins, rng_state, dense, indptr, indices, data,
                     is_dense, threshold=NO_THRESHOLD, stop_step=None):
    stops = _stops_or_running(stop_step, spins.shape[0])
    for r in prange(spins.shape[0]):
        _run_steps(r, t0, t1, temps, interval, offset_rate, single, threshold, spins, fields,
                   energy, offset, best_energy, best_spins, rng_state, stops, dense, indptr,
                   indices, data, is_dense)


@njit(cache=True, inline="always")
def _stops_or_running(stop_step, rows):
    """``stop_step``, or (when ``None``) a fresh array of ``rows`` running rows."""
    if stop_step is None:
        return np.full(rows, -1, dtype=np.int64)
    return stop_step


def _on_threads(shared: bool, kernel: Any, *args: Any) -> None:
    """Run the ``prange`` kernel on numba's threads, or on one thread when ``shared`` is false
    (too little work to share; rows are independent, so the result is the same)."""
    with numba_threads(shared):
        kernel(*args)


class RowState(NamedTuple):
    """Per-row kernel state (see the module docstring); every array is updated in place.

    ``stop_step`` (``-1`` while a row runs) records when a row reached the target energy.
    """

    spins: np.ndarray
    fields: np.ndarray
    energy: np.ndarray
    offset: np.ndarray
    best_energy: np.ndarray
    best_spins: np.ndarray
    rng_state: np.ndarray
    stop_step: np.ndarray | None = None


class Couplings(NamedTuple):
    """The couplings: ``dense`` when ``is_dense``, else the CSR triple (the other is a dummy)."""

    dense: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    is_dense: bool


class Exchange(NamedTuple):
    """Replica-exchange state (see :func:`replica_exchange_rounds`), updated in place."""

    row_temp: np.ndarray
    perm: np.ndarray
    swap_state: np.ndarray
    accepted: np.ndarray
    attempted: np.ndarray


def row_state(spins: np.ndarray, fields: np.ndarray, energy: np.ndarray,
              seeds: np.ndarray) -> RowState:
    """Fresh kernel state from copies of the given rows (offsets 0, best = current, no row
    stopped)."""
    return RowState(
        spins=np.array(spins, dtype=np.int8),
        fields=np.array(fields, dtype=np.float64),
        energy=np.array(energy, dtype=np.float64),
        offset=np.zeros(len(spins)),
        best_energy=np.array(energy, dtype=np.float64),
        best_spins=np.array(spins, dtype=np.int8),
        rng_state=seed_states(seeds),
        stop_step=np.full(len(spins), -1, dtype=np.int64),
    )


def couplings_of(arrays: Any) -> Couplings:
    """The :class:`Couplings` of an :class:`~emulators._core.arrays.IsingArrays`."""
    empty_i = np.zeros(1, dtype=np.int64)
    if arrays.is_dense:
        return Couplings(arrays.dense, empty_i, empty_i, np.zeros(1), True)
    return Couplings(np.zeros((1, 1)), arrays.indptr, arrays.indices, arrays.data, False)


def anneal(state: RowState, couplings: Couplings, t0: int, t1: int, temps: np.ndarray,
           interval: int, offset_rate: float, single: bool,
           threshold: float = NO_THRESHOLD) -> None:
    """Annealing mode: advance every row (run) over steps ``t0..t1-1`` in place.

    ``temps[k]`` is the temperature of the ``k``-th interval of ``interval`` steps (in the
    kernel's energy units). Rows run in parallel threads when there is enough work
    (:data:`PARALLEL_MIN_WORK` trial flips); each row has its own generator, so the result
    does not depend on the thread count. A row stops once its best energy is ``<=
    threshold`` (``state.stop_step``).
    """
    rows, n = state.spins.shape
    _on_threads(rows > 1 and rows * n * (t1 - t0) >= PARALLEL_MIN_WORK, _anneal_parallel,
                t0, t1, temps, interval, offset_rate, single, *state[:-1], *couplings,
                threshold, state.stop_step)


@njit(cache=True, inline="always")
def _exchange_run(r, round0, round1, exchange_interval, offset_rate, single, threshold,
                  row_temp, perm, swap_state, accepted, attempted, spins, fields, energy,
                  offset, best_energy, best_spins, rng_state, stop_step, dense, indptr,
                  indices, data, is_dense):
    """Rounds ``round0..round1-1`` of run ``r`` (see :func:`replica_exchange_rounds`)."""
    replicas = perm.shape[1]
    state = swap_state[r]
    for rnd in range(round0, round1):
        t0 = rnd * exchange_interval
        stopped = False
        for k in range(replicas):
            q = perm[r, k]
            _run_steps(q, t0, t0 + exchange_interval, row_temp[q], _ONE_TEMPERATURE,
                       offset_rate, single, threshold, spins, fields, energy, offset,
                       best_energy, best_spins, rng_state, stop_step, dense, indptr, indices,
                       data, is_dense)
            stopped = stopped or stop_step[q] >= 0
        if stopped:
            break
        for k in range(rnd % 2, replicas - 1, 2):
            a = perm[r, k]
            b = perm[r, k + 1]
            ta = row_temp[a][0]
            tb = row_temp[b][0]
            x = (1.0 / ta - 1.0 / tb) * (energy[a] - energy[b])
            attempted[r, k] += 1
            ok = x >= 0.0
            if not ok:
                state, u = _uniform(state)
                ok = u < np.exp(x)
            if ok:
                accepted[r, k] += 1
                perm[r, k] = b
                perm[r, k + 1] = a
                row_temp[a][0] = tb
                row_temp[b][0] = ta
    swap_state[r] = state


@njit(cache=True, parallel=True, fastmath=True)
def _exchange_parallel(round0, round1, exchange_interval, offset_rate, single, row_temp, perm,
                       swap_state, accepted, attempted, spins, fields, energy, offset,
                       best_energy, best_spins, rng_state, dense, indptr, indices, data,
                       is_dense, threshold=NO_THRESHOLD, stop_step=None):
    stops = _stops_or_running(stop_step, spins.shape[0])
    for r in prange(perm.shape[0]):
        if not _run_stopped(perm, stops, r):
            _exchange_run(r, round0, round1, exchange_interval, offset_rate, single,
                          threshold, row_temp, perm, swap_state, accepted, attempted, spins,
                          fields, energy, offset, best_energy, best_spins, rng_state, stops,
                          dense, indptr, indices, data, is_dense)


@njit(cache=True, inline="always")
def _run_stopped(perm, stop_step, r):
    """Whether a replica of run ``r`` has stopped (then the whole run has)."""
    for k in range(perm.shape[1]):
        if stop_step[perm[r, k]] >= 0:
            return True
    return False


def replica_exchange_rounds(state: RowState, couplings: Couplings, exchange: Exchange,
                            round0: int, round1: int, exchange_interval: int,
                            offset_rate: float, single: bool,
                            threshold: float = NO_THRESHOLD) -> None:
    """Replica-exchange mode: rounds ``round0..round1-1`` of (steps, then neighbour swaps).

    Rows are ``runs * replicas`` replicas; ``exchange.perm[r, k]`` is the row of run ``r`` at
    ladder slot ``k`` (slot 0 hottest) and ``exchange.row_temp[row, 0]`` that row's current
    temperature (``(rows, 1)``: each row's one-entry schedule for :func:`_run_steps`). Each
    round every replica takes ``exchange_interval`` parallel-trial steps at its temperature,
    then the run tries swaps of neighbouring slots ``(k, k+1)`` with ``k`` even in even rounds
    and odd in odd rounds, accepted with ``min(1, exp((1/T_k - 1/T_(k+1)) (E_k - E_(k+1))))``;
    a swap exchanges the temperatures of the two rows. ``exchange.accepted``/``attempted``
    (``(runs, replicas - 1)``) count swaps per pair; ``exchange.swap_state`` holds one
    generator per run. Runs advance in parallel threads (one parallel region per call) when
    there is enough work. A run stops (no more steps or swaps) once a replica's best energy
    is ``<= threshold``: that replica's ``state.stop_step`` records the step.
    """
    runs, replicas = exchange.perm.shape
    work = runs * replicas * state.spins.shape[1] * (round1 - round0) * exchange_interval
    _on_threads(runs > 1 and work >= PARALLEL_MIN_WORK, _exchange_parallel,
                round0, round1, exchange_interval, offset_rate, single, *exchange, *state[:-1],
                *couplings, threshold, state.stop_step)


@njit(cache=True)
def _inverse_end(t0, d, updates, power):
    """Temperature after ``updates`` steps of ``T <- T (1 - d T^power)``."""
    t = t0
    for _ in range(updates):
        t = t * (1.0 - d * t**power)
    return t


@njit(cache=True)
def temperature_schedule(t_start, decay, updates, mode):
    """``updates + 1`` temperatures: mode 0 exponential ``T(1-d)``, 1 inverse ``T(1-dT)``,
    2 inverse-root ``T(1-dT^2)``."""
    out = np.empty(updates + 1)
    t = t_start
    out[0] = t
    for k in range(updates):
        if mode == 0:
            t = t * (1.0 - decay)
        elif mode == 1:
            t = t * (1.0 - decay * t)
        else:
            t = t * (1.0 - decay * t * t)
        out[k + 1] = t
    return out


@njit(cache=True)
def decay_for_end(t_start, t_end, updates, mode):
    """The decay ``d`` that takes ``t_start`` to ``t_end`` in ``updates`` updates (bisection
    for the inverse modes; closed form for the exponential one)."""
    if updates == 0:
        return 0.0
    if mode == 0:
        return 1.0 - (t_end / t_start) ** (1.0 / updates)
    power = 1 if mode == 1 else 2
    lo = 0.0
    hi = 1.0 / t_start**power  # the largest decay that keeps T positive
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _inverse_end(t_start, mid, updates, power) > t_end:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
