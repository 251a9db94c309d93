"""Reference samplers: Metropolis simulated annealing and parallel tempering (numba, CPU).

Both are :class:`dimod.Sampler` subclasses built on :class:`emulators._core.EmulatorSampler`
(validation, timing, traces, energies re-scored on the original model). They model no
machine (``spec`` is ``None``), so ``info["timing"]["modelled_hardware_s"]`` is NaN.

Reads run in parallel over numba's threads (``numba.set_num_threads`` limits them); each read
has its own random stream seeded from ``seed``, so the samples do not depend on the number
of threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emulators._core import (
    EmulatorSampler,
    IsingArrays,
    KernelResult,
    check_choice,
    check_positive_int,
    kernel_seeds,
    run_chunked,
)
from emulators.annealing.kernels_cpu import anneal, fill_table, temper
from emulators.annealing.schedules import (
    SCHEDULE_TYPES,
    default_beta_range,
    make_schedule,
    parse_beta_range,
    parse_beta_schedule,
)
from emulators.annealing.storage import KernelModel, kernel_model

__all__ = ["ParallelTemperingSampler", "SimulatedAnnealingSampler"]

DEFAULT_NUM_SWEEPS = 1000


def _seed_states(rng: np.random.Generator, count: int) -> np.ndarray:
    return kernel_seeds(rng, count).view(np.uint64).copy()


class SimulatedAnnealingSampler(EmulatorSampler):
    """Metropolis single-spin-flip simulated annealing.

    Every sweep visits the spins in index order ``0..n-1`` and accepts a flip with probability
    ``min(1, exp(-beta dE))``; β follows the schedule, one value per sweep. Each read starts
    from its own state (uniformly random unless ``initial_states`` is given) and returns its
    *final* state.

    Keyword arguments of :meth:`sample` (besides the common ``num_reads`` (10), ``seed``,
    ``record_trace``, ``backend="cpu"``):

    ``num_sweeps``
        Number of sweeps (default 1000; with ``beta_schedule`` it must equal its length).
    ``beta_range``
        ``(beta_hot, beta_cold)``; default from the model's coefficients, see
        :func:`emulators.annealing.schedules.default_beta_range`.
    ``beta_schedule_type``
        ``"geometric"`` (default) or ``"linear"`` interpolation of ``beta_range``.
    ``beta_schedule``
        An explicit β per sweep (overrides the two above; not with ``beta_range``).
    ``initial_states``
        Start states (anything :func:`dimod.as_samples` reads, in the model's vartype).

    ``info`` gains ``beta_range``, ``beta_schedule_type``, ``num_sweeps`` and ``storage``
    (how the kernel held the model: layout, coupling/field dtypes, integer energy scale).
    With ``record_trace=True``, ``info["trace"]`` holds the lowest end-of-sweep energy per
    read at up to 64 checkpoints.
    """

    _kernel_parameters = {
        "num_sweeps": None,
        "beta_range": None,
        "beta_schedule_type": "geometric",
        "beta_schedule": None,
        "initial_states": None,
    }

    def _sample_arrays(
        self,
        arrays: IsingArrays,
        rng: np.random.Generator,
        *,
        num_reads: int,
        record_trace: bool,
        backend: str,
        scale: float,
        num_sweeps: Any,
        beta_range: Any,
        beta_schedule_type: Any,
        beta_schedule: Any,
        initial_states: np.ndarray,
    ) -> KernelResult:
        kind = check_choice("beta_schedule_type", beta_schedule_type, SCHEDULE_TYPES)
        explicit = parse_beta_schedule(beta_schedule)
        beta_range = parse_beta_range(beta_range)
        if explicit is not None:
            if beta_range is not None:
                raise ValueError("give either beta_schedule or beta_range, not both")
            if num_sweeps is not None and check_positive_int("num_sweeps", num_sweeps) \
                    != len(explicit):
                raise ValueError(f"num_sweeps ({num_sweeps}) differs from the length of "
                                 f"beta_schedule ({len(explicit)})")
            num_sweeps = len(explicit)
        else:
            num_sweeps = check_positive_int(
                "num_sweeps", DEFAULT_NUM_SWEEPS if num_sweeps is None else num_sweeps)

        model = kernel_model(arrays)
        if explicit is not None:
            betas = explicit
            kind = "custom"
            beta_range = (float(betas[0]), float(betas[-1]))
        else:
            if beta_range is None:
                beta_range = default_beta_range(model.max_field, model.smallest_coefficient)
            betas = make_schedule(beta_range, num_sweeps, kind)

        spins = np.ascontiguousarray(initial_states, dtype=np.int8).copy()
        fields = model.fields(spins)
        energy = model.energies(spins, fields)
        best = energy.copy()
        states = _seed_states(rng, num_reads)
        tables = np.zeros((num_reads, model.table_cap + 1))
        beta2s = 2.0 * betas / model.scale

        def advance(lo: int, hi: int) -> np.ndarray:
            anneal(*model.arrays(), spins, fields, energy, best, beta2s[lo:hi], states,
                   tables, model.table_cap)
            return model.to_model_units(best)

        trace = run_chunked(advance, num_sweeps, record=record_trace)
        info = {
            "beta_range": tuple(float(b) for b in beta_range),
            "beta_schedule_type": kind,
            "num_sweeps": num_sweeps,
            "storage": model.describe(),
        }
        return KernelResult(spins=spins, steps=num_sweeps, trace=trace, info=info)


class ParallelTemperingSampler(EmulatorSampler):
    """Replica-exchange Monte Carlo over a fixed β ladder.

    Each read is an independent run of ``num_replicas`` replicas, one per ladder β. Every
    sweep, each replica does one Metropolis sweep (the same kernel as
    :class:`SimulatedAnnealingSampler`) at its β; after every ``swap_interval``-th sweep,
    neighbouring ladder slots exchange replicas with probability
    ``min(1, exp((beta_k - beta_k+1)(E_k - E_k+1)))``, pairs ``(0,1), (1,2), …`` in turn.
    All replicas of a run start from the run's initial state (uniformly random unless
    ``initial_states`` is given). A read returns the *lowest-energy end-of-sweep state* seen
    by any replica of its run.

    Keyword arguments of :meth:`sample` (besides ``num_reads``, ``seed``, ``record_trace``,
    ``backend="cpu"``): ``num_sweeps`` (1000), ``num_replicas`` (16), ``beta_range``
    (``(beta_hot, beta_cold)``, default as for simulated annealing), ``ladder_type``
    (``"geometric"`` or ``"linear"``), ``betas`` (an explicit ladder, overrides the three
    before it except ``num_sweeps``), ``swap_interval`` (1), ``initial_states``.

    ``info`` gains ``betas`` (the ladder), ``swap_acceptance`` (per neighbouring pair, over all
    runs) and ``storage``.
    """

    _kernel_parameters = {
        "num_sweeps": DEFAULT_NUM_SWEEPS,
        "num_replicas": 16,
        "beta_range": None,
        "ladder_type": "geometric",
        "betas": None,
        "swap_interval": 1,
        "initial_states": None,
    }

    def _sample_arrays(
        self,
        arrays: IsingArrays,
        rng: np.random.Generator,
        *,
        num_reads: int,
        record_trace: bool,
        backend: str,
        scale: float,
        num_sweeps: Any,
        num_replicas: Any,
        beta_range: Any,
        ladder_type: Any,
        betas: Any,
        swap_interval: Any,
        initial_states: np.ndarray,
    ) -> KernelResult:
        num_sweeps = check_positive_int("num_sweeps", num_sweeps)
        swap_interval = check_positive_int("swap_interval", swap_interval)
        kind = check_choice("ladder_type", ladder_type, SCHEDULE_TYPES)
        ladder = parse_beta_schedule(betas)
        beta_range = parse_beta_range(beta_range)
        if ladder is not None:
            if beta_range is not None:
                raise ValueError("give either betas or beta_range, not both")
            num_replicas = len(ladder)
        else:
            num_replicas = check_positive_int("num_replicas", num_replicas)

        model = kernel_model(arrays)
        if ladder is None:
            if beta_range is None:
                beta_range = default_beta_range(model.max_field, model.smallest_coefficient)
            ladder = make_schedule(beta_range, num_replicas, kind)
        return self._run(model, ladder, rng, num_reads, num_sweeps, swap_interval,
                         record_trace, initial_states)

    @staticmethod
    def _run(
        model: KernelModel,
        ladder: np.ndarray,
        rng: np.random.Generator,
        num_reads: int,
        num_sweeps: int,
        swap_interval: int,
        record_trace: bool,
        initial_states: np.ndarray,
    ) -> KernelResult:
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
            temper(*model.arrays(), spins, fields, energy, beta2s, tables, tlens, perm, states,
                   best, best_spins, tried, done, lo, hi, swap_interval)
            return model.to_model_units(best)

        trace = run_chunked(advance, num_sweeps, record=record_trace)
        totals = tried.sum(axis=0)
        acceptance = np.divide(done.sum(axis=0), totals, out=np.zeros(len(totals)),
                               where=totals > 0)
        info = {
            "betas": ladder.tolist(),
            "swap_acceptance": acceptance.tolist(),
            "num_sweeps": num_sweeps,
            "storage": model.describe(),
        }
        return KernelResult(spins=best_spins, steps=num_sweeps, trace=trace, info=info)
