"""Backend dispatch of the SB and parallel-flip samplers, and the chunk driver they share.

:func:`prepare_sb` and :func:`prepare_flip` derive what depends on the model alone — the
couplings in the engine's layout, force scale, time step, β range, self-coupling, colouring
(:class:`SBModel`, :class:`FlipModel`; the samplers build them in ``preprocessing``);
:func:`simulated_bifurcation` and :func:`parallel_flip` then draw the start states and pick
the engine: the numba delta-field kernels of
:mod:`.kernels_cpu` (``cpu_kernel="numba"``) or the array code of :mod:`.kernels_xp` (numpy
on ``backend="cpu"``, cupy on ``"gpu"``). :func:`run_engine` advances either chunk by chunk.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from emulators._core.arrays import IsingArrays
from emulators._core.devices import array_module, device_sync
from emulators._core.sampler import KernelResult
from emulators._core.seeds import kernel_seeds
from emulators._core.target import EnergyTarget, TargetStop
from emulators._core.timing import Trace
from emulators.bifurcation import kernels_cpu, kernels_xp
from emulators.bifurcation.coupling import (
    Coupling,
    beta_range,
    colour_classes,
    coupling_rms,
    largest_eigenvalue,
    model_coupling,
)
from emulators.bifurcation.schedules import (
    ASB,
    BSB,
    DSB,
    FlipSchedule,
    SBSettings,
    stable_time_step,
)

__all__ = [
    "AUTO_CPU_KERNEL",
    "CPU_KERNELS",
    "FlipOptions",
    "SBOptions",
    "SCHEMES",
    "VARIANTS",
    "FlipModel",
    "SBModel",
    "parallel_flip",
    "prepare_flip",
    "prepare_sb",
    "run_engine",
    "simulated_bifurcation",
]

#: variant name -> (equation, heated)
VARIANTS = {
    "aSB": (ASB, False),
    "bSB": (BSB, False),
    "dSB": (DSB, False),
    "hbSB": (BSB, True),
    "hdSB": (DSB, True),
}
SCHEMES = ("momentum", "sca", "colour")
CPU_KERNELS = ("auto", "numba", "numpy")
#: CPU kernel per scheme for ``cpu_kernel="auto"``: the faster in our measurement on G1
#: (16 replicas × 300 sweeps, loaded 2-core machine): momentum numpy 1.5 s vs numba 4.6 s
#: (many spins flip per sweep, so batched sparse products win); SCA numba 1.1 s vs numpy
#: 2.4 s; colour numba 1.8 s vs numpy 6.4 s.
AUTO_CPU_KERNEL = {"momentum": "numpy", "sca": "numba", "colour": "numba"}
#: Number of trace checkpoints when a trace is recorded.
NUM_CHECKPOINTS = 64


@dataclass(frozen=True)
class SBOptions:
    """The validated keywords of one SB call (see the sampler); ``None``: automatic."""

    variant: str
    num_steps: int
    dt: float | None
    a0: float
    c0: float | None
    heat: float
    init_scale: float
    energy_interval: int
    stop_window: int | None
    fields: str
    cpu_kernel: str


@dataclass(frozen=True)
class FlipOptions:
    """The validated keywords of one parallel-flip call (see the sampler); ``None``: automatic."""

    scheme: str
    num_sweeps: int
    beta_range: tuple[float, float] | None
    self_coupling: float | None
    dropout: float
    energy_interval: int
    stop_window: int | None
    cpu_kernel: str


def _force_scale(coupling: Coupling) -> float:
    """``c0 = 0.5 / (sigma sqrt(N))``, sigma the RMS coupling (of the fields if none)."""
    sigma = coupling_rms(coupling)
    if sigma == 0:
        sigma = float(np.sqrt(np.mean(coupling.h ** 2))) or 1.0
    return 0.5 / (sigma * math.sqrt(coupling.num_spins))


@dataclass(frozen=True)
class SBModel:
    """What an SB run derives from the stored model alone, built in the sampler's
    ``preprocessing`` phase (dwave-samplers counts its β-range derivation there too): the
    couplings in the engine's form (``matrix``: on the array module's device, with the
    lookup tables of dense ±1 couplings; ``None`` for the numba kernels), the force scale
    ``c0`` and the time step ``dt`` (from the largest eigenvalue unless given)."""

    coupling: Coupling
    c0: float
    dt: float
    matrix: kernels_xp.CouplingMatrix | None


def _array_matrix(coupling: Coupling, backend: str, cpu_kernel: str
                  ) -> kernels_xp.CouplingMatrix | None:
    """The couplings on the array module's device, or ``None`` where the numba kernels run."""
    if backend == "cpu" and cpu_kernel == "numba":
        return None
    return kernels_xp.CouplingMatrix(array_module(backend), coupling.matrix)


def prepare_sb(arrays: IsingArrays, options: SBOptions, backend: str) -> SBModel:
    """The :class:`SBModel` of ``arrays`` for ``options`` on ``backend``."""
    equation, _ = VARIANTS[options.variant]
    coupling = model_coupling(arrays, options.fields)
    c0 = _force_scale(coupling) if options.c0 is None else options.c0
    dt = options.dt
    if dt is None:
        dt = stable_time_step(equation, options.a0, c0, largest_eigenvalue(coupling, "LM"))
    return SBModel(coupling, c0, dt, _array_matrix(coupling, backend, options.cpu_kernel))


def simulated_bifurcation(arrays: IsingArrays, rng: np.random.Generator, options: SBOptions,
                          *, num_reads: int, backend: str, record_trace: bool,
                          target_energy: EnergyTarget | None = None, scale: float = 1.0,
                          prepared: SBModel | None = None) -> KernelResult:
    """``num_reads`` SB agents on ``arrays``; each returns the best sign state it saw.

    ``arrays`` hold the model times ``scale``; an agent stops once its best energy divided
    by ``scale`` reaches ``target_energy`` (model units; checked at every scoring).
    ``prepared``: :func:`prepare_sb` of the same arrays, options and backend (made here if
    not given).
    """
    equation, heated = VARIANTS[options.variant]
    model = prepare_sb(arrays, options, backend) if prepared is None else prepared
    coupling, c0, dt = model.coupling, model.c0, model.dt
    shape = (num_reads, coupling.num_spins)
    x0 = rng.uniform(-options.init_scale, options.init_scale, size=shape)
    y0 = rng.uniform(-options.init_scale, options.init_scale, size=shape)
    settings = SBSettings(variant=equation, gamma=options.heat if heated else 0.0, c0=c0,
                          a0=options.a0, dt=dt, num_steps=options.num_steps,
                          energy_interval=options.energy_interval, x0=x0, y0=y0)
    stop = TargetStop(target_energy, num_reads, scale=scale)
    if model.matrix is None:
        engine = kernels_cpu.SimulatedBifurcationCpu(coupling.matrix, coupling.h,
                                                     coupling.offset, settings, stop)
        kernel = "numba-delta"
    else:
        engine = kernels_xp.SimulatedBifurcationXp(array_module(backend), model.matrix,
                                                   coupling.h, coupling.offset, settings, stop)
        kernel = "cupy" if backend == "gpu" else "numpy"
    steps, trace = run_engine(engine, options.num_steps, record_trace=record_trace,
                              stop_window=options.stop_window, sync=device_sync(backend),
                              stop=stop)
    stops = stop.record(steps)
    info = {
        "variant": options.variant,
        "kernel": kernel,
        "num_steps_run": steps,
        "stopped_early": steps < options.num_steps,
        "c0": c0,
        "dt": dt,
    }
    return KernelResult(spins=coupling.read_back(engine.best_states()),
                        steps=steps if stops is None else stops.steps_run, trace=trace,
                        info=info, stops=stops)


@dataclass(frozen=True)
class FlipModel:
    """What a parallel-flip run derives from the stored model alone, built in the sampler's
    ``preprocessing`` phase: the couplings (``matrix`` on the array module's device for the
    array kernels, ``None`` for the numba kernels), the β range, the self-coupling strength
    (momentum and SCA; from the largest eigenvalue unless given) and the colour classes
    (``colour``)."""

    coupling: Coupling
    beta_range: tuple[float, float]
    self_coupling: float | None
    classes: list | None
    matrix: kernels_xp.CouplingMatrix | None


def prepare_flip(arrays: IsingArrays, options: FlipOptions, backend: str) -> FlipModel:
    """The :class:`FlipModel` of ``arrays`` for ``options`` on ``backend``."""
    coupling = model_coupling(arrays, "direct")
    hot, cold = beta_range(coupling) if options.beta_range is None else options.beta_range
    strength = classes = None
    if options.scheme == "colour":
        classes = colour_classes(coupling)
    else:
        strength = options.self_coupling
        if strength is None:
            strength = max(largest_eigenvalue(coupling, "LA"), 0.0)
            if options.scheme == "sca":
                strength /= 2.0
    cpu_kernel = options.cpu_kernel
    if cpu_kernel == "auto":
        cpu_kernel = AUTO_CPU_KERNEL[options.scheme]
    return FlipModel(coupling, (hot, cold), strength, classes,
                     _array_matrix(coupling, backend, cpu_kernel))


def _flip_schedule(model: FlipModel, options: FlipOptions, betas: np.ndarray) -> FlipSchedule:
    """The schedule of the momentum or SCA scheme (self-coupling ``model.self_coupling``)."""
    sweeps = options.num_sweeps
    ramp = np.arange(sweeps) / max(1, sweeps - 1)
    if options.scheme == "momentum":
        couplings, dropouts = ramp, options.dropout * (1.0 - ramp)
    else:
        couplings, dropouts = np.ones(sweeps), np.zeros(sweeps)
    return FlipSchedule(w=np.full(model.coupling.num_spins, model.self_coupling),
                        temperatures=1.0 / betas, couplings=couplings, dropouts=dropouts,
                        energy_interval=options.energy_interval)


def parallel_flip(arrays: IsingArrays, rng: np.random.Generator, options: FlipOptions,
                  initial_states: np.ndarray, *, backend: str, record_trace: bool,
                  target_energy: EnergyTarget | None = None, scale: float = 1.0,
                  prepared: FlipModel | None = None) -> KernelResult:
    """One parallel-flip run per row of ``initial_states``; each returns its best state.

    A replica stops once its best energy divided by ``scale`` reaches ``target_energy``
    (model units; checked at every scoring). ``prepared``: :func:`prepare_flip` of the same
    arrays, options and backend (made here if not given).
    """
    model = prepare_flip(arrays, options, backend) if prepared is None else prepared
    coupling = model.coupling
    hot, cold = model.beta_range
    sweeps = options.num_sweeps
    betas = hot * (cold / hot) ** (np.arange(sweeps) / max(1, sweeps - 1))
    use_numba = model.matrix is None
    xp = np if use_numba else array_module(backend)
    info: dict[str, Any] = {"scheme": options.scheme, "beta_range": (hot, cold)}
    parts = (coupling.matrix, coupling.h, coupling.offset)
    stop = TargetStop(target_energy, len(initial_states), scale=scale)
    if options.scheme == "colour":
        info["num_colours"] = len(model.classes)
        if use_numba:
            engine = kernels_cpu.ColourMetropolisCpu(
                *parts, model.classes, betas, initial_states,
                kernel_seeds(rng, len(initial_states)), stop)
        else:
            engine = kernels_xp.ColourMetropolisXp(
                xp, model.matrix, coupling.h, coupling.offset, model.classes, betas,
                initial_states, int(kernel_seeds(rng, 1)[0]), stop)
    else:
        schedule = _flip_schedule(model, options, betas)
        info["self_coupling"] = model.self_coupling
        if use_numba:
            engine = kernels_cpu.ParallelFlipCpu(*parts, schedule, initial_states,
                                                 kernel_seeds(rng, len(initial_states)), stop)
        else:
            engine = kernels_xp.ParallelFlipXp(
                xp, model.matrix, coupling.h, coupling.offset, schedule, initial_states,
                int(kernel_seeds(rng, 1)[0]), stop)
    info["kernel"] = "numba-delta" if use_numba else ("cupy" if backend == "gpu"
                                                      else "numpy")
    steps, trace = run_engine(engine, sweeps, record_trace=record_trace,
                              stop_window=options.stop_window, sync=device_sync(backend),
                              stop=stop)
    stops = stop.record(steps)
    info["num_sweeps_run"] = steps
    info["stopped_early"] = steps < sweeps
    return KernelResult(spins=engine.best_states(),
                        steps=steps if stops is None else stops.steps_run, trace=trace,
                        info=info, stops=stops)


def run_engine(engine: Any, total_steps: int, *, record_trace: bool, stop_window: int | None,
               sync: Callable[[], None] | None = None, stop: TargetStop | None = None
               ) -> tuple[int, Trace | None]:
    """Advance ``engine`` chunk by chunk; returns ``(steps run, trace or None)``.

    Chunks end at trace checkpoints and, with early stopping, every ``stop_window // 4``
    steps, where the run stops once every agent's sign state has been unchanged for
    ``stop_window`` steps. With a target (``stop``), chunks end at most every
    ``total_steps / 64`` steps, where the run stops once every agent has reached it.
    """
    stopping = stop is not None and stop.enabled
    chunk = total_steps
    if record_trace or stopping:
        chunk = min(chunk, max(1, math.ceil(total_steps / NUM_CHECKPOINTS)))
    if stop_window is not None:
        chunk = min(chunk, max(1, stop_window // 4))
    if stopping:
        stop.begin()
    steps, seconds, best = [], [], []
    begin = time.perf_counter()
    done = 0
    while done < total_steps:
        hi = min(total_steps, done + chunk)
        engine.advance(done, hi)
        done = hi
        if stopping:
            stop.mark(done)
        end = (stop_window is not None and engine.min_stable() >= stop_window) or (
            stopping and stop.finished())
        if end or done == total_steps:
            engine.finalise()
        if record_trace:
            energies = engine.best_energies()
            if sync is not None:
                sync()
            steps.append(done)
            seconds.append(time.perf_counter() - begin)
            best.append(energies)
        if end:
            break
    if sync is not None:
        sync()
    trace = None
    if record_trace:
        trace = Trace(np.asarray(steps), np.asarray(seconds), np.stack(best, axis=1))
    return done, trace
