"""Reference samplers: Metropolis simulated annealing and parallel tempering (numba, CPU).

Both are :class:`dimod.Sampler` subclasses built on
:class:`~emulators._core.sampler.EmulatorSampler` (keyword checks, timing, traces, energies
re-scored on the original model). They model no machine (``spec`` is ``None``), so
``info["timing"]["modelled_hardware_s"]`` is NaN.

Reads run in parallel over numba's threads (``numba.set_num_threads`` limits them); each read
has its own random stream seeded from ``seed``, so the samples do not depend on the number
of threads.
"""

from __future__ import annotations

from typing import Any

import dimod
import numpy as np

from emulators._core.arrays import IsingArrays
from emulators._core.keywords import integer, one_of, optional
from emulators._core.sampler import EmulatorSampler, KernelResult
from emulators._core.target import EnergyTarget
from emulators.annealing import engine
from emulators.annealing.schedules import SCHEDULE_TYPES, parse_beta_range, parse_beta_schedule

__all__ = ["DEFAULT_NUM_SWEEPS", "ParallelTemperingSampler", "SimulatedAnnealingSampler"]

DEFAULT_NUM_SWEEPS = 1000


def _beta_range(_: str, value: Any) -> tuple[float, float] | None:
    return parse_beta_range(value)


def _beta_schedule(_: str, value: Any) -> np.ndarray | None:
    return parse_beta_schedule(value)


class SimulatedAnnealingSampler(EmulatorSampler):
    """Metropolis single-spin-flip simulated annealing.

    Every sweep visits the spins in index order ``0..n-1`` and accepts a flip with probability
    ``min(1, exp(-beta dE))``; β follows the schedule, one value per sweep. Each read starts
    from its own state (uniformly random unless ``initial_states`` is given) and returns its
    *final* state. The keywords are those of :meth:`sample`.
    """

    keyword_checks = {
        "num_sweeps": optional(integer()),
        "beta_range": _beta_range,
        "beta_schedule_type": one_of(*SCHEDULE_TYPES),
        "beta_schedule": _beta_schedule,
    }

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        num_reads: int = 10,
        seed: int | None = None,
        record_trace: bool = False,
        backend: str = "cpu",
        num_sweeps: int | None = None,
        beta_range: tuple[float, float] | None = None,
        beta_schedule_type: str = "geometric",
        beta_schedule: Any = None,
        initial_states: Any = None,
        target_energy: float | None = None,
    ) -> dimod.SampleSet:
        """Sample ``bqm`` by simulated annealing.

        Args:
            bqm:
                Binary quadratic model (SPIN or BINARY). Samples come back in its vartype,
                with its energies.
            num_reads:
                Number of independent reads (runs); each returns its final state.
            seed:
                Seed of every random choice; the same seed gives the same samples. ``None``
                draws one, reported in ``info["seed"]``.
            record_trace:
                If True, ``info["trace"]`` holds the lowest end-of-sweep energy of each read
                at up to 64 checkpoints (against sweeps and wall seconds).
            backend:
                ``"cpu"`` (numba), the only backend of this sampler.
            num_sweeps:
                Number of sweeps. Defaults to 1000, or to the length of ``beta_schedule``
                (which it must then equal).
            beta_range:
                ``(beta_hot, beta_cold)`` interpolated by ``beta_schedule_type``. Defaults to
                the model's range, see
                :func:`~emulators.annealing.schedules.default_beta_range`.
            beta_schedule_type:
                ``"geometric"`` or ``"linear"`` interpolation of ``beta_range``.
            beta_schedule:
                An explicit β per sweep (non-negative); overrides ``beta_schedule_type`` and
                cannot be given with ``beta_range``.
            initial_states:
                Start states (anything :func:`dimod.as_samples` reads, in the model's
                vartype); fewer than ``num_reads`` are tiled. Default: uniformly random.
            target_energy:
                Stop each read at the end of the first sweep after which its energy (your
                model's units) is at most this (plus ``1e-9 * max(1, |target|)``); it then
                returns that state. ``None`` (default): every read runs all sweeps.

        Returns:
            A :class:`dimod.SampleSet` with one sample per read. ``info`` holds ``seed``,
            ``backend``, ``beta_range``, ``beta_schedule_type``, ``num_sweeps``, ``storage``
            (how the kernel held the model: layout, coupling/field dtypes, integer energy
            scale), ``kernel`` (``"lanes"``: sparse integer models, many reads per vector
            operation; ``"scalar"``: one read at a time), ``timing`` (preprocessing,
            sampling and postprocessing ns; ``modelled_hardware_s`` is NaN) and, with
            ``record_trace``, ``trace``. With ``target_energy`` the data vectors
            ``stop_step`` (sweeps each read ran) and ``stop_seconds`` (wall seconds from the
            start of the kernel run until it stopped; both are the whole run for a read
            that never reached the target).

        Examples:
            >>> import dimod
            >>> from emulators import SimulatedAnnealingSampler
            >>> bqm = dimod.BQM.from_ising({"a": 0.5}, {("a", "b"): -1.0})
            >>> ss = SimulatedAnnealingSampler().sample(bqm, num_reads=4, num_sweeps=100,
            ...                                         seed=1)
            >>> print(ss.first.energy)
            -1.5
        """
        return self._sample(bqm, locals())

    def _resolve_keywords(self, params: dict[str, Any]) -> dict[str, Any]:
        explicit = params.pop("beta_schedule")
        beta_range = params.pop("beta_range")
        num_sweeps = params.pop("num_sweeps")
        if explicit is not None:
            if beta_range is not None:
                raise ValueError("give either beta_schedule or beta_range, not both")
            if num_sweeps is not None and num_sweeps != len(explicit):
                raise ValueError(f"num_sweeps ({num_sweeps}) differs from the length of "
                                 f"beta_schedule ({len(explicit)})")
            num_sweeps = len(explicit)
        elif num_sweeps is None:
            num_sweeps = DEFAULT_NUM_SWEEPS
        params["plan"] = engine.SweepPlan(num_sweeps, params.pop("beta_schedule_type"),
                                          beta_range, explicit)
        return params

    def _sample_arrays(self, arrays: IsingArrays, rng: np.random.Generator, *, num_reads: int,
                       record_trace: bool, backend: str, scale: float, plan: engine.SweepPlan,
                       initial_states: np.ndarray, target_energy: EnergyTarget | None
                       ) -> KernelResult:
        return engine.anneal(arrays, rng, initial_states, plan, record_trace, target_energy)


class ParallelTemperingSampler(EmulatorSampler):
    """Replica-exchange Monte Carlo over a fixed β ladder.

    Each read is an independent run of ``num_replicas`` replicas, one per ladder β. Every
    sweep, each replica does one Metropolis sweep (the same kernel as
    :class:`SimulatedAnnealingSampler`) at its β; after every ``swap_interval``-th sweep,
    neighbouring ladder slots exchange replicas with probability
    ``min(1, exp((beta_k - beta_k+1)(E_k - E_k+1)))``, pairs ``(0,1), (1,2), …`` in turn.
    All replicas of a run start from the run's initial state. A read returns the
    *lowest-energy end-of-sweep state* seen by any replica of its run. The keywords are those
    of :meth:`sample`.
    """

    keyword_checks = {
        "num_sweeps": integer(),
        "num_replicas": integer(),
        "beta_range": _beta_range,
        "ladder_type": one_of(*SCHEDULE_TYPES),
        "betas": _beta_schedule,
        "swap_interval": integer(),
    }

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        num_reads: int = 10,
        seed: int | None = None,
        record_trace: bool = False,
        backend: str = "cpu",
        num_sweeps: int = DEFAULT_NUM_SWEEPS,
        num_replicas: int = 16,
        beta_range: tuple[float, float] | None = None,
        ladder_type: str = "geometric",
        betas: Any = None,
        swap_interval: int = 1,
        initial_states: Any = None,
        target_energy: float | None = None,
    ) -> dimod.SampleSet:
        """Sample ``bqm`` by parallel tempering (replica exchange).

        Args:
            bqm:
                Binary quadratic model (SPIN or BINARY). Samples come back in its vartype,
                with its energies.
            num_reads:
                Number of independent runs; each returns the best state its replicas saw.
            seed:
                Seed of every random choice; the same seed gives the same samples. ``None``
                draws one, reported in ``info["seed"]``.
            record_trace:
                If True, ``info["trace"]`` holds each run's lowest end-of-sweep energy at up
                to 64 checkpoints.
            backend:
                ``"cpu"`` (numba), the only backend of this sampler.
            num_sweeps:
                Metropolis sweeps of every replica.
            num_replicas:
                Replicas per run, one per rung of the ladder (ignored with ``betas``).
            beta_range:
                ``(beta_hot, beta_cold)``, the ends of the ladder. Defaults to the model's
                range, as for simulated annealing.
            ladder_type:
                ``"geometric"`` or ``"linear"`` spacing of the rungs.
            betas:
                An explicit ladder (one β per replica); overrides ``num_replicas``,
                ``beta_range`` (which cannot be given with it) and ``ladder_type``.
            swap_interval:
                Sweeps between rounds of neighbour swaps.
            initial_states:
                Start state of each run (anything :func:`dimod.as_samples` reads); every
                replica of a run starts from it. Default: uniformly random.
            target_energy:
                Stop each run (all its replicas) at the end of the first sweep after which
                its best energy (your model's units) is at most this (plus
                ``1e-9 * max(1, |target|)``); runs stop independently. ``None`` (default):
                every run does all sweeps.

        Returns:
            A :class:`dimod.SampleSet` with one sample per run. ``info`` holds ``seed``,
            ``backend``, ``betas`` (the ladder), ``swap_acceptance`` (per neighbouring pair,
            over all runs), ``num_sweeps``, ``storage``, ``timing`` and, with
            ``record_trace``, ``trace``. With ``target_energy`` the data vectors
            ``stop_step`` and ``stop_seconds`` say when each run stopped (as for
            :meth:`SimulatedAnnealingSampler.sample`).

        Examples:
            >>> import dimod
            >>> from emulators import ParallelTemperingSampler
            >>> bqm = dimod.BQM.from_ising({"a": 0.5}, {("a", "b"): -1.0})
            >>> ss = ParallelTemperingSampler().sample(bqm, num_reads=2, num_sweeps=50,
            ...                                        num_replicas=4, seed=1)
            >>> print(ss.first.energy)
            -1.5
        """
        return self._sample(bqm, locals())

    def _resolve_keywords(self, params: dict[str, Any]) -> dict[str, Any]:
        ladder = params.pop("betas")
        beta_range = params.pop("beta_range")
        num_replicas = params.pop("num_replicas")
        if ladder is not None:
            if beta_range is not None:
                raise ValueError("give either betas or beta_range, not both")
            num_replicas = len(ladder)
        params["plan"] = engine.LadderPlan(params.pop("num_sweeps"), num_replicas,
                                           params.pop("ladder_type"),
                                           params.pop("swap_interval"), beta_range, ladder)
        return params

    def _sample_arrays(self, arrays: IsingArrays, rng: np.random.Generator, *, num_reads: int,
                       record_trace: bool, backend: str, scale: float, plan: engine.LadderPlan,
                       initial_states: np.ndarray, target_energy: EnergyTarget | None
                       ) -> KernelResult:
        return engine.temper(arrays, rng, initial_states, plan, record_trace, target_energy)
