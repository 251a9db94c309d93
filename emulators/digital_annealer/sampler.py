"""The Digital Annealer emulator: a :class:`dimod.Sampler` (DESIGN.md section 5.1)."""

from __future__ import annotations

from typing import Any

import dimod
import numpy as np

from emulators._core.arrays import IsingArrays
from emulators._core.keywords import flag, integer, number, one_of, optional, sample_keywords
from emulators._core.sampler import EmulatorSampler, KernelResult
from emulators._core.target import EnergyTarget
from emulators.digital_annealer import engine
from emulators.digital_annealer.engine import (
    GPU_DENSE_LIMIT,
    LADDERS,
    MAX_TEMPERATURE_UPDATES,
    MODES,
    TEMPERATURE_MODES,
    TRIALS,
)
from emulators.digital_annealer.presets import PRESETS
from emulators.machine import MachineSpec, get_preset

__all__ = ["DigitalAnnealerSampler"]

#: The default of ``num_reads`` (and ``number_runs``) when neither is given.
DEFAULT_RUNS = 10
#: Keywords of annealing mode only.
_ANNEALING_ONLY = ("temperature_decay", "temperature_mode", "temperature_interval")


def _temperature_mode(name: str, value: Any) -> str:
    return one_of(*TEMPERATURE_MODES)(name, value.lower() if isinstance(value, str) else value)


def _decay(name: str, value: Any) -> float | None:
    if value is None:
        return None
    value = number(allow_zero=True)(name, value)
    if value >= 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


class DigitalAnnealerSampler(EmulatorSampler):
    """Emulator of the Fujitsu Digital Annealer (DA).

    The model is stored as the machine stores it (a QUBO scaled by one global factor onto the
    spec's signed integer grid and rounded; ``info["fit"]`` says what that cost) and all
    kernel work is done on that stored model; returned energies are re-scored on your model.
    The keywords of :meth:`sample` use the service's names where it has them.

    Args:
        spec:
            A preset name (``"DA1"``, ``"DA2"`` (default), ``"DA3"``), a
            :class:`~emulators.machine.MachineSpec` (see
            :func:`~emulators.digital_annealer.presets.user_spec`), or ``None`` (unlimited,
            unquantised).
    """

    backends = ("cpu", "gpu")
    keyword_checks = {
        "num_reads": optional(integer()),
        "number_runs": optional(integer()),
        "number_iterations": integer(maximum=2_000_000_000),
        "mode": one_of(*MODES),
        "temperature_start": optional(number()),
        "temperature_end": optional(number()),
        "temperature_mode": _temperature_mode,
        "temperature_decay": _decay,
        "temperature_interval": integer(),
        "offset_increase_rate": number(allow_zero=True),
        "number_replicas": integer(minimum=2),
        "temperature_ladder": one_of(*LADDERS),
        "replica_exchange_interval": integer(),
        "trial": one_of(*TRIALS),
        "decomposition": flag,
        "decomposition_max_rounds": integer(),
    }

    def __init__(self, spec: str | MachineSpec | None = "DA2") -> None:
        if isinstance(spec, str):
            spec = PRESETS.get(spec.upper()) or get_preset(spec)
        if spec is not None and not isinstance(spec, MachineSpec):
            raise TypeError(f"spec must be a preset name, a MachineSpec or None, got "
                            f"{type(spec).__name__}")
        self.spec = spec

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        num_reads: int | None = None,
        seed: int | None = None,
        record_trace: bool = False,
        backend: str = "cpu",
        number_runs: int | None = None,
        number_iterations: int = 10_000,
        mode: str = "annealing",
        temperature_start: float | None = None,
        temperature_end: float | None = None,
        temperature_mode: str = "exponential",
        temperature_decay: float | None = None,
        temperature_interval: int = 100,
        offset_increase_rate: float = 0.0,
        number_replicas: int = 26,
        temperature_ladder: str = "exponential",
        replica_exchange_interval: int = 100,
        trial: str = "parallel",
        decomposition: bool = False,
        decomposition_max_rounds: int = 10,
        initial_states: Any = None,
        target_energy: float | None = None,
    ) -> dimod.SampleSet:
        """Sample ``bqm`` on the emulated Digital Annealer.

        Args:
            bqm:
                Binary quadratic model (SPIN or BINARY); it is stored as a QUBO on the
                spec's grid. Samples come back in its vartype, with its energies.
            num_reads:
                Independent runs, each returning the best state it visited. Defaults to
                10 (or to ``number_runs``). The service allows 16-128 runs; the emulator
                takes any number >= 1.
            seed:
                Seed of every random choice; the same seed (and backend) gives the same
                samples. ``None`` draws one, reported in ``info["seed"]``.
            record_trace:
                If True, ``info["trace"]`` holds each run's best energy at up to 64
                checkpoints (model units).
            backend:
                ``"cpu"`` (numba) or ``"gpu"`` (cupy and a CUDA device; couplings stored
                densely, at most 32,768 variables).
            number_runs:
                The service's name of ``num_reads``: give one, or both equal.
            number_iterations:
                Monte Carlo steps per run (the service allows up to 2e9).
            mode:
                ``"annealing"`` (the machine's default) or ``"replica_exchange"``.
            temperature_start:
                Start temperature in the units of your model (the emulator multiplies by
                the scale factor). ``None`` chooses it so the median uphill flip of the
                initial states is accepted with probability 1/2 (our choice). In replica
                exchange, the hottest rung.
            temperature_end:
                End temperature (model units); ``None`` accepts the 1st-percentile uphill
                flip with probability 1/100 (our choice). In replica exchange, the coldest
                rung. Not with ``temperature_decay``.
            temperature_mode:
                ``"exponential"`` ``T <- T(1 - d)``, ``"inverse"`` ``T <- T(1 - dT)`` or
                ``"inverse_root"`` ``T <- T(1 - dT^2)`` (annealing mode; the service's
                upper-case names are accepted).
            temperature_decay:
                ``d`` in [0, 1) (0 keeps the temperature constant); for the inverse modes
                also ``d T_start < 1`` resp. ``d T_start^2 < 1`` (model units). ``None``
                chooses ``d`` so the schedule ends at ``temperature_end`` after
                ``number_iterations`` steps. Annealing mode only.
            temperature_interval:
                Steps between temperature updates (annealing mode only).
            offset_increase_rate:
                Growth of the dynamic offset per step without a flip (model units; 0
                switches the offset off).
            number_replicas:
                Replicas per run in replica exchange (>= 2; the service allows 26-128).
            temperature_ladder:
                ``"linear"`` (in T), ``"exponential"`` (geometric) or ``"adaptive"``:
                starts geometric and, during the first half of the rounds, is re-spaced
                8 times so that all neighbour pairs swap at the same rate (our rule: each
                gap in 1/T is multiplied by ``(a_k + 0.05) / (mean(a) + 0.05)`` and the
                gaps are rescaled to keep the ends fixed).
            replica_exchange_interval:
                Steps each replica takes between swap rounds; even and odd neighbour pairs
                alternate.
            trial:
                ``"parallel"`` (the machine) or ``"single"``: one random candidate bit per
                step, i.e. plain single-flip Metropolis in the same kernel (for
                comparisons; not a machine mode).
            decomposition:
                ``False``: a model over capacity is refused. ``True``: it is solved by
                :mod:`~emulators.digital_annealer.decomposition` (our model of the hybrid
                DA3; annealing mode only), each block solve running ``number_iterations``
                steps.
            decomposition_max_rounds:
                Most passes over the blocks.
            initial_states:
                Start states (dimod samples-like), like the service's ``guidance_config``;
                in replica exchange every replica of a run starts from the run's state.
                Default: uniformly random.
            target_energy:
                Stop each run once the best energy it has found reaches this (your model's
                units, plus ``1e-9 * max(1, |target|)``), checked at every step against
                the stored model's energy divided by the scale factor (where the spec
                rounds the model, a run can stop in a state whose energy on your model is
                slightly above). Replica exchange: a run stops, with all its replicas, once
                one replica has (at the end of that round on ``backend="gpu"``).
                Decomposition: checked on the whole model after every block solve.
                ``None`` (default): every run does all steps.

        Returns:
            A :class:`dimod.SampleSet` with one sample per run and a ``quantised_energy``
            vector (energy on the stored model, machine units) when the spec rounds.
            ``info`` holds ``seed``, ``backend``, ``fit``, ``mode``, ``trial``,
            ``scale_factor``, the temperatures used (model units), swap acceptance rates
            and the ladder (replica exchange), decomposition rounds, ``timing`` (with
            ``modelled_hardware_s`` = steps x the spec's per-step time, an assumption; in
            replica exchange the replicas of a run are assumed to advance in parallel;
            with ``target_energy``, the steps run until the last run stopped) and, with
            ``record_trace``, ``trace``. With ``target_energy`` the data vectors
            ``stop_step`` (steps each run ran) and ``stop_seconds`` (wall seconds from the
            start of the kernel run until it stopped; the whole run for a run that never
            reached the target).

        Examples:
            >>> import dimod
            >>> from emulators import DigitalAnnealerSampler
            >>> bqm = dimod.BQM.from_qubo({("a", "a"): -1.0, ("a", "b"): 2.0, ("b", "b"): -1.0})
            >>> ss = DigitalAnnealerSampler("DA1").sample(bqm, number_runs=4,
            ...                                           number_iterations=500, seed=1)
            >>> print(ss.first.energy, ss.info["mode"])
            -1.0 annealing
        """
        return self._sample(bqm, locals())

    # ------------------------------------------------------------------ keywords
    def _resolve_keywords(self, params: dict[str, Any]) -> dict[str, Any]:
        runs = params.pop("number_runs")
        reads = params["num_reads"]
        if runs is not None and reads is not None and reads != runs:
            raise ValueError(f"num_reads ({reads!r}) and number_runs ({runs}) are synonyms; "
                             "give one of them, or both equal")
        params["num_reads"] = runs or reads or DEFAULT_RUNS
        start, end, decay = (params.pop(k) for k in ("temperature_start", "temperature_end",
                                                     "temperature_decay"))
        temperature_mode = params.pop("temperature_mode")
        if decay is not None and end is not None:
            raise ValueError("give temperature_end or temperature_decay, not both")
        if decay is not None and start is not None and temperature_mode != "exponential":
            power = 1 if temperature_mode == "inverse" else 2
            if decay * start**power >= 1.0:
                raise ValueError(
                    f"temperature_decay * temperature_start{'' if power == 1 else '^2'} must be "
                    f"< 1 in {temperature_mode} mode (got {decay * start**power:.3g}); "
                    "the temperature would not stay positive")
        if start is not None and end is not None and end > start:
            raise ValueError(f"temperature_end ({end}) must not exceed temperature_start "
                             f"({start})")
        exchange = engine.ExchangePlan(params.pop("number_replicas"),
                                       params.pop("replica_exchange_interval"),
                                       params["number_iterations"],
                                       params.pop("temperature_ladder"))
        settings = engine.Settings(
            number_iterations=params.pop("number_iterations"), mode=params.pop("mode"),
            temperature_start=start, temperature_end=end, temperature_mode=temperature_mode,
            temperature_decay=decay, temperature_interval=params.pop("temperature_interval"),
            offset_increase_rate=params.pop("offset_increase_rate"), trial=params.pop("trial"),
            decomposition=params.pop("decomposition"),
            decomposition_max_rounds=params.pop("decomposition_max_rounds"), exchange=exchange)
        _check_mode(settings)
        params["settings"] = settings
        return params

    # ------------------------------------------------------------------ base-class hooks
    def _check_model(self, bqm: dimod.BinaryQuadraticModel, params: dict[str, Any]) -> None:
        if params["backend"] == "gpu" and bqm.num_variables > GPU_DENSE_LIMIT:
            raise ValueError(f"backend='gpu' stores couplings densely and takes at most "
                             f"{GPU_DENSE_LIMIT:,} variables; got {bqm.num_variables:,}")

    def _check_fit(self, fit: Any, bqm: dimod.BinaryQuadraticModel,
                   params: dict[str, Any]) -> None:
        if params["settings"].decomposition:
            return
        if not fit.fits_capacity:
            too_many = bqm.num_variables - self.spec.capacity
            raise ValueError(
                f"the model has {bqm.num_variables:,} variables but {self.spec.name} holds at "
                f"most {self.spec.capacity:,} ({too_many:,} too many); pass decomposition=True "
                "to solve it by sub-problems (our model of the hybrid DA3), or use a larger spec")

    def _sample_arrays(self, arrays: IsingArrays, rng: np.random.Generator, *, num_reads: int,
                       record_trace: bool, backend: str, scale: float,
                       settings: engine.Settings, initial_states: np.ndarray,
                       target_energy: EnergyTarget | None) -> KernelResult:
        capacity = None if self.spec is None else self.spec.capacity
        return engine.run(arrays, rng, initial_states, settings, record_trace=record_trace,
                          backend=backend, scale=scale, capacity=capacity,
                          target_energy=target_energy)


def _check_mode(settings: engine.Settings) -> None:
    """Refuse keywords of the other mode, and schedules too long to store."""
    if settings.mode == "replica_exchange":
        defaults = sample_keywords(DigitalAnnealerSampler)
        for name in _ANNEALING_ONLY:
            if getattr(settings, name) != defaults[name]:
                raise ValueError(f"{name} applies to mode='annealing' only; replica exchange "
                                 "uses temperature_start/temperature_end and "
                                 "temperature_ladder")
        if settings.decomposition:
            raise ValueError("decomposition=True works with mode='annealing' only")
        return
    updates = (settings.number_iterations - 1) // settings.temperature_interval
    if updates >= MAX_TEMPERATURE_UPDATES:
        raise ValueError(f"number_iterations / temperature_interval gives {updates:,} "
                         f"temperature updates; at most {MAX_TEMPERATURE_UPDATES:,} are "
                         "stored: raise temperature_interval")
