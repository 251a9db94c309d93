"""Runs the annealing kernels: β schedule or ladder from the model, kernel state, traces.

CPU only (numba). Dense or CSR storage, integer or float, is chosen by
:func:`~emulators.annealing.storage.kernel_model`; the kernels take either form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emulators._core.arrays import IsingArrays
from emulators._core.sampler import KernelResult
from emulators._core.seeds import kernel_seeds
from emulators._core.timing import run_chunked
from emulators.annealing.kernels_cpu import anneal as anneal_kernel
from emulators.annealing.kernels_cpu import fill_table
from emulators.annealing.kernels_cpu import temper as temper_kernel
from emulators.annealing.schedules import default_beta_range, make_schedule
from emulators.annealing.storage import KernelModel, kernel_model

__all__ = ["LadderPlan", "SweepPlan", "anneal", "temper"]


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
           plan: SweepPlan, record_trace: bool) -> KernelResult:
    """Simulated annealing of every read from ``initial_states``; each returns its final state."""
    model = kernel_model(arrays)
    if plan.betas is not None:
        betas, kind = plan.betas, "custom"
        beta_range = (float(betas[0]), float(betas[-1]))
    else:
        betas, beta_range = _betas(model, plan.beta_range, plan.num_sweeps, plan.kind)
        kind = plan.kind
    num_reads = len(initial_states)
    spins = np.ascontiguousarray(initial_states, dtype=np.int8).copy()
    fields = model.fields(spins)
    energy = model.energies(spins, fields)
    best = energy.copy()
    states = _seed_states(rng, num_reads)
    tables = np.zeros((num_reads, model.table_cap + 1))
    beta2s = 2.0 * betas / model.scale

    def advance(lo: int, hi: int) -> np.ndarray:
        anneal_kernel(*model.arrays(), spins, fields, energy, best, beta2s[lo:hi], states,
                      tables, model.table_cap)
        return model.to_model_units(best)

    trace = run_chunked(advance, plan.num_sweeps, record=record_trace)
    info = {
        "beta_range": tuple(float(b) for b in beta_range),
        "beta_schedule_type": kind,
        "num_sweeps": plan.num_sweeps,
        "storage": model.describe(),
    }
    return KernelResult(spins=spins, steps=plan.num_sweeps, trace=trace, info=info)


def temper(arrays: IsingArrays, rng: np.random.Generator, initial_states: np.ndarray,
           plan: LadderPlan, record_trace: bool) -> KernelResult:
    """Parallel tempering of every run from ``initial_states``; each returns its best state."""
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

    def advance(lo: int, hi: int) -> np.ndarray:
        temper_kernel(*model.arrays(), spins, fields, energy, beta2s, tables, tlens, perm,
                      states, best, best_spins, tried, done, lo, hi, plan.swap_interval)
        return model.to_model_units(best)

    trace = run_chunked(advance, plan.num_sweeps, record=record_trace)
    totals = tried.sum(axis=0)
    acceptance = np.divide(done.sum(axis=0), totals, out=np.zeros(len(totals)),
                           where=totals > 0)
    info = {
        "betas": ladder.tolist(),
        "swap_acceptance": acceptance.tolist(),
        "num_sweeps": plan.num_sweeps,
        "storage": model.describe(),
    }
    return KernelResult(spins=best_spins, steps=plan.num_sweeps, trace=trace, info=info)
