"""Runs the annealing kernels: β schedule or ladder from the model, kernel state, traces.

CPU only (numba). Dense or CSR storage, integer or float, is chosen by
:func:`~emulators.annealing.storage.kernel_model`; the scalar kernels of :mod:`.kernels_cpu`
take either form. Simulated annealing of a sparse model with integer storage runs on the
lanes kernel of :mod:`.kernels_lanes` instead (many reads per vector operation; see
:func:`lanes_fit`), which follows the same Metropolis rule with its own random streams.
A ``target_energy`` stops each read (run) once it reaches it (:mod:`emulators._core.target`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulators._core.arrays import IsingArrays
from emulators._core.sampler import KernelResult
from emulators._core.seeds import kernel_seeds
from emulators._core.target import EnergyTarget, TargetStop
from emulators._core.timing import run_chunked
from emulators.annealing.kernels_cpu import anneal as anneal_kernel
from emulators.annealing.kernels_cpu import fill_table
from emulators.annealing.kernels_cpu import temper as temper_kernel
from emulators.annealing.kernels_lanes import LANES, anneal_lanes, seed_lanes
from emulators.annealing.schedules import default_beta_range, make_schedule
from emulators.annealing.storage import KernelModel, kernel_model

__all__ = ["LANE_TABLE_LIMIT", "LadderPlan", "LaneAnnealer", "ScalarAnnealer", "SweepPlan",
           "anneal", "lanes_fit", "temper"]

#: Largest flip cost (kernel units) the lanes kernel's per-sweep threshold table covers.
LANE_TABLE_LIMIT = 1 << 16


@dataclass(frozen=True)
class SweepPlan:
    """A simulated-annealing schedule: ``betas`` (explicit) or ``kind`` over ``beta_range``
    (``None``: the default range of the model)."""

    num_sweeps: int
    kind: str
    beta_range: tuple[float, float] | None = None
    betas: np.ndarray | None = None


@dataclass(frozen=True)
class LadderPlan:
    """A parallel-tempering ladder: ``betas`` (explicit) or ``num_replicas`` rungs of ``kind``
    over ``beta_range`` (``None``: the default range), swaps every ``swap_interval`` sweeps."""

    num_sweeps: int
    num_replicas: int
    kind: str
    swap_interval: int
    beta_range: tuple[float, float] | None = None
    betas: np.ndarray | None = None


def _seed_states(rng: np.random.Generator, count: int) -> np.ndarray:
    return kernel_seeds(rng, count).view(np.uint64).copy()


def _betas(model: KernelModel, beta_range: tuple[float, float] | None, count: int,
           kind: str) -> tuple[np.ndarray, tuple[float, float]]:
    if beta_range is None:
        beta_range = default_beta_range(model.max_field, model.smallest_coefficient)
    return make_schedule(beta_range, count, kind), beta_range


def anneal(arrays: IsingArrays, rng: np.random.Generator, initial_states: np.ndarray,
           plan: SweepPlan, record_trace: bool, target_energy: EnergyTarget | None = None
           ) -> KernelResult:
    """Simulated annealing of every read from ``initial_states``; each returns its final state
    (the state in which it reached ``target_energy``, if given and reached)."""
    model = kernel_model(arrays)
    if plan.betas is not None:
        betas, kind = plan.betas, "custom"
        beta_range = (float(betas[0]), float(betas[-1]))
    else:
        betas, beta_range = _betas(model, plan.beta_range, plan.num_sweeps, plan.kind)
        kind = plan.kind
    num_reads = len(initial_states)
    states = _seed_states(rng, num_reads)
    beta2s = 2.0 * betas / model.scale
    stop = TargetStop(target_energy, num_reads, scale=model.scale, offset=model.offset)
    runner = LaneAnnealer if lanes_fit(model) else ScalarAnnealer
    kernel = runner(model, initial_states, states, stop)
    trace = run_chunked(lambda lo, hi: kernel.advance(beta2s, lo, hi), plan.num_sweeps,
                        record=record_trace, stop=stop)
    stops = stop.record(plan.num_sweeps)
    info = {
        "beta_range": tuple(float(b) for b in beta_range),
        "beta_schedule_type": kind,
        "num_sweeps": plan.num_sweeps,
        "storage": model.describe(),
        "kernel": kernel.name,
    }
    steps = plan.num_sweeps if stops is None else stops.steps_run
    return KernelResult(spins=kernel.spins(), steps=steps, trace=trace, info=info, stops=stops)


class ScalarAnnealer:
    """The state of :func:`~.kernels_cpu.anneal`, one read per row (dense models, float
    storage, and sparse models the lanes kernel does not take)."""

    name = "scalar"

    def __init__(self, model: KernelModel, initial_states: np.ndarray, seeds: np.ndarray,
                 stop: TargetStop) -> None:
        self.model = model
        self.spins_ = np.ascontiguousarray(initial_states, dtype=np.int8).copy()
        self.fields = model.fields(self.spins_)
        self.energy = model.energies(self.spins_, self.fields)
        self.best = self.energy.copy()
        self.states = seeds
        self.tables = np.zeros((len(self.spins_), model.table_cap + 1))
        self.stop = stop

    def advance(self, beta2s: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """Sweeps ``lo..hi-1``; the lowest end-of-sweep energy of each read (model units)."""
        args = (*self.model.arrays(), self.spins_, self.fields, self.energy, self.best,
                beta2s[lo:hi], self.states, self.tables, self.model.table_cap)
        if self.stop.enabled:
            anneal_kernel(*args, self.stop.steps, self.stop.threshold, lo)
        else:
            anneal_kernel(*args)
        return self.model.to_model_units(self.best)

    def spins(self) -> np.ndarray:
        return self.spins_


class LaneAnnealer:
    """The state of :func:`~.kernels_lanes.anneal_lanes`: reads as lanes of blocks of
    :data:`~.kernels_lanes.LANES` (sparse models with integer storage, see
    :func:`lanes_fit`)."""

    name = "lanes"

    def __init__(self, model: KernelModel, initial_states: np.ndarray, seeds: np.ndarray,
                 stop: TargetStop) -> None:
        self.model = model
        self.num_reads, n = initial_states.shape
        blocks = -(-self.num_reads // LANES)
        padded = np.ones((blocks * LANES, n), dtype=np.int8)
        padded[: self.num_reads] = initial_states
        fields = model.fields(padded)
        energy = model.energies(padded, fields)
        dtype = model.field_dtype

        def lanes(rows: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(rows.reshape(blocks, LANES, n).transpose(0, 2, 1),
                                        dtype=dtype)

        self.spins_ = lanes(padded)
        self.fields = lanes(fields)
        self.energy = np.ascontiguousarray(energy.reshape(blocks, LANES), dtype=np.int64)
        self.best = self.energy.copy()
        wide = 2.0 * n * model.field_bound >= 2**31
        self.delta = np.zeros((blocks, LANES), dtype=np.int64 if wide else np.int32)
        self.tables = np.zeros((blocks, int(model.field_bound) + 1), dtype=np.uint32)
        self.filled = np.full(blocks, int(model.field_bound), dtype=np.int64)
        self.states = seed_lanes(seeds.view(np.int64), blocks)
        self.draws = np.zeros((blocks, LANES), dtype=np.uint32)
        self.change = np.zeros((blocks, LANES), dtype=dtype)
        self.awake = np.zeros((blocks, LANES), dtype=np.int32)
        self.awake.ravel()[: self.num_reads] = 1
        self.stop_step = np.full((blocks, LANES), -1, dtype=np.int64)
        self.stop = stop
        self.indices = model.indices.astype(np.int32)

    def advance(self, beta2s: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """Sweeps ``lo..hi-1``; the lowest end-of-sweep energy of each read (model units)."""
        anneal_lanes(self.model.indptr, self.indices, self.model.data, self.spins_,
                     self.fields, self.energy, self.best, self.delta, beta2s[lo:hi],
                     self.tables, self.filled, self.states, self.draws, self.change,
                     self.awake, self.stop_step, self.stop.threshold, lo)
        self.stop.steps[:] = self.stop_step.ravel()[: self.num_reads]
        return self.model.to_model_units(self.best.ravel()[: self.num_reads])

    def spins(self) -> np.ndarray:
        n = self.spins_.shape[1]
        rows = self.spins_.transpose(0, 2, 1).reshape(-1, n)[: self.num_reads]
        return np.ascontiguousarray(rows, dtype=np.int8)


def lanes_fit(model: KernelModel) -> bool:
    """Whether :class:`LaneAnnealer` takes ``model``: sparse storage with integer couplings,
    fields that fit int32, and flip costs small enough for a per-sweep threshold table."""
    return (not model.dense and model.is_integer
            and model.field_dtype in (np.dtype(np.int16), np.dtype(np.int32))
            and model.field_bound <= LANE_TABLE_LIMIT)


def temper(arrays: IsingArrays, rng: np.random.Generator, initial_states: np.ndarray,
           plan: LadderPlan, record_trace: bool, target_energy: EnergyTarget | None = None
           ) -> KernelResult:
    """Parallel tempering of every run from ``initial_states``; each returns its best state
    (a run stops once that reaches ``target_energy``, if given)."""
    model = kernel_model(arrays)
    ladder = plan.betas
    if ladder is None:
        ladder, _ = _betas(model, plan.beta_range, plan.num_replicas, plan.kind)
    num_reads = len(initial_states)
    slots = len(ladder)
    n = model.num_variables
    start = np.ascontiguousarray(initial_states, dtype=np.int8)
    spins = np.ascontiguousarray(np.repeat(start[:, None, :], slots, axis=1))
    flat = spins.reshape(num_reads * slots, n)
    fields = model.fields(flat).reshape(num_reads, slots, n)
    energy = model.energies(flat, fields.reshape(num_reads * slots, n))
    energy = np.ascontiguousarray(energy.reshape(num_reads, slots))
    best = energy[:, 0].copy()
    best_spins = start.copy()
    perm = np.tile(np.arange(slots, dtype=np.int64), (num_reads, 1))
    states = _seed_states(rng, num_reads * (slots + 1)).reshape(num_reads, slots + 1)
    beta2s = 2.0 * ladder / model.scale
    tables = np.zeros((slots, model.table_cap + 1))
    tlens = np.array([fill_table(tables[k], beta2s[k], model.table_cap)
                      for k in range(slots)], dtype=np.int64)
    tried = np.zeros((num_reads, max(slots - 1, 0)), dtype=np.int64)
    done = np.zeros_like(tried)

    stop = TargetStop(target_energy, num_reads, scale=model.scale, offset=model.offset)
    args = (*model.arrays(), spins, fields, energy, beta2s, tables, tlens, perm, states, best,
            best_spins, tried, done)

    def advance(lo: int, hi: int) -> np.ndarray:
        if stop.enabled:
            temper_kernel(*args, lo, hi, plan.swap_interval, stop.steps, stop.threshold)
        else:
            temper_kernel(*args, lo, hi, plan.swap_interval)
        return model.to_model_units(best)

    trace = run_chunked(advance, plan.num_sweeps, record=record_trace, stop=stop)
    stops = stop.record(plan.num_sweeps)
    totals = tried.sum(axis=0)
    acceptance = np.divide(done.sum(axis=0), totals, out=np.zeros(len(totals)),
                           where=totals > 0)
    info = {
        "betas": ladder.tolist(),
        "swap_acceptance": acceptance.tolist(),
        "num_sweeps": plan.num_sweeps,
        "storage": model.describe(),
    }
    steps = plan.num_sweeps if stops is None else stops.steps_run
    return KernelResult(spins=best_spins, steps=steps, trace=trace, info=info, stops=stops)
