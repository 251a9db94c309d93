"""Decomposition of models larger than the machine: our model of the hybrid generation.

The third Digital Annealer generation takes models far larger than its annealing unit by
working with a host CPU; how it splits the work is not published. This module is **our model
of it**, not Fujitsu's algorithm: the variables are split at random into blocks of at most
``capacity`` bits; each block in turn is annealed on the unit with every other variable fixed
at its current value (the fixed neighbours enter the block's local fields as linear terms,
``f_B = h_B + J_(B,rest) s_rest + J_BB s_B``), and the block's best state replaces the current
one when it lowers the whole model's energy. A round is one pass over a fresh random split;
rounds repeat until a whole round improves no run (or ``max_rounds`` is reached).

Every run (read) keeps its own full state; the runs' sub-problems of one block are solved
together by the backend's annealing kernel.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from emulators._core.arrays import IsingArrays
from emulators._core.target import TargetStop
from emulators._core.timing import Trace

__all__ = ["BlockSolver", "DecompositionResult", "decompose"]

#: ``solve(block_arrays, spins_B, fields_B, energy) -> (best_spins_B, best_energy, steps)``;
#: ``block_arrays`` holds the block's couplings (``dense`` or CSR); ``fields_B`` already
#: contain the fixed variables' contributions and ``energy`` is the whole model's energy.
BlockSolver = Callable[[IsingArrays, np.ndarray, np.ndarray, np.ndarray],
                       tuple[np.ndarray, np.ndarray, int]]


@dataclass
class DecompositionResult:
    """Final spins, Monte Carlo steps per run in all sub-solves, rounds run, and a trace."""

    spins: np.ndarray
    steps: int
    rounds: int
    converged: bool
    trace: Trace | None


def _block_arrays(arrays: IsingArrays, block: np.ndarray) -> IsingArrays:
    """The couplings among ``block`` (``h`` is unused by the kernels and left at zero)."""
    labels = [arrays.labels[i] for i in block]
    h = np.zeros(len(block))
    if arrays.is_dense:
        return IsingArrays(labels, h, 0.0, dense=np.ascontiguousarray(arrays.dense[np.ix_(block,
                                                                                       block)]))
    sub = arrays.coupling_matrix()[block][:, block].tocsr()
    sub.sort_indices()
    return IsingArrays(labels, h, 0.0, indptr=sub.indptr.astype(np.int64),
                       indices=sub.indices.astype(np.int64), data=sub.data.astype(np.float64))


def _field_change(arrays: IsingArrays, block: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """``J[:, block] @ delta.T`` transposed: how the fields move when ``s_B`` changes by
    ``delta`` (``(runs, |B|)``)."""
    if arrays.is_dense:
        return delta @ arrays.dense[block]
    rows = arrays.coupling_matrix()[block]
    return np.asarray((sp.csr_matrix(delta) @ rows).todense())


def decompose(arrays: IsingArrays, spins: np.ndarray, capacity: int, solve: BlockSolver,
              rng: np.random.Generator, *, max_rounds: int, record_trace: bool,
              tolerance: float = 1e-9, stop: TargetStop | None = None) -> DecompositionResult:
    """Minimise ``arrays`` from ``spins`` (``(runs, n)``) by blocks of at most ``capacity``.

    ``tolerance`` (relative to the energy scale) is the least decrease counted as an
    improvement, so rounding noise cannot keep the loop going. With a target (``stop``) the
    whole model's energy of each run is checked after every block solve: a run that reached
    it keeps its state from then on (``stop.steps`` records the steps so far) and the loop
    ends once every run has.
    """
    stop = stop or TargetStop(None, len(spins))
    stop.begin()
    spins = np.array(spins, dtype=np.int8, copy=True)
    runs, n = spins.shape
    fields = arrays.local_fields(spins)
    energy = arrays.energies(spins)
    num_blocks = -(-n // capacity)
    eps = tolerance * max(1.0, float(np.abs(energy).max()))
    if stop.enabled:
        stop.steps[energy <= stop.threshold] = 0
        stop.attach(lambda: spins)  # rounded storage: checked on the original model
        stop.check_model(0)
    steps = 0
    marks, seconds, best = [], [], []
    start = time.perf_counter()
    converged = False
    rounds = 0
    while rounds < max_rounds and not stop.finished():
        rounds += 1
        improved_any = False
        for block in np.array_split(rng.permutation(n), num_blocks):
            block = np.sort(block)
            sub = _block_arrays(arrays, block)
            old = spins[:, block]
            new, new_energy, used = solve(sub, old.copy(), fields[:, block].copy(),
                                          energy.copy())
            steps += used
            better = (new_energy < energy - eps) & (stop.steps < 0)
            if better.any():
                improved_any = True
                delta = np.where(better[:, None], new.astype(np.float64) - old, 0.0)
                fields += _field_change(arrays, block, delta)
                spins[np.ix_(better, block)] = new[better]
                energy = np.where(better, arrays.energies(spins), energy)
            if record_trace:
                marks.append(steps)
                seconds.append(time.perf_counter() - start)
                best.append(energy.copy())
            if stop.enabled:
                stop.steps[(stop.steps < 0) & (energy <= stop.threshold)] = steps
                stop.mark(steps)
                if stop.finished():
                    break
        if not improved_any and not stop.finished():
            converged = True
            break
    trace = None
    if record_trace and best:
        trace = Trace(np.asarray(marks), np.asarray(seconds), np.stack(best, axis=1))
    return DecompositionResult(spins, steps, rounds, converged, trace)
