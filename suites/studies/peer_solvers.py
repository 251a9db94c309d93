"""The solvers of the peers study: ours and the optional peers, each run two ways.

Every :class:`Solver` runs in two *settings* on each instance:

``"defaults"``
    The solver's documented defaults (the values are listed in :data:`DOCUMENTED_DEFAULTS`
    and written into the study's output), except the number of reads, which is the study's
    for every solver so that success probabilities can be estimated (several peers default
    to one read).
``"matched"``
    The same number of spin-update attempts per read for every solver: ``n × sweeps`` for
    a model of ``n`` spins (one sweep = one attempt per spin). Sweeps of single-flip
    Metropolis, Monte Carlo steps of the Digital Annealer (one parallel trial evaluates every
    bit), steps of simulated bifurcation (one step updates every oscillator of an agent) and
    sweeps of momentum annealing each count ``n`` attempts; a parallel-tempering read runs
    ``num_replicas`` replicas and an SQA read ``trotter`` slices, so they get
    ``sweeps / replicas`` and ``sweeps / trotter`` sweeps. Agents are reads. Tabu search
    has no sweeps: its per-read time limit is the per-read time of our one-thread reference
    annealer at the matched budget. The three single-flip annealers (ours, dwave-samplers',
    OpenJij's) also share one schedule, :data:`MATCHED_SCHEDULE`: one β per sweep, geometric
    over the instance's :func:`matched_beta_range`.

Updates are counted from what each run reports (sweeps or steps actually run) times ``n``
times reads (times replicas or slices); tabu's moves are not reported, so its rate is left
out. ``seconds`` is the sampling time each package reports where it reports one (ours and
dwave-samplers' ``info["timing"]["sampling_ns"]``, OpenJij's per-read algorithm times), else
the wall time of the algorithm alone (tabu: the call; ``simulated-bifurcation``: its
integrator, after the model tensor is built).
"""

from __future__ import annotations

import importlib.util
import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import dimod
import numpy as np

if TYPE_CHECKING:
    from suites.studies.peer_process import PeerProcess

__all__ = [
    "DOCUMENTED_DEFAULTS",
    "MATCHED_SCHEDULE",
    "SETTINGS",
    "Budget",
    "Context",
    "Outcome",
    "Solver",
    "all_solvers",
    "matched_beta_range",
]

SETTINGS = ("defaults", "matched")

#: Each solver's budget-setting defaults as its documentation states them (and where).
DOCUMENTED_DEFAULTS: dict[str, str] = {
    "SA (ours)": "num_sweeps=1000, geometric β over the model's default range "
                 "(emulators.annealing docstring)",
    "SA (ours, 1 thread)": "as SA (ours), numba limited to one thread",
    "PT (ours)": "num_sweeps=1000, num_replicas=16, swap_interval=1",
    "DA (ours)": "number_iterations=10000, temperature_interval=100, spec DA2 "
                 "(DA3 above DA2's 8,192 bits)",
    "bSB (ours)": "num_steps=1000, dt=1.25 (lowered for stiff models), a0=1, spec sb-gpu-fp32 "
                  "(no spec above its 4,096 spins)",
    "dSB (ours)": "as bSB (ours), variant='dSB'",
    "momentum (ours)": "num_sweeps=1000, dropout=0.5, self-coupling λ_max(J)",
    "dwave SA": "num_sweeps=1000, geometric β over its default range: hot ln 2 / (2 max_i F_i), "
                "cold ln(#smallest gaps / 0.01) / (2 min |bias|) (dwave-samplers docs)",
    "dwave tabu": "timeout=20 ms per read, num_restarts=1e6 (dwave-samplers docs)",
    "OpenJij SA": "num_sweeps=1000, geometric β over a range estimated from the flip costs "
                  "of random states, single-spin flip, sparse=True (openjij.SASampler.sample)",
    "OpenJij SQA": "num_sweeps=1000, trotter=4, beta=5, gamma=1, quartic schedule "
                   "(openjij.SQASampler)",
    "sb bSB": "agents=128 (study: its reads), max_steps=10000, early_stopping=True "
              "(sampling_period=50, convergence_threshold=50), time_step=0.1, "
              "pressure_slope=0.01, float32, CPU (simulated_bifurcation.minimize; every "
              "agent's state kept, as with best_only=False)",
    "sb dSB": "as sb bSB, mode='discrete'",
}


#: The β schedule of the single-flip annealers (ours, dwave SA, OpenJij SA) in the matched runs.
MATCHED_SCHEDULE = (
    "one β per sweep, geometric from hot to cold over the instance's β range, the same for our "
    "SA, dwave-samplers SA and OpenJij SA: our SA's default range "
    "(emulators.annealing.schedules.default_beta_range: hot ln 2 / (2 max_i F_i), cold "
    "ln 100 / (2 min |c|), F_i = |h_i| + Σ_j |J_ij|, c the non-zero h and J of the spin "
    "form), i.e. dwave-samplers' default rule without its count of smallest gaps")


def matched_beta_range(bqm: dimod.BinaryQuadraticModel) -> tuple[float, float]:
    """``(beta_hot, beta_cold)`` of the matched annealers on ``bqm``: the range our simulated
    annealer uses by default, computed as it computes it (spin form, kernel storage)."""
    from emulators._core.arrays import ising_arrays
    from emulators.annealing.schedules import default_beta_range
    from emulators.annealing.storage import kernel_model

    model = kernel_model(ising_arrays(bqm))
    hot, cold = default_beta_range(model.max_field, model.smallest_coefficient)
    return float(hot), float(cold)


@dataclass(frozen=True)
class Budget:
    """The matched budget: ``sweeps`` update attempts per spin and read, and ``reads``."""

    sweeps: int
    reads: int

    def __post_init__(self) -> None:
        for name in ("sweeps", "reads"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


@dataclass(frozen=True)
class Context:
    """What a run may depend on besides its setting and the budget.

    ``target``: the energy a sampler that takes ``target_energy=`` stops at (the matched runs
    on G-set, whose target is known before the run), else ``None``.
    ``reference_seconds_per_read``: per-read sampling time of our one-thread reference
    annealer in the matched setting on this instance (tabu's time limit), once measured.
    ``beta_range``: the instance's :func:`matched_beta_range`, which the single-flip
    annealers share in the matched setting (:meth:`Solver.run` fills it in when ``None``).
    """

    target: float | None = None
    reference_seconds_per_read: float | None = None
    beta_range: tuple[float, float] | None = None


@dataclass
class Outcome:
    """One solver's run on one instance in one setting."""

    energies: np.ndarray
    seconds: float
    cpu_seconds: float
    wall_seconds: float
    updates: float | None
    params: dict[str, Any]
    stopped_at_target: bool = False

    @property
    def cores_used(self) -> float:
        """Process CPU seconds per wall second of the measured call (threads that ran)."""
        return self.cpu_seconds / self.wall_seconds if self.wall_seconds > 0 else math.nan


class Clock:
    """Wall and process CPU seconds of the measured section (``with Clock() as clock:``).

    Each solver's measured section is its sampling call alone: warm-up calls and model
    conversion stay outside, so ``cpu / wall`` says how many cores the algorithm used.
    """

    wall: float = math.nan
    cpu: float = math.nan

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


#: ``(model, parameters, context) -> (energies, seconds, updates, stopped_at_target, clock)``
Execute = Callable[[dimod.BinaryQuadraticModel, dict, Context], tuple]


@dataclass(frozen=True)
class Solver:
    """A solver of the study.

    ``group`` is ``"ours"`` or ``"peer"``; ``requires`` the modules it imports (a solver
    whose modules are missing is skipped); ``counting`` says how updates are counted;
    ``closest`` names, for ours, the peers whose update rate it is compared with;
    ``max_variables`` is the largest model it is run on (``None``: any), with the reason in
    ``limit_reason``. ``make_params(setting, budget, num_variables, context)`` gives the
    keyword arguments; ``implied(context)`` the values its defaults run uses without being
    given them (so that a matched run with the same values is known to repeat it).
    """

    name: str
    group: str
    requires: tuple[str, ...]
    counting: str
    make_params: Callable[[str, Budget, int, Context], dict]
    execute: Execute
    closest: tuple[str, ...] = field(default=())
    max_variables: int | None = None
    limit_reason: str = ""
    sampler_path: str = ""
    implied: Callable[[Context], dict] = field(default=lambda context: {})

    def stops_at_target(self, context: Context) -> bool:
        """Whether a run with ``context`` passes ``target_energy=`` (ours, once they take it)."""
        return (context.target is not None and bool(self.sampler_path)
                and "target_energy" in _sampler_class(self.sampler_path)().parameters)

    def repeats_defaults(self, budget: Budget, num_variables: int, context: Context) -> bool:
        """Whether the matched run would be the defaults run again (same keywords, counting
        :attr:`implied` ones, and no stop at a target)."""
        defaults = {**self.params("defaults", budget, num_variables, context),
                    **self.implied(context)}
        return (self.params("matched", budget, num_variables, context) == defaults
                and not self.stops_at_target(context))

    def missing(self) -> list[str]:
        """The required modules that cannot be imported."""
        return [m for m in self.requires if importlib.util.find_spec(m) is None]

    def too_large(self, num_variables: int) -> str:
        """Why a model of ``num_variables`` is not run (``""`` when it is)."""
        if self.max_variables is None or num_variables <= self.max_variables:
            return ""
        return f"n = {num_variables} > {self.max_variables}: {self.limit_reason}"

    def params(self, setting: str, budget: Budget, num_variables: int,
               context: Context) -> dict:
        """The keyword arguments of a run in ``setting`` (without the seed)."""
        if setting not in SETTINGS:
            raise ValueError(f"setting must be one of {SETTINGS}, got {setting!r}")
        return self.make_params(setting, budget, num_variables, context)

    def run(self, bqm: dimod.BinaryQuadraticModel, setting: str, budget: Budget,
            context: Context, seed: int, worker: PeerProcess | None = None) -> Outcome:
        """Run in ``setting``; energies are re-scored on ``bqm``. A peer runs in ``worker``
        when one is given (see :mod:`suites.studies.peer_process`)."""
        if context.beta_range is None:
            context = replace(context, beta_range=matched_beta_range(bqm))
        params = {**self.params(setting, budget, bqm.num_variables, context), "seed": seed}
        if worker is not None and self.group == "peer":
            result = worker.call(execute_by_name, self.name, bqm, dict(params), context)
        else:
            result = self.execute(bqm, dict(params), context)
        energies, seconds, updates, stopped, clock = result
        return Outcome(np.asarray(energies, dtype=float), float(seconds), clock.cpu, clock.wall,
                       updates, params, stopped)


def execute_by_name(name: str, bqm: dimod.BinaryQuadraticModel, params: dict,
                    context: Context) -> tuple:
    """The sampling call of the solver called ``name`` (what a worker process runs)."""
    solver = next((s for s in all_solvers() if s.name == name), None)
    if solver is None:
        raise ValueError(f"no solver called {name!r}")
    return solver.execute(bqm, params, context)


# --------------------------------------------------------------------------- helpers
def _energies(bqm: dimod.BinaryQuadraticModel, samples: Any) -> np.ndarray:
    return np.asarray(bqm.energies(samples), dtype=float)


def _spec_for(cls: type, fallback: Any, num_variables: int) -> Any:
    """The name of ``cls``'s default spec, or ``fallback`` when the model exceeds its capacity."""
    spec = cls().spec
    capacity = getattr(spec, "capacity", None)
    if capacity is not None and num_variables > capacity:
        return fallback
    return getattr(spec, "name", None)


def _sampler_class(path: str) -> type:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


# --------------------------------------------------------------------------- ours
def _ours(path: str, *, work: Callable[[dict, dict], float], budget_key: str,
          threads: int | None = None) -> Execute:
    """Run one of our emulators (``path`` = ``module:Class``).

    ``work(info, params)`` gives the sweeps (× replicas) of one read; a ``spec`` entry of the
    parameters picks the machine model (it is a constructor argument, not a keyword).
    """

    def execute(bqm: dimod.BinaryQuadraticModel, params: dict, context: Context) -> tuple:
        import numba

        from emulators._core.threads import numba_thread_count

        cls = _sampler_class(path)
        sampler = cls(params.pop("spec")) if "spec" in params else cls()
        stopped = context.target is not None and "target_energy" in sampler.parameters
        if stopped:
            params["target_energy"] = context.target
        with numba_thread_count(numba.get_num_threads() if threads is None else threads):
            # a short call of the same kind compiles the kernels (up to 200 sweeps or steps,
            # so that every stage of the schedule runs once)
            warm = {k: v for k, v in params.items() if k != "target_energy"}
            sampler.sample(bqm, **{**warm, "num_reads": 2,
                                   budget_key: min(200, params[budget_key])})
            with Clock() as clock:
                ss = sampler.sample(bqm, **params)
        updates = None if stopped else bqm.num_variables * work(ss.info, params) * len(ss)
        return (ss.record.energy, ss.info["timing"]["sampling_ns"] * 1e-9, updates, stopped,
                clock)

    return execute


SA_PATH = "emulators.annealing:SimulatedAnnealingSampler"
PT_PATH = "emulators.annealing:ParallelTemperingSampler"
DA_PATH = "emulators.digital_annealer:DigitalAnnealerSampler"
SB_PATH = "emulators.bifurcation:SimulatedBifurcationSampler"
MA_PATH = "emulators.bifurcation:ParallelFlipAnnealingSampler"
#: Default number of replicas of our parallel tempering.
PT_REPLICAS = 16


def _budget(setting: str, default: int, matched: int) -> int:
    return default if setting == "defaults" else matched


def _shared_range(ctx: Context) -> tuple[float, float]:
    """The matched annealers' β range (the instance's, carried by ``ctx``)."""
    if ctx.beta_range is None:
        raise ValueError("the matched annealers' β range is the instance's: give "
                         "Context(beta_range=matched_beta_range(bqm))")
    return ctx.beta_range


def _geometric(ctx: Context) -> dict:
    """Our and dwave-samplers' keywords of the matched schedule."""
    return {"beta_range": _shared_range(ctx), "beta_schedule_type": "geometric"}


def _ours_solvers() -> list[Solver]:
    sa_peers = ("dwave SA", "OpenJij SA")

    def sa(setting: str, budget: Budget, n: int, ctx: Context) -> dict:
        params = {"num_reads": budget.reads,
                  "num_sweeps": _budget(setting, 1000, budget.sweeps)}
        return {**params, **_geometric(ctx)} if setting == "matched" else params

    def sa_default_schedule(ctx: Context) -> dict:  # matched_beta_range is our SA's default
        return {"beta_range": ctx.beta_range, "beta_schedule_type": "geometric"}

    def pt(setting: str, budget: Budget, n: int, ctx: Context) -> dict:
        count = _budget(setting, 1000, max(1, budget.sweeps // PT_REPLICAS))
        return {"num_reads": budget.reads, "num_sweeps": count, "num_replicas": PT_REPLICAS}

    def da(setting: str, budget: Budget, n: int, ctx: Context) -> dict:
        return {"num_reads": budget.reads,
                "number_iterations": _budget(setting, 10_000, budget.sweeps),
                "spec": _spec_for(_sampler_class(DA_PATH), "DA3", n)}

    def sb(variant: str) -> Callable:
        def make(setting: str, budget: Budget, n: int, ctx: Context) -> dict:
            return {"num_reads": budget.reads, "variant": variant,
                    "num_steps": _budget(setting, 1000, budget.sweeps),
                    "spec": _spec_for(_sampler_class(SB_PATH), None, n)}
        return make

    def momentum(setting: str, budget: Budget, n: int, ctx: Context) -> dict:
        return {"num_reads": budget.reads, "scheme": "momentum",
                "num_sweeps": _budget(setting, 1000, budget.sweeps),
                "spec": _spec_for(_sampler_class(MA_PATH), None, n)}

    def sweeps_run(info: dict, params: dict) -> float:
        return info["num_sweeps"]

    flips = "n × sweeps × reads (single-spin Metropolis attempts)"
    return [
        Solver("SA (ours)", "ours", ("numba",), flips, sa,
               _ours(SA_PATH, work=sweeps_run, budget_key="num_sweeps"), closest=sa_peers,
               sampler_path=SA_PATH, implied=sa_default_schedule),
        Solver("SA (ours, 1 thread)", "ours", ("numba",), flips, sa,
               _ours(SA_PATH, work=sweeps_run, budget_key="num_sweeps", threads=1),
               closest=sa_peers, sampler_path=SA_PATH, implied=sa_default_schedule),
        Solver("PT (ours)", "ours", ("numba",),
               "n × sweeps × replicas × reads (Metropolis attempts)", pt,
               _ours(PT_PATH, budget_key="num_sweeps",
                     work=lambda info, p: info["num_sweeps"] * len(info["betas"])),
               closest=sa_peers, sampler_path=PT_PATH),
        Solver("DA (ours)", "ours", ("numba",),
               "n × Monte Carlo steps × reads (every bit's trial evaluated each step)", da,
               _ours(DA_PATH, budget_key="number_iterations",
                     work=lambda info, p: p["number_iterations"]),
               closest=sa_peers, sampler_path=DA_PATH),
        *[Solver(f"{v} (ours)", "ours", ("numba",),
                 "n × steps run × agents (oscillator updates)", sb(v),
                 _ours(SB_PATH, budget_key="num_steps",
                       work=lambda info, p: info["num_steps_run"]),
                 closest=(f"sb {v}",), sampler_path=SB_PATH)
          for v in ("bSB", "dSB")],
        Solver("momentum (ours)", "ours", ("numba",),
               "n × sweeps run × replicas (all spins updated at once per sweep)", momentum,
               _ours(MA_PATH, budget_key="num_sweeps",
                     work=lambda info, p: info["num_sweeps_run"]),
               closest=("sb bSB", "sb dSB"), sampler_path=MA_PATH),
    ]


# --------------------------------------------------------------------------- peers
def _dwave_sa(bqm: dimod.BinaryQuadraticModel, params: dict, context: Context) -> tuple:
    from dwave.samplers import SimulatedAnnealingSampler

    with Clock() as clock:
        ss = SimulatedAnnealingSampler().sample(bqm, **params)
    updates = bqm.num_variables * params["num_sweeps"] * len(ss)
    return _energies(bqm, ss), ss.info["timing"]["sampling_ns"] * 1e-9, updates, False, clock


def _dwave_sa_params(setting: str, budget: Budget, n: int, ctx: Context) -> dict:
    params = {"num_reads": budget.reads, "num_sweeps": _budget(setting, 1000, budget.sweeps)}
    return {**params, **_geometric(ctx)} if setting == "matched" else params


def _dwave_tabu(bqm: dimod.BinaryQuadraticModel, params: dict, context: Context) -> tuple:
    from dwave.samplers import TabuSampler

    with Clock() as clock:
        ss = TabuSampler().sample(bqm, **params)
    return _energies(bqm, ss), clock.wall, None, False, clock


def _tabu_params(setting: str, budget: Budget, n: int, ctx: Context) -> dict:
    timeout = 20
    if setting == "matched":
        if ctx.reference_seconds_per_read is None:
            raise ValueError("tabu's matched time limit needs the reference annealer's "
                             "per-read time; run 'SA (ours, 1 thread)' first")
        timeout = max(1, math.ceil(ctx.reference_seconds_per_read * 1000))
    return {"num_reads": budget.reads, "timeout": timeout}


def _openjij(kind: str) -> Execute:
    """OpenJij, one call per read.

    With a ``seed`` every read of one OpenJij call starts from the same state with the same
    random stream (the reads are copies), so each read is its own call with its own seed
    drawn from the study's; the model is converted to OpenJij's form once.
    """

    def execute(bqm: dimod.BinaryQuadraticModel, params: dict, context: Context) -> tuple:
        import openjij

        sampler = getattr(openjij, kind)()
        model = openjij.model.model.BinaryQuadraticModel(
            dict(bqm.linear), dict(bqm.quadratic), bqm.offset, bqm.vartype, sparse=True)
        reads = params.pop("num_reads")
        seeds = np.random.SeedSequence(params.pop("seed")).generate_state(reads)
        call = _openjij_call(params)
        responses = []
        with Clock() as clock:
            for seed in seeds:
                responses.append(sampler.sample(model, num_reads=1, seed=int(seed), **call))
        seconds = sum(float(np.sum(r.info["list_exec_times"])) for r in responses) * 1e-6
        samples = np.array([r.record.sample[0] for r in responses])
        slices = params.get("trotter", 1)
        updates = bqm.num_variables * params["num_sweeps"] * slices * reads
        energies = _energies(bqm, (samples, list(responses[0].variables)))
        return energies, seconds, updates, False, clock

    return execute


def _openjij_call(params: dict) -> dict:
    """The keywords of one OpenJij call for ``params``.

    Past 1,999 sweeps OpenJij holds each of 1,000 geometric βs from ``beta_min`` to
    ``beta_max`` for ``num_sweeps // 1000`` sweeps; there the call gets the same βs one per
    sweep as an explicit ``schedule``, as our and dwave-samplers' annealers step them.
    """
    call = dict(params)
    if "beta_min" in call and call["num_sweeps"] >= 2000:
        betas = np.geomspace(call.pop("beta_min"), call.pop("beta_max"), call.pop("num_sweeps"))
        call["schedule"] = [(float(beta), 1) for beta in betas]
    return call


def _openjij_params(trotter: int | None) -> Callable:
    def make(setting: str, budget: Budget, n: int, ctx: Context) -> dict:
        slices = trotter or 1
        sweeps = _budget(setting, 1000, max(1, budget.sweeps // slices))
        params = {"num_reads": budget.reads, "num_sweeps": sweeps}
        if trotter is not None:
            params["trotter"] = trotter
        elif setting == "matched":  # SA: the shared schedule (beta_min is the hot end)
            params["beta_min"], params["beta_max"] = _shared_range(ctx)
        return params

    return make


#: Largest model the ``simulated-bifurcation`` package is run on (our GPU SB preset's size).
SB_PACKAGE_LIMIT = 4096
#: simulated-bifurcation's documented environment (``simulated_bifurcation.get_env``).
SB_TIME_STEP, SB_PRESSURE_SLOPE = 0.1, 0.01


def _sb_params(mode: str) -> Callable:
    def make(setting: str, budget: Budget, n: int, ctx: Context) -> dict:
        if setting == "defaults":
            return {"agents": budget.reads, "mode": mode, "max_steps": 10_000,
                    "early_stopping": True, "sampling_period": 50, "convergence_threshold": 50,
                    "time_step": SB_TIME_STEP, "pressure_slope": SB_PRESSURE_SLOPE}
        # the pump a(t) = time_step × step × slope reaches 1 at the last step, as ours does
        return {"agents": budget.reads, "mode": mode, "max_steps": budget.sweeps,
                "early_stopping": False, "sampling_period": 50, "convergence_threshold": 50,
                "time_step": SB_TIME_STEP,
                "pressure_slope": 1.0 / (SB_TIME_STEP * budget.sweeps)}

    return make


def sb_ising(bqm: dimod.BinaryQuadraticModel) -> tuple[np.ndarray, np.ndarray, list]:
    """``(J, h, labels)`` of ``bqm`` in simulated-bifurcation's convention.

    That package minimises ``-0.5 s.J.s + h.s``; a dimod spin model is
    ``h.s + sum_(i<j) J_ij s_i s_j + offset``, so its ``J`` is minus the symmetrised
    couplings (the offset does not move the minimum).
    """
    spin = bqm.spin if bqm.vartype is dimod.BINARY else bqm
    labels = list(spin.variables)
    h, (rows, cols, vals), _ = spin.to_numpy_vectors(variable_order=labels)
    n = len(labels)
    coupling = np.zeros((n, n))
    np.add.at(coupling, (rows, cols), vals)
    return -(coupling + coupling.T), np.asarray(h, dtype=float), labels


def _sb_package(bqm: dimod.BinaryQuadraticModel, params: dict, context: Context) -> tuple:
    import torch
    from simulated_bifurcation.core import Ising
    from simulated_bifurcation.optimizer import (
        SimulatedBifurcationEngine,
        SimulatedBifurcationOptimizer,
    )

    torch.manual_seed(params["seed"])
    coupling, h, labels = sb_ising(bqm)
    model = Ising(coupling, h, dtype=torch.float32, device="cpu")
    tensor = model.as_simulated_bifurcation_tensor()
    # what simulated_bifurcation.minimize does, kept open to read the steps it ran
    optimizer = SimulatedBifurcationOptimizer(
        params["agents"], params["max_steps"], None,
        SimulatedBifurcationEngine.get_engine(params["mode"]), False, False,
        params["sampling_period"], params["convergence_threshold"])
    optimizer.time_step = params["time_step"]
    optimizer.pressure_slope = params["pressure_slope"]
    with warnings.catch_warnings(), Clock() as clock:
        warnings.simplefilter("ignore")  # its convergence warning when agents keep moving
        spins = optimizer.run_integrator(tensor, params["early_stopping"])
    spins = spins.t().numpy()
    if h.any():  # the linear terms rode on an extra spin: gauge it back to +1
        spins = spins[:, :-1] * spins[:, -1:]
    values = spins if bqm.vartype is dimod.SPIN else (spins + 1) / 2
    updates = len(labels) * optimizer.step * params["agents"]
    return _energies(bqm, (values.astype(np.int8), labels)), clock.wall, updates, False, clock


def _peer_solvers() -> list[Solver]:
    flips = "n × sweeps × reads (single-spin Metropolis attempts)"
    sb_count = "n × steps run × agents (oscillator updates)"
    return [
        Solver("dwave SA", "peer", ("dwave.samplers",), flips, _dwave_sa_params, _dwave_sa),
        Solver("dwave tabu", "peer", ("dwave.samplers",), "not counted (moves not reported)",
               _tabu_params, _dwave_tabu),
        Solver("OpenJij SA", "peer", ("openjij",), flips, _openjij_params(None),
               _openjij("SASampler")),
        Solver("OpenJij SQA", "peer", ("openjij",),
               "n × trotter × sweeps × reads (Metropolis attempts on the slices)",
               _openjij_params(4), _openjij("SQASampler")),
        *[Solver(f"sb {v}", "peer", ("simulated_bifurcation", "torch"), sb_count,
                 _sb_params(mode), _sb_package, max_variables=SB_PACKAGE_LIMIT,
                 limit_reason="it stores J as a dense n x n tensor and multiplies it by "
                              "every agent each step (hours on 2 cores for 10^4 steps)")
          for v, mode in (("bSB", "ballistic"), ("dSB", "discrete"))],
    ]


def all_solvers() -> list[Solver]:
    """Every solver of the study, ours first, in the order they run on an instance.

    The one-thread reference annealer runs before tabu, whose matched time limit it sets.
    """
    return [*_ours_solvers(), *_peer_solvers()]
