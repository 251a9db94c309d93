"""Backend and mode dispatch of the Digital Annealer emulator.

:func:`run` turns the validated keywords (:class:`Settings`) into temperatures in the stored
model's units, then runs annealing mode, replica-exchange mode or the decomposition of a model
over capacity on the numba kernels (:mod:`.kernels_cpu`, ``backend="cpu"``) or the
array-module kernels (:mod:`.kernels_xp`, cupy for ``backend="gpu"``; numpy runs the same code
in the tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from emulators._core.arrays import IsingArrays
from emulators._core.devices import array_module
from emulators._core.sampler import KernelResult
from emulators._core.seeds import kernel_seeds
from emulators._core.target import EnergyTarget, TargetStop
from emulators._core.timing import Trace, run_chunked
from emulators.digital_annealer import kernels_cpu, kernels_xp
from emulators.digital_annealer.decomposition import decompose

__all__ = ["Engine", "ExchangePlan", "Settings", "run"]

#: ``temperature_mode`` names (the service's upper-case names are accepted too).
TEMPERATURE_MODES = ("exponential", "inverse", "inverse_root")
LADDERS = ("linear", "exponential", "adaptive")
MODES = ("annealing", "replica_exchange")
TRIALS = ("parallel", "single")
#: Largest dense model the GPU path takes (it stores couplings densely).
GPU_DENSE_LIMIT = 32_768
#: Most temperature updates of one schedule (the schedule is stored as an array).
MAX_TEMPERATURE_UPDATES = 50_000_000
#: Adaptive ladder: share of the rounds used to adapt, and the number of adaptations.
ADAPT_SHARE = 0.5
ADAPT_PERIODS = 8


@dataclass(frozen=True)
class ExchangePlan:
    """Replica-exchange settings (the service's names)."""

    number_replicas: int
    replica_exchange_interval: int
    number_iterations: int
    temperature_ladder: str


@dataclass(frozen=True)
class Settings:
    """The validated machine keywords of one call (model units; see the sampler)."""

    number_iterations: int
    mode: str
    temperature_start: float | None
    temperature_end: float | None
    temperature_mode: str
    temperature_decay: float | None
    temperature_interval: int
    offset_increase_rate: float
    trial: str
    decomposition: bool
    decomposition_max_rounds: int
    exchange: ExchangePlan


def run(arrays: IsingArrays, rng: np.random.Generator, initial: np.ndarray, settings: Settings,
        *, record_trace: bool, backend: str, scale: float, capacity: int | None,
        target_energy: EnergyTarget | None = None) -> KernelResult:
    """One call: temperatures, then the mode ``settings`` ask for, on ``backend``.

    ``arrays`` is the stored model (model × ``scale``); ``capacity`` the machine's (models
    above it are decomposed). ``target_energy`` (model units) stops each run once its best
    energy on the stored model, divided by ``scale``, reaches it.
    """
    xp = None if backend == "cpu" else array_module(backend)
    t_hot, t_cold = _auto_temperatures(arrays, initial)
    t_start = t_hot if settings.temperature_start is None else settings.temperature_start * scale
    t_end = None if settings.temperature_end is None else settings.temperature_end * scale
    if t_end is not None and t_end > t_start:
        raise ValueError(f"temperature_end ({t_end / scale:.6g}) exceeds the automatic "
                         f"temperature_start ({t_start / scale:.6g}); give "
                         "temperature_start as well")
    if t_end is None and (settings.mode == "replica_exchange"
                          or settings.temperature_decay is None):
        t_end = min(t_cold, t_start)
    info: dict[str, Any] = {"mode": settings.mode, "trial": settings.trial,
                            "scale_factor": scale}
    engine = Engine(arrays, xp, rng, settings.offset_increase_rate * scale,
                    settings.trial == "single", scale)
    stop = TargetStop(target_energy, len(initial), scale=scale)
    if settings.mode == "replica_exchange":
        stop.steps_per_mark = settings.exchange.replica_exchange_interval
        spins, steps, trace, extra = engine.replica_exchange(initial, t_start, t_end,
                                                             settings.exchange, record_trace,
                                                             stop)
        info.update(extra)
        info.update(temperature_start=t_start / scale, temperature_end=t_end / scale)
        return _result(spins, steps, trace, info, stop)
    temps, schedule_info = _annealing_schedule(settings, t_start, t_end, scale)
    info.update(schedule_info)
    n_iter, interval = settings.number_iterations, settings.temperature_interval
    if settings.decomposition and capacity is not None and arrays.num_variables > capacity:
        result = decompose(
            arrays, initial, capacity,
            lambda sub, s, f, e: engine.solve_block(sub, s, f, e, temps, interval, n_iter),
            rng, max_rounds=settings.decomposition_max_rounds, record_trace=record_trace,
            stop=stop)
        info.update(decomposition_rounds=result.rounds,
                    decomposition_converged=result.converged)
        return _result(result.spins, result.steps, result.trace, info, stop)
    spins, trace = engine.anneal(arrays, initial, temps, interval, n_iter, record_trace, stop)
    return _result(spins, n_iter, trace, info, stop)


def _result(spins: np.ndarray, steps: int, trace: Trace | None, info: dict[str, Any],
            stop: TargetStop) -> KernelResult:
    """The :class:`KernelResult`; with a target, ``steps`` are those run until the last run
    stopped."""
    stops = stop.record(steps)
    return KernelResult(spins, steps if stops is None else stops.steps_run, trace, info,
                        stops=stops)


def _annealing_schedule(settings: Settings, t_start: float, t_end: float | None, scale: float
                        ) -> tuple[np.ndarray, dict[str, Any]]:
    """The temperature of every interval (stored units) and what ``info`` reports of it."""
    updates = (settings.number_iterations - 1) // settings.temperature_interval
    mode_code = TEMPERATURE_MODES.index(settings.temperature_mode)
    units = scale ** [0, 1, 2][mode_code]
    if settings.temperature_decay is None:
        decay = kernels_cpu.decay_for_end(t_start, t_end, updates, mode_code)
        decay_model = decay * units
    else:
        decay_model = settings.temperature_decay
        decay = decay_model / units
    temps = kernels_cpu.temperature_schedule(t_start, decay, updates, mode_code)
    info = {"temperature_start": t_start / scale, "temperature_end": float(temps[-1]) / scale,
            "temperature_decay": decay_model, "temperature_mode": settings.temperature_mode}
    return temps, info


def _auto_temperatures(arrays: IsingArrays, spins: np.ndarray) -> tuple[float, float]:
    """Automatic ``(start, end)`` temperatures in the stored model's units (our choice).

    From the uphill flip costs ``dE > 0`` of (up to 64) initial states: the start accepts the
    median one with probability 1/2, the end accepts the 1st-percentile one with probability
    1/100.
    """
    fields = arrays.local_fields(spins[: min(len(spins), 64)])
    de = -2.0 * spins[: len(fields)] * fields
    # ignore float rounding noise (64-bit grids exceed float64's 53-bit mantissa)
    noise = 1e-9 * float(np.abs(de).max(initial=0.0))
    uphill = de[de > noise]
    if len(uphill) == 0:  # every flip is free or downhill: fall back on the coefficients
        coeffs = np.abs(arrays.h[arrays.h != 0])
        uphill = 2.0 * coeffs if len(coeffs) else np.ones(1)
    hot = float(np.median(uphill)) / math.log(2.0)
    cold = float(np.quantile(uphill, 0.01)) / math.log(100.0)
    return max(hot, cold), cold


class Engine:
    """Runs the kernels of one backend on one model (``xp=None``: numba; else ``xp``)."""

    def __init__(self, arrays: IsingArrays, xp: Any, rng: np.random.Generator,
                 offset_rate: float, single: bool, scale: float) -> None:
        self.arrays = arrays
        self.scale = scale
        self.xp = xp
        self.rng = rng
        self.offset_rate = float(offset_rate)
        self.single = bool(single)
        self._device_dense: tuple[IsingArrays | None, Any] = (None, None)
        # host copies and GPU synchronisation; the numpy module also works as ``xp`` (tests)
        self.host = np.asarray if xp is None or xp is np else xp.asnumpy
        self.sync = None if xp is None or xp is np else xp.cuda.Device().synchronize

    def dense_on_device(self, arrays: IsingArrays) -> Any:
        """``arrays``' couplings as a dense device array (kept for the last model asked)."""
        if self._device_dense[0] is not arrays:
            self._device_dense = (arrays, self.xp.asarray(arrays.to_dense()))
        return self._device_dense[1]

    def stepper(self, arrays: IsingArrays) -> kernels_xp.Stepper:
        """An array-module stepper on ``arrays`` with a generator seeded from the call."""
        gen = self.xp.random.default_rng(int(kernel_seeds(self.rng, 1)[0]))
        return kernels_xp.Stepper(self.xp, gen, self.dense_on_device(arrays), self.offset_rate,
                                  self.single)

    # ---------------------------------------------------------------- annealing
    def _anneal_state(self, arrays: IsingArrays, spins: np.ndarray, fields: np.ndarray,
                      energy: np.ndarray, temps: np.ndarray, interval: int, n_iter: int,
                      record_trace: bool, stop: TargetStop | None = None
                      ) -> tuple[np.ndarray, np.ndarray, Trace | None]:
        stop = stop or TargetStop(None, len(spins))
        if self.xp is None:
            st = kernels_cpu.row_state(spins, fields, energy, kernel_seeds(self.rng, len(spins)))
            st = st._replace(stop_step=stop.steps)  # the kernel writes the stop steps
            stop.attach(lambda: st.best_spins)
            couplings = kernels_cpu.couplings_of(arrays)

            def advance(lo: int, hi: int) -> np.ndarray:
                kernels_cpu.anneal(st, couplings, lo, hi, temps, interval, self.offset_rate,
                                   self.single, stop.threshold)
                return st.best_energy

            trace = run_chunked(advance, n_iter, record=record_trace, stop=stop)
            return st.best_spins, st.best_energy, trace
        stepper = self.stepper(arrays)
        dst = kernels_xp.to_device(self.xp, spins, fields, energy)
        if stop.enabled:
            dst.watch(self.xp, stop.threshold)
            stop.attach(lambda: self.host(dst.best_spins),
                        lambda rows, step: dst.halt(self.xp, rows, step))

        def advance_xp(lo: int, hi: int) -> np.ndarray:
            kernels_xp.anneal(stepper, dst, lo, hi, temps, interval)
            if stop.enabled:
                stop.steps[:] = self.host(dst.stop_step)
            return self.host(dst.best_energy)

        trace = run_chunked(advance_xp, n_iter, record=record_trace, sync=self.sync, stop=stop)
        return self.host(dst.best_spins), self.host(dst.best_energy), trace

    def anneal(self, arrays: IsingArrays, spins: np.ndarray, temps: np.ndarray, interval: int,
               n_iter: int, record_trace: bool, stop: TargetStop | None = None
               ) -> tuple[np.ndarray, Trace | None]:
        """Annealing mode from ``spins``; returns each run's best state and the trace (runs
        stop as ``stop`` says)."""
        best, _, trace = self._anneal_state(arrays, spins, arrays.local_fields(spins),
                                            arrays.energies(spins), temps, interval, n_iter,
                                            record_trace, stop)
        return best, trace

    def solve_block(self, sub: IsingArrays, spins: np.ndarray, fields: np.ndarray,
                    energy: np.ndarray, temps: np.ndarray, interval: int, n_iter: int
                    ) -> tuple[np.ndarray, np.ndarray, int]:
        """One decomposition sub-problem (fields already hold the fixed variables' terms)."""
        best, best_energy, _ = self._anneal_state(sub, spins, fields, energy, temps, interval,
                                                  n_iter, False)
        return best, best_energy, n_iter

    # ---------------------------------------------------------------- replica exchange
    def replica_exchange(self, initial: np.ndarray, t_hot: float, t_cold: float,
                         plan: ExchangePlan, record_trace: bool,
                         stop: TargetStop | None = None
                         ) -> tuple[np.ndarray, int, Trace | None, dict[str, Any]]:
        """Replica-exchange mode; returns per-run best states, steps, trace and swap info.

        A run stops (all its replicas) once one replica's best energy reaches ``stop``'s
        threshold; ``stop.steps`` gets the step of the first replica that did.
        """
        runs = len(initial)
        stop = stop or TargetStop(None, runs)
        m, interval = plan.number_replicas, plan.replica_exchange_interval
        rounds = -(-plan.number_iterations // interval)
        ladder = _ladder(t_hot, t_cold, m, plan.temperature_ladder)
        spins = np.repeat(initial, m, axis=0)
        host = kernels_xp.XpExchange(
            row_temp=np.tile(ladder, runs).reshape(runs * m, 1),
            perm=np.arange(runs * m, dtype=np.int64).reshape(runs, m),
            accepted=np.zeros((runs, m - 1), dtype=np.int64),
            attempted=np.zeros((runs, m - 1), dtype=np.int64))
        adapt_at: set[int] = set()
        if plan.temperature_ladder == "adaptive":
            adapt_at = {int(round(rounds * ADAPT_SHARE * (k + 1) / ADAPT_PERIODS))
                        for k in range(ADAPT_PERIODS)} - {0}
        fields = self.arrays.local_fields(spins)
        energy = self.arrays.energies(spins)
        runner = (_CpuRounds if self.xp is None else _DeviceRounds)(self, spins, fields, energy,
                                                                    host, stop)
        totals = [np.zeros_like(host.accepted), np.zeros_like(host.attempted)]
        if stop.enabled:
            stop.attach(lambda: _run_best(*runner.best(), runs, m),
                        lambda done, step: runner.halt(np.repeat(done, m), step))

        def advance(lo: int, hi: int) -> np.ndarray:
            cuts = sorted({lo, hi, *(a for a in adapt_at if lo < a < hi)})
            for a, b in zip(cuts[:-1], cuts[1:], strict=True):
                runner.run(a, b, interval)
                if b in adapt_at:
                    _adapt_ladder(host.row_temp[:, 0], host.perm, host.accepted, host.attempted)
                    _collect(totals, host)
                    runner.ladder_changed()
            best_energy, _ = runner.best()
            if stop.enabled:
                stop.steps[:] = _first_stop(runner.stop_steps().reshape(runs, m))
            return best_energy.reshape(runs, m).min(axis=1)

        trace = run_chunked(advance, rounds, record=record_trace, stop=stop)
        if trace is not None:
            trace = Trace(trace.step * interval, trace.seconds, trace.best_energy)
        spins = _run_best(*runner.best(), runs, m)
        _collect(totals, host)
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = totals[0].sum(axis=0) / totals[1].sum(axis=0)
        slot_temps = np.sort(host.row_temp[host.perm[0], 0])[::-1]
        extra = {"number_replicas": m, "swap_acceptance": rates,
                 "ladder": slot_temps / self.scale,
                 "replica_exchange_rounds": rounds}
        return spins, rounds * interval, trace, extra


def _run_best(best_energy: np.ndarray, best_spins: np.ndarray, runs: int, m: int
              ) -> np.ndarray:
    """Each run's best state over its ``m`` replica rows."""
    pick = best_energy.reshape(runs, m).argmin(axis=1) + np.arange(runs) * m
    return best_spins[pick]


def _first_stop(steps: np.ndarray) -> np.ndarray:
    """Per run (row of ``steps``, one column per replica): the least stop step of its
    replicas, ``-1`` where none stopped."""
    stopped = steps >= 0
    first = np.where(stopped, steps, np.iinfo(np.int64).max).min(axis=1)
    return np.where(stopped.any(axis=1), first, -1)


def _collect(totals: list[np.ndarray], host: kernels_xp.XpExchange) -> None:
    """Add the swap counts since the last adaptation to ``totals`` and restart them."""
    totals[0] += host.accepted
    totals[1] += host.attempted
    host.accepted[:] = 0
    host.attempted[:] = 0


class _CpuRounds:
    """Replica-exchange rounds on the numba kernel; the ladder arrays are the host's own."""

    def __init__(self, engine: Engine, spins: np.ndarray, fields: np.ndarray,
                 energy: np.ndarray, host: kernels_xp.XpExchange, stop: TargetStop) -> None:
        self.engine = engine
        self.threshold = stop.threshold
        self.state = kernels_cpu.row_state(spins, fields, energy,
                                           kernel_seeds(engine.rng, len(spins)))
        swap_state = kernels_cpu.seed_states(kernel_seeds(engine.rng, host.perm.shape[0]))
        self.exchange = kernels_cpu.Exchange(host.row_temp, host.perm, swap_state,
                                             host.accepted, host.attempted)
        self.couplings = kernels_cpu.couplings_of(engine.arrays)

    def run(self, lo: int, hi: int, interval: int) -> None:
        kernels_cpu.replica_exchange_rounds(self.state, self.couplings, self.exchange, lo, hi,
                                            interval, self.engine.offset_rate,
                                            self.engine.single, self.threshold)

    def best(self) -> tuple[np.ndarray, np.ndarray]:
        return self.state.best_energy, self.state.best_spins

    def stop_steps(self) -> np.ndarray:
        return self.state.stop_step

    def halt(self, rows: np.ndarray, step: int) -> None:
        self.state.stop_step[rows & (self.state.stop_step < 0)] = step

    def ladder_changed(self) -> None:
        """Nothing to do: the kernel reads the host's ladder arrays directly."""


class _DeviceRounds:
    """Replica-exchange rounds on the array module; the host arrays mirror the device's."""

    def __init__(self, engine: Engine, spins: np.ndarray, fields: np.ndarray,
                 energy: np.ndarray, host: kernels_xp.XpExchange, stop: TargetStop) -> None:
        xp = engine.xp
        self.engine, self.host = engine, host
        self.stepper = engine.stepper(engine.arrays)
        self.state = kernels_xp.to_device(xp, spins, fields, energy)
        if stop.enabled:
            self.state.watch(xp, stop.threshold)
        accepted = xp.zeros_like(xp.asarray(host.accepted))
        self.device = kernels_xp.XpExchange(xp.asarray(host.row_temp[:, 0]),
                                            xp.asarray(host.perm), accepted,
                                            xp.zeros_like(accepted))

    def run(self, lo: int, hi: int, interval: int) -> None:
        kernels_xp.replica_exchange_rounds(self.stepper, self.state, self.device, lo, hi,
                                           interval)
        to_host = self.engine.host
        self.host.perm[:] = to_host(self.device.perm)
        self.host.accepted[:] = to_host(self.device.accepted)
        self.host.attempted[:] = to_host(self.device.attempted)
        self.host.row_temp[:, 0] = to_host(self.device.row_temp)

    def best(self) -> tuple[np.ndarray, np.ndarray]:
        to_host = self.engine.host
        return to_host(self.state.best_energy), to_host(self.state.best_spins)

    def stop_steps(self) -> np.ndarray:
        return self.engine.host(self.state.stop_step)

    def halt(self, rows: np.ndarray, step: int) -> None:
        self.state.halt(self.engine.xp, rows, step)

    def ladder_changed(self) -> None:
        self.device.row_temp[:] = self.engine.xp.asarray(self.host.row_temp[:, 0])
        self.device.accepted[:] = 0
        self.device.attempted[:] = 0


def _ladder(t_hot: float, t_cold: float, m: int, kind: str) -> np.ndarray:
    """``m`` temperatures from hottest (slot 0) to coldest."""
    if kind == "linear":
        return np.linspace(t_hot, t_cold, m)
    return np.geomspace(t_hot, t_cold, m)


def _adapt_ladder(row_temp: np.ndarray, perm: np.ndarray, accepted: np.ndarray,
                  attempted: np.ndarray) -> None:
    """Re-space each run's ladder in 1/T towards equal swap rates (in place; ends fixed)."""
    for r in range(perm.shape[0]):
        rows = perm[r]
        beta = 1.0 / row_temp[rows]
        gaps = np.diff(beta)
        rate = accepted[r] / np.maximum(attempted[r], 1)
        gaps = gaps * (rate + 0.05) / (rate.mean() + 0.05)
        gaps *= (beta[-1] - beta[0]) / gaps.sum()
        new_beta = beta[0] + np.concatenate([[0.0], np.cumsum(gaps)])
        new_beta[-1] = beta[-1]
        row_temp[rows] = 1.0 / new_beta
