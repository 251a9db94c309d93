"""Suite files: YAML → validated :class:`Suite` → list of :class:`Job`.

A suite file (loaded with ``yaml.safe_load``; tags that construct objects are refused)::

    name: quickstart                 # required; letters, digits, '-', '_'
    description: ...                 # optional
    seeds: [0, 1]                    # list of ints, or an int n meaning 0..n-1
    reads: 16                        # reads (samples) per job
    budget: {num_sweeps: 1000}       # per-job budget passed to every sampler
    target: auto                     # auto | best_known | ground_state | best_seen | <number>
    metrics: {epsilon: 1.0e-6, bootstrap: 1000, trace: true}   # trace: true|false|first_seed
                                     # stop_at_target: true stops reads at a known target
    settings:                        # grids shared by every machine / every problem
      machine.num_sweeps: [100, 1000]
    problems:
      - name: k64
        kind: maxcut_dense
        params: {n: 64, instance_seed: 1}
        grid: {}                     # optional: grids over this problem's parameters
        target: best_seen            # optional: overrides the suite's target
        machines: [sa]               # optional: only these machines run this problem
    machines:
      - name: sa                     # label in the results (default: the machine name)
        machine: dwave-sa            # a name from suites.registry.MACHINES or .TRAINERS
        params: {beta_range: [0.1, 4.0]}
        grid: {num_sweeps: [100, 1000]}

The cartesian product problems × problem grid × machines × machine grid × seeds gives the
jobs. A trainer (``TRAINERS``) only trains training problems, a QUBO problem needs samplers
(:func:`suites.trainers.check_pairing`); a trainer's ``params`` are its own settings. A job's
id is a hash of its content (canonical JSON), so the same job gets the same id in every process
and every run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from suites import problems as problem_registry
from suites import registry, trainers

#: Bumped when the meaning of a job's content changes (so old results are not reused).
JOB_SCHEMA_VERSION = 1
TARGET_POLICIES = ("auto", "best_known", "ground_state", "best_seen")
METRIC_NAMES = ("success", "tts99", "residual", "convergence", "accuracy")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SPECS_DIR = Path(__file__).with_name("specs")

#: Types of the sampling keyword arguments the suites know about (others: any JSON value).
SAMPLER_PARAM_TYPES: dict[str, tuple[type, ...]] = {
    "num_reads": (int,),
    "num_sweeps": (int,),
    "num_sweeps_per_beta": (int,),
    "seed": (int,),
    "time_limit": (int, float),
    "record_trace": (bool,),
    "beta_range": (list,),
    "beta_schedule_type": (str,),
    "backend": (str,),
}


class SpecError(ValueError):
    """A mistake in a suite file; the message names the file, the key and what was expected."""


@dataclass(frozen=True)
class ProblemSpec:
    """One problem entry of a suite (before grid expansion)."""

    name: str
    kind: str
    params: dict[str, Any]
    grid: dict[str, list[Any]]
    target: Any
    machines: list[str] | None = None


@dataclass(frozen=True)
class MachineSpecEntry:
    """One machine entry of a suite (before grid expansion)."""

    name: str
    machine: str
    target: str
    init: dict[str, Any]
    params: dict[str, Any]
    grid: dict[str, list[Any]]


@dataclass
class Suite:
    """A validated suite."""

    name: str
    description: str
    source: str
    seeds: list[int]
    reads: int
    budget: dict[str, Any]
    target: Any
    metrics: dict[str, Any]
    problems: list[ProblemSpec]
    machines: list[MachineSpecEntry]
    settings: dict[str, list[Any]] = field(default_factory=dict)

    def jobs(self) -> list[Job]:
        """Expand into jobs (see :func:`expand`)."""
        return expand(self)

    def instance_files(self) -> list[Path]:
        """Every instance file the problems name, each read (validation reads them too)."""
        files: set[Path] = set()
        for problem in self.problems:
            adapter = problem_registry.problem_kind(problem.kind)
            for point in _grid_points(problem.grid) or [{}]:
                files.update(adapter.check_instances({**problem.params, **point}))
        return sorted(files)

    def content_hash(self) -> str:
        """Hash of the expanded job ids: equal suites give equal hashes in every process."""
        ids = sorted(job.id for job in self.jobs())
        return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Job:
    """One unit of work: one problem instance × one machine setting × one seed."""

    suite: str
    problem: str
    kind: str
    mode: str
    problem_params: dict[str, Any]
    machine: str
    machine_name: str
    sampler: str
    sampler_init: dict[str, Any]
    sample_params: dict[str, Any]
    setting: dict[str, Any]
    seed: int
    reads: int
    target: Any
    record_trace: bool
    #: ``{"epsilon": ..., "epsilon_rel": ...}`` when the suite stops reads at a known target
    #: (``metrics.stop_at_target``): the runner passes the success threshold as
    #: ``target_energy``. ``None`` otherwise, and then left out of the content (ids of suites
    #: without it are unchanged).
    stop_at_target: dict[str, float] | None = None

    @property
    def content(self) -> dict[str, Any]:
        """Everything that determines the job's result, as plain JSON data."""
        data = asdict(self)
        if data["stop_at_target"] is None:
            del data["stop_at_target"]
        data["schema"] = JOB_SCHEMA_VERSION
        return data

    @property
    def id(self) -> str:
        """Stable content hash (sha256 of canonical JSON, 16 hex digits)."""
        return job_hash(self.content)

    @property
    def setting_label(self) -> str:
        """``"key=value, ..."`` of the grid values of this job (``"default"`` when none)."""
        if not self.setting:
            return "default"
        return ", ".join(f"{k}={_fmt(v)}" for k, v in sorted(self.setting.items()))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (what travels to workers and into result files)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Job:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def _fmt(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no whitespace; refuses NaN/inf (they have no canonical form)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def job_hash(content: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of ``content``, first 16 hex digits."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()[:16]


# ---------------------------------------------------------------- loading and validation


def shipped_suites() -> dict[str, Path]:
    """Suites shipped in ``suites/specs`` by name."""
    return {p.stem: p for p in sorted(SPECS_DIR.glob("*.yaml"))}


def resolve_suite_path(name_or_path: str | Path) -> Path:
    """A path to an existing file, or the name of a shipped suite."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = shipped_suites()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    raise SpecError(
        f"no suite file {str(name_or_path)!r}; give a path or one of the shipped suites: "
        f"{', '.join(shipped) or '(none)'}"
    )


def load_suite(name_or_path: str | Path, *, check_machines: bool = True) -> Suite:
    """Read and validate a suite file (path, or the name of a shipped suite)."""
    path = resolve_suite_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not a text (UTF-8) file ({exc.reason} at byte {exc.start}); "
                        "a suite is a YAML file") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_suite(text, source=str(path), check_machines=check_machines)


def parse_suite(text: str, source: str = "<string>", *, check_machines: bool = True) -> Suite:
    """Validate YAML text into a :class:`Suite`.

    ``check_machines=False`` skips constructing samplers to check their parameter names (for
    listing suites whose machines are not installed here).
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: not valid YAML (safe loader): {_yaml_problem(exc)}") from exc
    return _Validator(source, check_machines).suite(data)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """One line: where the YAML parser stopped and why."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


class _Validator:
    def __init__(self, source: str, check_machines: bool):
        self.source = source
        self.check_machines = check_machines

    def error(self, key: str, message: str) -> SpecError:
        return SpecError(f"{self.source}: {key}: {message}")

    # -- helpers
    def mapping(self, value: Any, key: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a mapping, got {type(value).__name__}")
        unknown = set(value) - allowed
        if unknown:
            raise self.error(
                key,
                f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                f"allowed: {', '.join(sorted(allowed))}",
            )
        missing = required - set(value)
        if missing:
            raise self.error(key, f"missing required key(s) {', '.join(sorted(missing))}")
        return value

    def name(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not _NAME_RE.match(value):
            raise self.error(
                key, f"expected a name of letters, digits, '-', '_', '.', got {value!r}"
            )
        return value

    def positive_int(self, value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(key, f"expected a positive integer, got {value!r}")
        return value

    def plain(self, value: Any, key: str) -> Any:
        """Accept only JSON-representable data (numbers finite)."""
        try:
            canonical_json(value)
        except (TypeError, ValueError) as exc:
            raise self.error(key, f"expected plain data (numbers, strings, lists): {exc}") from exc
        return value

    def grid(self, value: Any, key: str) -> dict[str, list[Any]]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(key,
                             f"expected a mapping of parameter -> list of values, got {value!r}")
        out = {}
        for param, values in value.items():
            if not isinstance(values, list):
                raise self.error(f"{key}.{param}", f"expected a list of values, got {values!r}")
            if not values:
                raise self.error(f"{key}.{param}", "empty grid: give at least one value")
            out[str(param)] = [self.plain(v, f"{key}.{param}") for v in values]
        return out

    # -- sections
    def suite(self, data: Any) -> Suite:
        top = {"name", "description", "seeds", "reads", "budget", "target", "metrics",
               "settings", "problems", "machines"}
        data = self.mapping(data, "(top level)", top, {"name", "problems", "machines"})
        name = self.name(data["name"], "name")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise self.error("description", "expected a string")
        seeds = self.seeds(data.get("seeds", [0]))
        reads = self.positive_int(data.get("reads", 10), "reads")
        budget = self.budget(data.get("budget", {}))
        target = self.target(data.get("target"), "target") if "target" in data else None
        metrics = self.metrics(data.get("metrics", {}))
        settings = self.grid(data.get("settings"), "settings")
        for key in settings:
            if not key.startswith(("machine.", "problem.")) or key.count(".") != 1:
                raise self.error(
                    f"settings.{key}", "expected keys 'machine.<param>' or 'problem.<param>'"
                )
        problems = self.problems(data["problems"], target, settings)
        machines = self.machines(data["machines"], budget, settings)
        names = [m.name for m in machines]
        for i, problem in enumerate(problems):
            unknown = sorted(set(problem.machines or []) - set(names))
            if unknown:
                raise self.error(f"problems[{i}] ({problem.name}).machines",
                                 f"no machine named {', '.join(unknown)} in this suite; "
                                 f"machines: {', '.join(names)}")
        self.pairings(problems, machines)
        return Suite(name, description, self.source, seeds, reads, budget, target, metrics,
                     problems, machines, settings)

    def seeds(self, value: Any) -> list[int]:
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 1:
                raise self.error("seeds", f"expected a positive count or a list, got {value}")
            return list(range(value))
        if not isinstance(value, list) or not value:
            raise self.error("seeds", f"expected a non-empty list of integers, got {value!r}")
        for s in value:
            if isinstance(s, bool) or not isinstance(s, int) or s < 0:
                raise self.error("seeds", f"expected non-negative integers, got {s!r}")
        if len(set(value)) != len(value):
            raise self.error("seeds", "seeds repeat")
        return list(value)

    def budget(self, value: Any) -> dict[str, Any]:
        value = self.mapping(value, "budget", {"num_sweeps", "time_limit"}, set())
        if len(value) > 1:
            raise self.error("budget", "give either num_sweeps or time_limit, not both")
        for key, v in value.items():
            self.sampler_value(key, v, f"budget.{key}")
        return dict(value)

    def target(self, value: Any, key: str) -> Any:
        if isinstance(value, bool) or value is None:
            raise self.error(key, f"expected one of {', '.join(TARGET_POLICIES)} or a number")
        if isinstance(value, (int, float)):
            if not math.isfinite(value):
                raise self.error(key, "target energy must be finite")
            return float(value)
        if value not in TARGET_POLICIES:
            raise self.error(
                key, f"expected one of {', '.join(TARGET_POLICIES)} or a number, got {value!r}"
            )
        return value

    def metrics(self, value: Any) -> dict[str, Any]:
        allowed = {"compute", "epsilon", "epsilon_rel", "bootstrap", "trace", "stop_at_target"}
        value = self.mapping(value or {}, "metrics", allowed, set())
        out: dict[str, Any] = {"compute": list(METRIC_NAMES), "epsilon": 1e-6,
                               "epsilon_rel": 0.0, "bootstrap": 1000, "trace": True,
                               "stop_at_target": False}
        if "compute" in value:
            compute = value["compute"]
            if not isinstance(compute, list) or not compute:
                raise self.error("metrics.compute", f"expected a non-empty list of {METRIC_NAMES}")
            bad = [m for m in compute if m not in METRIC_NAMES]
            if bad:
                raise self.error(
                    "metrics.compute", f"unknown metric(s) {bad}; known: {', '.join(METRIC_NAMES)}"
                )
            out["compute"] = list(compute)
        for key in ("epsilon", "epsilon_rel"):
            if key in value:
                v = value[key]
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0:
                    raise self.error(f"metrics.{key}", f"expected a number >= 0, got {v!r}")
                out[key] = float(v)
        if "bootstrap" in value:
            out["bootstrap"] = self.positive_int(value["bootstrap"], "metrics.bootstrap")
        if "trace" in value:
            if value["trace"] not in (True, False, "first_seed"):
                raise self.error("metrics.trace",
                                 f"expected true, false or first_seed, got {value['trace']!r}")
            out["trace"] = value["trace"]
        if "stop_at_target" in value:
            if not isinstance(value["stop_at_target"], bool):
                raise self.error("metrics.stop_at_target",
                                 f"expected true or false, got {value['stop_at_target']!r}")
            out["stop_at_target"] = value["stop_at_target"]
        return out

    def sampler_value(self, param: str, value: Any, key: str) -> Any:
        self.plain(value, key)
        types = SAMPLER_PARAM_TYPES.get(param)
        if types and (isinstance(value, bool) != (bool in types) or not isinstance(value, types)):
            names = " or ".join(t.__name__ for t in types)
            raise self.error(key, f"expected {names}, got {value!r} ({type(value).__name__})")
        if param in ("num_sweeps", "num_reads") and value < 1:
            raise self.error(key, f"expected a positive integer, got {value!r}")
        if param == "time_limit" and value <= 0:
            raise self.error(key, f"expected a positive number of seconds, got {value!r}")
        return value

    def problem_value(self, param: problem_registry.Param, value: Any, key: str) -> Any:
        kind = param.kind
        ok = {
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v),
            "bool": lambda v: isinstance(v, bool),
            "str": lambda v: isinstance(v, str),
            "path": lambda v: isinstance(v, str) and v != "",
            "int_list": lambda v: isinstance(v, list) and v != []
            and all(isinstance(x, int) and not isinstance(x, bool) for x in v),
            "float_list": lambda v: isinstance(v, list) and v != []
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v),
        }[kind]
        if not ok(value):
            raise self.error(key, f"expected {kind} ({param.help}), got {value!r}")
        return float(value) if kind == "float" else value

    def problems(self, value: Any, suite_target: Any, settings: dict) -> list[ProblemSpec]:
        if not isinstance(value, list) or not value:
            raise self.error("problems", "expected a non-empty list of problems")
        shared_grid = {k.split(".", 1)[1]: v for k, v in settings.items()
                       if k.startswith("problem.")}
        out, seen = [], set()
        for i, entry in enumerate(value):
            key = f"problems[{i}]"
            entry = self.mapping(entry, key,
                                 {"name", "kind", "params", "grid", "target", "machines"},
                                 {"name", "kind"})
            name = self.name(entry["name"], f"{key}.name")
            key = f"problems[{i}] ({name})"
            if name in seen:
                raise self.error(key, f"problem name {name!r} used twice")
            seen.add(name)
            try:
                adapter = problem_registry.problem_kind(entry["kind"])
            except problem_registry.UnknownProblemKindError as exc:
                raise self.error(f"{key}.kind", str(exc)) from None
            except ImportError as exc:
                raise self.error(
                    f"{key}.kind", f"problem kind {entry['kind']!r} is not available here: {exc}"
                ) from None
            params = entry.get("params") or {}
            if not isinstance(params, dict):
                raise self.error(f"{key}.params", "expected a mapping of parameter -> value")
            grid = {**shared_grid, **self.grid(entry.get("grid"), f"{key}.grid")}
            for pname in list(params) + list(grid):
                if pname not in adapter.params:
                    raise self.error(
                        f"{key}.params.{pname}",
                        f"unknown parameter for kind {entry['kind']!r}; accepted: "
                        f"{', '.join(sorted(adapter.params)) or '(none)'}",
                    )
            checked = {}
            for pname, spec in adapter.params.items():
                if pname in params:
                    checked[pname] = self.problem_value(spec, params[pname],
                                                        f"{key}.params.{pname}")
                elif pname in grid:
                    continue
                elif spec.required:
                    raise self.error(f"{key}.params", f"missing required parameter {pname!r} "
                                     f"({spec.help})")
                elif spec.default is not None:
                    checked[pname] = spec.default
            grid = {p: [self.problem_value(adapter.params[p], v, f"{key}.grid.{p}") for v in vs]
                    for p, vs in grid.items()}
            for combo in _grid_points(grid) or [{}]:
                try:
                    adapter.check_params({**checked, **combo})
                    adapter.check_instances({**checked, **combo})  # corrupt files: refused now
                except ValueError as exc:
                    raise self.error(f"{key}.params", str(exc)) from None
            if "target" in entry:
                target = self.target(entry["target"], f"{key}.target")
            elif adapter.mode == "train":
                target = None
            elif suite_target is None:
                raise self.error(
                    key, "missing target: set 'target' on the problem or the suite "
                    f"({', '.join(TARGET_POLICIES)} or a number)"
                )
            else:
                target = suite_target
            only = entry.get("machines")
            if only is not None and (not isinstance(only, list) or not only
                                     or not all(isinstance(m, str) for m in only)):
                raise self.error(f"{key}.machines", "expected a non-empty list of machine names")
            out.append(ProblemSpec(name, entry["kind"], checked, grid, target, only))
        return out

    def machines(self, value: Any, budget: dict, settings: dict) -> list[MachineSpecEntry]:
        if not isinstance(value, list) or not value:
            raise self.error("machines", "expected a non-empty list of machines")
        shared_grid = {k.split(".", 1)[1]: v for k, v in settings.items()
                       if k.startswith("machine.")}
        out, seen = [], set()
        budget_used: set[str] = set()
        for i, entry in enumerate(value):
            key = f"machines[{i}]"
            if isinstance(entry, str):
                entry = {"machine": entry}
            entry = self.mapping(entry, key, {"name", "machine", "init", "params", "grid"},
                                 {"machine"})
            try:
                reg = registry.machine_entry(entry["machine"])
            except registry.UnknownMachineError as exc:
                raise self.error(f"{key}.machine", str(exc)) from None
            name = self.name(entry.get("name", entry["machine"]), f"{key}.name")
            key = f"machines[{i}] ({name})"
            if name in seen:
                raise self.error(key, f"machine name {name!r} used twice (give each a 'name')")
            seen.add(name)
            init = {**reg.init, **(entry.get("init") or {})}
            params = entry.get("params") or {}
            if not isinstance(params, dict) or not isinstance(init, dict):
                raise self.error(key, "'init' and 'params' must be mappings")
            grid = {**shared_grid, **self.grid(entry.get("grid"), f"{key}.grid")}
            self.plain(init, f"{key}.init")
            for pname, v in params.items():
                if pname in ("num_reads", "seed"):
                    raise self.error(f"{key}.params.{pname}",
                                     "set reads and seeds at the top level of the suite")
                self.sampler_value(pname, v, f"{key}.params.{pname}")
            for pname, vs in grid.items():
                for v in vs:
                    self.sampler_value(pname, v, f"{key}.grid.{pname}")
            accepted = None
            if registry.is_trainer(entry["machine"]):
                accepted = self.trainer_params(entry["machine"], init, params, key)
            elif self.check_machines:
                try:
                    accepted = registry.sampler_parameters(reg.target, init)
                except (ImportError, TypeError) as exc:
                    raise self.error(
                        f"{key}.machine",
                        f"machine {entry['machine']!r} ({reg.target}) is not available here: "
                        f"{type(exc).__name__}: {exc}",
                    ) from None
            # the suite budget goes to every machine that has that parameter (a greedy
            # descent, for instance, has no sweep budget)
            usable = {k: v for k, v in budget.items() if accepted is None or k in accepted}
            budget_used |= set(usable)
            merged = {**reg.defaults, **usable, **params}
            if accepted is not None:
                for pname in list(merged) + list(grid):
                    if pname not in accepted:
                        where = "params" if pname in params else "grid"
                        raise self.error(
                            f"{key}.{where}.{pname}",
                            f"machine {entry['machine']!r} does not accept {pname!r}; it "
                            f"accepts: {', '.join(sorted(accepted))}",
                        )
            out.append(MachineSpecEntry(name, entry["machine"], reg.target, init, merged, grid))
        for key in sorted(set(budget) - budget_used):
            raise self.error(f"budget.{key}", f"no machine in this suite accepts {key!r}; set "
                             "each machine's own budget parameter under its 'params'")
        return out

    def trainer_params(self, machine: str, init: dict, params: dict, key: str) -> set[str]:
        """Check a trainer machine's ``params`` (a trainer takes no ``init``); its names."""
        trainer = trainers.trainer_class(machine)
        if init:
            raise self.error(f"{key}.init", f"trainer {machine!r} takes no init; set its "
                             f"parameters under params ({', '.join(trainer.params) or 'none'})")
        for pname, value in params.items():
            if pname in trainer.params:
                self.problem_value(trainer.params[pname], value, f"{key}.params.{pname}")
        try:
            trainer.check_params(params)
        except ValueError as exc:
            raise self.error(f"{key}.params", str(exc)) from None
        return set(trainer.params)

    def pairings(self, problems: list[ProblemSpec], machines: list[MachineSpecEntry]) -> None:
        """Every problem's machines can run it (:func:`suites.trainers.check_pairing`)."""
        for i, problem in enumerate(problems):
            adapter = problem_registry.problem_kind(problem.kind)
            for machine in machines:
                if problem.machines is not None and machine.name not in problem.machines:
                    continue
                for combo in _grid_points(problem.grid) or [{}]:
                    try:
                        trainers.check_pairing(adapter, {**problem.params, **combo},
                                               machine.machine)
                    except ValueError as exc:
                        raise self.error(f"problems[{i}] ({problem.name}).machines",
                                         f"{machine.name}: {exc}") from None


def _grid_points(grid: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    keys = sorted(grid)
    combos = itertools.product(*(grid[k] for k in keys))
    return [dict(zip(keys, values, strict=True)) for values in combos]


def expand(suite: Suite) -> list[Job]:
    """The cartesian product of problems (× their grids), machines (× grids) and seeds."""
    jobs = []
    stop = None
    if suite.metrics["stop_at_target"]:
        stop = {"epsilon": suite.metrics["epsilon"], "epsilon_rel": suite.metrics["epsilon_rel"]}
    for problem in suite.problems:
        mode = problem_registry.problem_kind(problem.kind).mode
        for pgrid in _grid_points(problem.grid) or [{}]:
            for machine in suite.machines:
                if problem.machines is not None and machine.name not in problem.machines:
                    continue
                for mgrid in _grid_points(machine.grid) or [{}]:
                    setting = {**{f"{k}": v for k, v in pgrid.items()},
                               **{f"{k}": v for k, v in mgrid.items()}}
                    for seed in suite.seeds:
                        trace = "convergence" in suite.metrics["compute"] and (
                            suite.metrics["trace"] is True
                            or (suite.metrics["trace"] == "first_seed" and seed == suite.seeds[0])
                        )
                        jobs.append(Job(
                            suite=suite.name, problem=problem.name, kind=problem.kind,
                            mode=mode, problem_params={**problem.params, **pgrid},
                            machine=machine.machine, machine_name=machine.name,
                            sampler=machine.target, sampler_init=machine.init,
                            sample_params={**machine.params, **mgrid}, setting=setting,
                            seed=seed, reads=suite.reads, target=problem.target,
                            record_trace=trace, stop_at_target=stop if mode == "qubo" else None,
                        ))
    ids = [j.id for j in jobs]
    if len(set(ids)) != len(ids):
        raise SpecError(f"{suite.source}: two jobs are identical (repeated problem or machine "
                        "entries with the same parameters)")
    return jobs
