"""The Digital Annealer emulator: a :class:`dimod.Sampler` (DESIGN.md section 5.1)."""

from __future__ import annotations

import math
from typing import Any

import dimod
import numpy as np

from emulators._core import (
    EmulatorSampler,
    IsingArrays,
    KernelResult,
    Trace,
    check_choice,
    check_positive_float,
    check_positive_int,
    kernel_seeds,
    require_cupy,
    run_chunked,
)
from emulators.digital_annealer import kernels_cpu, kernels_gpu
from emulators.digital_annealer.decomposition import decompose
from emulators.digital_annealer.presets import PRESETS
from emulators.machine import MachineSpec, get_preset

__all__ = ["DigitalAnnealerSampler"]

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


class DigitalAnnealerSampler(EmulatorSampler):
    """Emulator of the Fujitsu Digital Annealer (DA).

    The model is stored as the machine stores it (a QUBO scaled by one global factor onto the
    spec's signed integer grid and rounded; ``info["fit"]`` says what that cost) and all
    kernel work is done on that stored model; returned energies are re-scored on your model.

    Parameters
    ----------
    spec:
        A preset name (``"DA1"``, ``"DA2"`` (default), ``"DA3"``), a
        :class:`~emulators.machine.MachineSpec` (see
        :func:`~emulators.digital_annealer.presets.user_spec`), or ``None`` (unlimited,
        unquantised).

    Keyword arguments of :meth:`sample` (the service's names where it has them)
    ------------------------------------------------------------------------------
    num_reads / number_runs:
        Independent runs (default 10); ``number_runs`` is the service's name and a synonym
        (give one, or both equal). Each run returns the best state it visited. The service
        allows 16-128 runs; the emulator takes any number >= 1.
    number_iterations:
        Monte Carlo steps per run (>= 1, default 10,000; the service allows up to 2e9).
    mode:
        ``"annealing"`` (the machine's default) or ``"replica_exchange"``.
    temperature_start, temperature_end:
        In the units of the model you pass (the emulator multiplies by the scale factor).
        ``None`` (default) chooses them from the model: the start accepts the median uphill
        flip of the initial states with probability 1/2, the end accepts their 1st-percentile
        uphill flip with probability 1/100 (our choice). In replica
        exchange they are the hottest and coldest rungs of the ladder.
    temperature_mode:
        ``"exponential"`` ``T <- T(1 - d)``, ``"inverse"`` ``T <- T(1 - dT)``,
        ``"inverse_root"`` ``T <- T(1 - dT^2)`` (annealing mode).
    temperature_decay:
        ``d`` in [0, 1) (0 keeps the temperature constant); for the inverse modes also
        ``d T_start < 1`` resp. ``d T_start^2 < 1`` (model units). Give ``temperature_end`` or
        ``temperature_decay``, not both; with neither, ``d`` is chosen so the schedule ends at
        the (automatic) end temperature after ``number_iterations`` steps.
    temperature_interval:
        Steps between temperature updates (>= 1, default 100).
    offset_increase_rate:
        Growth of the dynamic offset per step without a flip (>= 0, model units; default 0,
        which switches the offset off).
    number_replicas:
        Replicas per run in replica exchange (>= 2, default 26; the service allows 26-128).
    temperature_ladder:
        ``"linear"`` (in T), ``"exponential"`` (geometric, default) or ``"adaptive"``: starts
        geometric and, during the first half of the rounds, is re-spaced
        :data:`ADAPT_PERIODS` times so that all neighbour pairs swap at the same rate (an
        iterative feedback in the spirit of Hukushima 1999; our choice of rule: each gap in
        1/T is multiplied by ``(a_k + 0.05) / (mean(a) + 0.05)`` and the gaps are rescaled to
        keep the ends fixed).
    replica_exchange_interval:
        Steps each replica takes between swap rounds (>= 1, default 100); even and odd
        neighbour pairs alternate.
    trial:
        ``"parallel"`` (the machine) or ``"single"``: one random candidate bit per step, i.e.
        plain single-flip Metropolis in the same kernel (for comparisons; not a machine mode).
    decomposition:
        ``False`` (default): a model over capacity is refused. ``True``: it is solved by
        :mod:`~emulators.digital_annealer.decomposition` (our model of the hybrid DA3;
        annealing mode only), each block solve running ``number_iterations`` steps.
    decomposition_max_rounds:
        Most passes over the blocks (>= 1, default 10).
    initial_states:
        Start states (dimod samples-like), like the service's ``guidance_config``; in
        replica exchange every replica of a run starts from the run's state.
    seed, record_trace, backend:
        As every emulator (``backend="gpu"`` needs cupy and a CUDA device).

    ``info`` holds the temperatures used (model units), the mode, the steps per run, swap
    acceptance rates (replica exchange) and decomposition rounds. ``modelled_hardware_s`` is
    steps x the spec's per-step time (an assumption, see
    :mod:`~emulators.digital_annealer.presets`); in replica exchange the replicas of a run
    are assumed to advance in parallel on the machine.
    """

    backends = ("cpu", "gpu")
    _kernel_parameters: dict[str, Any] = {
        "number_runs": None,
        "number_iterations": 10_000,
        "mode": "annealing",
        "temperature_start": None,
        "temperature_end": None,
        "temperature_mode": "exponential",
        "temperature_decay": None,
        "temperature_interval": 100,
        "offset_increase_rate": 0.0,
        "number_replicas": 26,
        "temperature_ladder": "exponential",
        "replica_exchange_interval": 100,
        "trial": "parallel",
        "decomposition": False,
        "decomposition_max_rounds": 10,
        "initial_states": None,
    }

    def __init__(self, spec: str | MachineSpec | None = "DA2") -> None:
        if isinstance(spec, str):
            spec = PRESETS.get(spec.upper()) or get_preset(spec)
        if spec is not None and not isinstance(spec, MachineSpec):
            raise TypeError(f"spec must be a preset name, a MachineSpec or None, got "
                            f"{type(spec).__name__}")
        self.spec = spec

    # ------------------------------------------------------------------ public entry
    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Sample ``bqm`` (see the class docstring for the keyword arguments)."""
        kwargs = dict(kwargs)
        runs = kwargs.pop("number_runs", None)
        if runs is not None:
            runs = check_positive_int("number_runs", runs)
            if "num_reads" in kwargs and kwargs["num_reads"] != runs:
                raise ValueError(f"num_reads ({kwargs['num_reads']!r}) and number_runs ({runs}) "
                                 "are synonyms; give one of them, or both equal")
            kwargs["num_reads"] = runs
        if set(kwargs) <= set(self.parameters):
            kwargs.update(self._validated({**self._kernel_parameters, **kwargs}, kwargs))
        return super().sample(bqm, **kwargs)

    # ------------------------------------------------------------------ validation
    def _validated(self, params: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        """Check every machine keyword; returns normalised values."""
        out: dict[str, Any] = {}
        out["number_iterations"] = check_positive_int("number_iterations",
                                                      params["number_iterations"],
                                                      maximum=2_000_000_000)
        out["mode"] = check_choice("mode", params["mode"], MODES)
        mode = params["temperature_mode"]
        if isinstance(mode, str):
            mode = mode.lower()
        out["temperature_mode"] = check_choice("temperature_mode", mode, TEMPERATURE_MODES)
        for name in ("temperature_start", "temperature_end"):
            value = params[name]
            out[name] = None if value is None else check_positive_float(name, value)
        decay = params["temperature_decay"]
        if decay is not None:
            decay = check_positive_float("temperature_decay", decay, allow_zero=True)
            if decay >= 1.0:
                raise ValueError(f"temperature_decay must be in [0, 1), got {decay}")
            if out["temperature_end"] is not None:
                raise ValueError("give temperature_end or temperature_decay, not both")
        out["temperature_decay"] = decay
        start = out["temperature_start"]
        if decay is not None and start is not None and out["temperature_mode"] != "exponential":
            power = 1 if out["temperature_mode"] == "inverse" else 2
            if decay * start**power >= 1.0:
                raise ValueError(
                    f"temperature_decay * temperature_start{'' if power == 1 else '^2'} must be "
                    f"< 1 in {out['temperature_mode']} mode (got {decay * start**power:.3g}); "
                    "the temperature would not stay positive")
        if (start is not None and out["temperature_end"] is not None
                and out["temperature_end"] > start):
            raise ValueError(f"temperature_end ({out['temperature_end']}) must not exceed "
                             f"temperature_start ({start})")
        out["temperature_interval"] = check_positive_int("temperature_interval",
                                                         params["temperature_interval"])
        out["offset_increase_rate"] = check_positive_float(
            "offset_increase_rate", params["offset_increase_rate"], allow_zero=True)
        out["number_replicas"] = check_positive_int("number_replicas", params["number_replicas"],
                                                    minimum=2)
        out["temperature_ladder"] = check_choice("temperature_ladder",
                                                 params["temperature_ladder"], LADDERS)
        out["replica_exchange_interval"] = check_positive_int(
            "replica_exchange_interval", params["replica_exchange_interval"])
        out["trial"] = check_choice("trial", params["trial"], TRIALS)
        if not isinstance(params["decomposition"], (bool, np.bool_)):
            raise TypeError(f"decomposition must be True or False, got "
                            f"{params['decomposition']!r}")
        out["decomposition"] = bool(params["decomposition"])
        out["decomposition_max_rounds"] = check_positive_int(
            "decomposition_max_rounds", params["decomposition_max_rounds"])
        if out["mode"] == "replica_exchange":
            for name in ("temperature_decay", "temperature_mode", "temperature_interval"):
                if name in given:
                    raise ValueError(f"{name} applies to mode='annealing' only; replica exchange "
                                     "uses temperature_start/temperature_end and "
                                     "temperature_ladder")
            if out["decomposition"]:
                raise ValueError("decomposition=True works with mode='annealing' only")
        return out

    # ------------------------------------------------------------------ base-class hooks
    def _check_fit(self, fit: Any, bqm: dimod.BinaryQuadraticModel,
                   params: dict[str, Any]) -> None:
        if params.get("decomposition", False):
            return
        if not fit.fits_capacity:
            too_many = bqm.num_variables - self.spec.capacity
            raise ValueError(
                f"the model has {bqm.num_variables:,} variables but {self.spec.name} holds at "
                f"most {self.spec.capacity:,} ({too_many:,} too many); pass decomposition=True "
                "to solve it by sub-problems (our model of the hybrid DA3), or use a larger spec")

    # ------------------------------------------------------------------ sampling
    def _sample_arrays(self, arrays: IsingArrays, rng: np.random.Generator, *, num_reads: int,
                       record_trace: bool, backend: str, scale: float,
                       **params: Any) -> KernelResult:
        xp = None
        if backend == "gpu":
            xp = require_cupy()
            if arrays.num_variables > GPU_DENSE_LIMIT:
                raise ValueError(f"backend='gpu' stores couplings densely and takes at most "
                                 f"{GPU_DENSE_LIMIT:,} variables; got {arrays.num_variables:,}")
        initial = params["initial_states"]
        t_hot, t_cold = _auto_temperatures(arrays, initial)
        t_start = params["temperature_start"]
        t_start = t_hot if t_start is None else t_start * scale
        t_end = params["temperature_end"]
        t_end = None if t_end is None else t_end * scale
        if t_end is not None and t_end > t_start:
            raise ValueError(f"temperature_end ({t_end / scale:.6g}) exceeds the automatic "
                             f"temperature_start ({t_start / scale:.6g}); give "
                             "temperature_start as well")
        info: dict[str, Any] = {"mode": params["mode"], "trial": params["trial"],
                                "scale_factor": scale}
        engine = _Engine(arrays, xp, rng, params["offset_increase_rate"] * scale,
                         params["trial"] == "single", scale)
        if params["mode"] == "replica_exchange":
            t_end = min(t_cold, t_start) if t_end is None else t_end
            spins, steps, trace, extra = engine.replica_exchange(
                initial, t_start, t_end, params, record_trace)
            info.update(extra)
            info.update(temperature_start=t_start / scale, temperature_end=t_end / scale)
            return KernelResult(spins, steps, trace, info)
        n_iter = params["number_iterations"]
        interval = params["temperature_interval"]
        updates = (n_iter - 1) // interval
        if updates >= MAX_TEMPERATURE_UPDATES:
            raise ValueError(f"number_iterations / temperature_interval gives {updates:,} "
                             f"temperature updates; at most {MAX_TEMPERATURE_UPDATES:,} are "
                             "stored: raise temperature_interval")
        mode_code = TEMPERATURE_MODES.index(params["temperature_mode"])
        decay = params["temperature_decay"]
        if decay is None:
            t_end = min(t_cold, t_start) if t_end is None else t_end
            decay = kernels_cpu.decay_for_end(t_start, t_end, updates, mode_code)
            decay_model = decay * scale ** [0, 1, 2][mode_code]
        else:
            decay_model = decay
            decay = decay / scale ** [0, 1, 2][mode_code]
        temps = kernels_cpu.temperature_schedule(t_start, decay, updates, mode_code)
        info.update(temperature_start=t_start / scale, temperature_end=float(temps[-1]) / scale,
                    temperature_decay=decay_model, temperature_mode=params["temperature_mode"])
        if params["decomposition"] and self.spec is not None and self.spec.capacity is not None \
                and arrays.num_variables > self.spec.capacity:
            result = decompose(
                arrays, initial, self.spec.capacity,
                lambda sub, s, f, e: engine.solve_block(sub, s, f, e, temps, interval, n_iter),
                rng, max_rounds=params["decomposition_max_rounds"], record_trace=record_trace)
            info.update(decomposition_rounds=result.rounds,
                        decomposition_converged=result.converged)
            return KernelResult(result.spins, result.steps, result.trace, info)
        spins, trace = engine.anneal(arrays, initial, temps, interval, n_iter, record_trace)
        return KernelResult(spins, n_iter, trace, info)


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


class _Engine:
    """Runs the kernels of one backend on one model (CPU: numba, GPU: cupy)."""

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
        self._host = np.asarray if xp is None or xp is np else xp.asnumpy
        self._sync = None if xp is None or xp is np else xp.cuda.Device().synchronize

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _coupling_args(arrays: IsingArrays) -> tuple:
        empty_i = np.zeros(1, dtype=np.int64)
        if arrays.is_dense:
            return arrays.dense, empty_i, empty_i, np.zeros(1), True
        return np.zeros((1, 1)), arrays.indptr, arrays.indices, arrays.data, False

    def _dense_on_device(self, arrays: IsingArrays) -> Any:
        if self._device_dense[0] is not arrays:
            self._device_dense = (arrays, self.xp.asarray(arrays.to_dense()))
        return self._device_dense[1]

    def _cpu_state(self, spins: np.ndarray, fields: np.ndarray, energy: np.ndarray) -> dict:
        rows = len(spins)
        return {
            "spins": np.ascontiguousarray(spins, dtype=np.int8),
            "fields": np.ascontiguousarray(fields, dtype=np.float64),
            "energy": np.array(energy, dtype=np.float64),
            "offset": np.zeros(rows),
            "best_energy": np.array(energy, dtype=np.float64),
            "best_spins": np.array(spins, dtype=np.int8),
            "rng_state": kernels_cpu.seed_states(kernel_seeds(self.rng, rows)),
        }

    # ---------------------------------------------------------------- annealing
    def _anneal_state(self, arrays: IsingArrays, spins: np.ndarray, fields: np.ndarray,
                      energy: np.ndarray, temps: np.ndarray, interval: int, n_iter: int,
                      record_trace: bool) -> tuple[np.ndarray, np.ndarray, Trace | None]:
        if self.xp is None:
            st = self._cpu_state(spins, fields, energy)
            coupling = self._coupling_args(arrays)

            def advance(lo: int, hi: int) -> np.ndarray:
                kernels_cpu.anneal(lo, hi, temps, interval, self.offset_rate, self.single,
                                   st["spins"], st["fields"], st["energy"], st["offset"],
                                   st["best_energy"], st["best_spins"], st["rng_state"],
                                   *coupling)
                return st["best_energy"]

            trace = run_chunked(advance, n_iter, record=record_trace)
            return st["best_spins"], st["best_energy"], trace
        xp = self.xp
        gen = xp.random.default_rng(int(kernel_seeds(self.rng, 1)[0]))
        dense = self._dense_on_device(arrays)
        dst = kernels_gpu.to_device(xp, spins, fields, energy)

        def advance_gpu(lo: int, hi: int) -> np.ndarray:
            kernels_gpu.anneal(xp, gen, dense, dst, lo, hi, temps, interval, self.offset_rate,
                               self.single)
            return self._host(dst.best_energy)

        trace = run_chunked(advance_gpu, n_iter, record=record_trace, sync=self._sync)
        return self._host(dst.best_spins), self._host(dst.best_energy), trace

    def anneal(self, arrays: IsingArrays, spins: np.ndarray, temps: np.ndarray, interval: int,
               n_iter: int, record_trace: bool) -> tuple[np.ndarray, Trace | None]:
        """Annealing mode from ``spins``; returns each run's best state and the trace."""
        best, _, trace = self._anneal_state(arrays, spins, arrays.local_fields(spins),
                                            arrays.energies(spins), temps, interval, n_iter,
                                            record_trace)
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
                         params: dict[str, Any], record_trace: bool
                         ) -> tuple[np.ndarray, int, Trace | None, dict[str, Any]]:
        """Replica-exchange mode; returns per-run best states, steps, trace and swap info."""
        arrays = self.arrays
        runs, n = initial.shape
        m = params["number_replicas"]
        interval = params["replica_exchange_interval"]
        rounds = -(-params["number_iterations"] // interval)
        ladder = _ladder(t_hot, t_cold, m, params["temperature_ladder"])
        spins = np.repeat(initial, m, axis=0)
        perm = np.arange(runs * m, dtype=np.int64).reshape(runs, m)
        row_temp = np.tile(ladder, runs).reshape(runs * m, 1)
        accepted = np.zeros((runs, m - 1), dtype=np.int64)
        attempted = np.zeros((runs, m - 1), dtype=np.int64)
        adapt_at: set[int] = set()
        if params["temperature_ladder"] == "adaptive":
            adapt_at = {int(round(rounds * ADAPT_SHARE * (k + 1) / ADAPT_PERIODS))
                        for k in range(ADAPT_PERIODS)} - {0}
        fields = arrays.local_fields(spins)
        energy = arrays.energies(spins)
        totals = [np.zeros_like(accepted), np.zeros_like(attempted)]

        if self.xp is None:
            st = self._cpu_state(spins, fields, energy)
            swap_state = kernels_cpu.seed_states(kernel_seeds(self.rng, runs))
            coupling = self._coupling_args(arrays)

            def run_rounds(lo: int, hi: int) -> None:
                kernels_cpu.replica_exchange_rounds(
                    lo, hi, interval, self.offset_rate, self.single, row_temp, perm, swap_state,
                    accepted, attempted, st["spins"], st["fields"], st["energy"], st["offset"],
                    st["best_energy"], st["best_spins"], st["rng_state"], *coupling)

            def read_best() -> tuple[np.ndarray, np.ndarray]:
                return st["best_energy"], st["best_spins"]

            temps_host = row_temp
        else:
            xp = self.xp
            gen = xp.random.default_rng(int(kernel_seeds(self.rng, 1)[0]))
            dense = self._dense_on_device(arrays)
            dst = kernels_gpu.to_device(xp, spins, fields, energy)
            d_temp = xp.asarray(row_temp[:, 0])
            d_perm = xp.asarray(perm)
            d_acc = xp.zeros_like(xp.asarray(accepted))
            d_att = xp.zeros_like(d_acc)

            def run_rounds(lo: int, hi: int) -> None:
                kernels_gpu.replica_exchange_rounds(xp, gen, dense, dst, lo, hi, interval,
                                                    self.offset_rate, self.single, d_temp,
                                                    d_perm, d_acc, d_att)
                perm[:] = self._host(d_perm)
                accepted[:] = self._host(d_acc)
                attempted[:] = self._host(d_att)
                row_temp[:, 0] = self._host(d_temp)

            def read_best() -> tuple[np.ndarray, np.ndarray]:
                return self._host(dst.best_energy), self._host(dst.best_spins)

            temps_host = row_temp

        def adapt() -> None:
            _adapt_ladder(temps_host[:, 0], perm, accepted, attempted)
            totals[0] += accepted
            totals[1] += attempted
            accepted[:] = 0
            attempted[:] = 0
            if self.xp is not None:
                d_temp[:] = self.xp.asarray(temps_host[:, 0])
                d_acc[:] = 0
                d_att[:] = 0

        def advance(lo: int, hi: int) -> np.ndarray:
            cuts = sorted({lo, hi, *(a for a in adapt_at if lo < a < hi)})
            for a, b in zip(cuts[:-1], cuts[1:], strict=True):
                run_rounds(a, b)
                if b in adapt_at:
                    adapt()
            best_energy, _ = read_best()
            return best_energy.reshape(runs, m).min(axis=1)

        trace = run_chunked(advance, rounds, record=record_trace)
        if trace is not None:
            trace = Trace(trace.step * interval, trace.seconds, trace.best_energy)
        best_energy, best_spins = read_best()
        pick = best_energy.reshape(runs, m).argmin(axis=1) + np.arange(runs) * m
        totals[0] += accepted
        totals[1] += attempted
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = totals[0].sum(axis=0) / totals[1].sum(axis=0)
        slot_temps = np.sort(temps_host[perm[0], 0])[::-1]
        extra = {"number_replicas": m, "swap_acceptance": rates,
                 "ladder": slot_temps / self.scale,
                 "replica_exchange_rounds": rounds}
        return best_spins[pick], rounds * interval, trace, extra


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

