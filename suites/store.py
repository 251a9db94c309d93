"""Results store: the layout of ``results/<suite>/<run-id>/`` and loading it as DataFrames.

::

    results/<suite>/LATEST            run id of the last run of this suite
    results/<suite>/<run-id>/
        suite.yaml                    the suite file as run
        run.json                      suite name, metric settings, the job ids of the suite
        jobs/<job-id>.json            one file per finished job (written atomically)
        claims/<job-id>.lock          a job some run is running right now (see suites.claims)
        jobs.parquet                  one row per job and read (tidy)
        traces.parquet                one row per job, read and trace step (tidy)
        training.parquet              one row per training job and round (tidy)
        provenance.json               versions, git commit, CPU/GPU, command lines, start/end
        figures/*.png, report.html    written by ``isingbench plot`` / ``report``

Run ids: by default the suite's content hash (:meth:`suites.spec.Suite.content_hash`), so
running the same suite again resumes the same directory, and changing the suite starts a new
one. Finished jobs (status ``ok``) are never run again; failed jobs are retried on a rerun. A
job record that cannot be read (truncated, garbled) is a :class:`DamagedRecord`: it counts as
not finished, loading skips it with a :class:`DamagedRecordWarning`, and the next run redoes
that job. Files that cannot be written raise :class:`StoreError` naming the file, the reason
(disk full, permission denied, ...) and what to do.
"""

from __future__ import annotations

import errno
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from suites import metrics
from suites.claims import exclusive

JOBS_DIR = "jobs"
_UMASK = os.umask(0)
os.umask(_UMASK)
PACKAGES = ("isingbench", "numpy", "scipy", "dimod", "dwave-samplers", "numba", "pandas",
            "pyarrow", "seaborn", "matplotlib", "dask", "distributed", "cupy-cuda12x")


class StoreError(OSError):
    """A results file or directory could not be written or read.

    The message names the path, says why (disk full, permission denied, ...) and what to do.
    """

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.errno = code


#: What an OS error means for a results path, and what to do about it.
_OS_REASONS = {
    errno.ENOSPC: ("disk full", "free space on that disk"),
    errno.EDQUOT: ("disk quota exceeded", "free space or raise the quota"),
    errno.EACCES: ("permission denied", "make it writable or choose another --out"),
    errno.EPERM: ("permission denied", "make it writable or choose another --out"),
    errno.EROFS: ("read-only file system", "choose another --out"),
    errno.ENOTDIR: ("part of that path is a file, not a directory", "choose another --out"),
    errno.EEXIST: ("a file of that name is in the way", "move it or choose another --out"),
}


def storage_error(exc: OSError, path: str | Path, action: str = "write") -> StoreError:
    """A :class:`StoreError` for ``exc`` raised while trying to ``action`` ``path``."""
    what, fix = _OS_REASONS.get(exc.errno, (exc.strerror or str(exc), "check that path"))
    return StoreError(f"cannot {action} {path}: {what}; {fix}", exc.errno)


def utcnow() -> str:
    """Current UTC time, ISO 8601."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def replace_atomic(path: Path, write: Callable[[str], Any]) -> None:
    """Create ``path`` through a temporary file in its directory that ``write(tmp)`` fills.

    Readers see either the old or the complete new file; a failed write leaves no temporary
    file behind and raises :class:`StoreError`.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise storage_error(exc, path) from exc
    try:
        os.close(fd)
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; results are ordinary files
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, StoreError):
            raise storage_error(exc, path) from exc
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see either the old or the complete new file."""
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    replace_atomic(Path(path), write)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.bool_):
        return bool(obj)
    raise TypeError(f"cannot store {type(obj).__name__} in a result file")


def dumps(data: Any) -> str:
    """JSON for result files (numpy scalars/arrays become plain values; inf/nan allowed)."""
    return json.dumps(data, default=_json_default, indent=None)


def job_record_path(run_dir: Path, job_id: str) -> Path:
    """Where the record of job ``job_id`` lives."""
    return Path(run_dir) / JOBS_DIR / f"{job_id}.json"


def write_job_record(run_dir: Path, record: Mapping[str, Any]) -> Path:
    """Store one finished (or failed) job atomically; returns the file path."""
    path = job_record_path(run_dir, record["id"])
    write_atomic(path, dumps(record))
    return path


# ---------------------------------------------------------------- reading job records


@dataclass(frozen=True)
class DamagedRecord:
    """A job record that cannot be read; its job counts as not finished."""

    path: Path
    reason: str

    @property
    def job_id(self) -> str:
        return self.path.stem

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class DamagedRecordWarning(UserWarning):
    """Loading a run skipped job records that cannot be read (see :class:`DamagedRecord`)."""


@dataclass
class JobRecords:
    """The readable records of a run directory, the damaged ones, and the state of each file.

    ``states`` maps a job id to :func:`record_state` of its file when the directory was read,
    so a run can tell whether another run wrote a record since.
    """

    records: list[dict[str, Any]]
    damaged: list[DamagedRecord]
    states: dict[str, tuple[int, int, int]]


def record_state(path: Path) -> tuple[int, int, int] | None:
    """Inode, modification time and size of a record file (``None`` when there is none)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def read_job_record(path: Path) -> dict[str, Any] | DamagedRecord:
    """The record in ``path``, or a :class:`DamagedRecord` saying why it cannot be used."""
    problem = _record_or_problem(path)
    return DamagedRecord(path, problem) if isinstance(problem, str) else problem


def _json_or_problem(path: Path) -> tuple[Any, str | None]:
    """The JSON data in ``path``, or ``(None, why it cannot be read)``."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, "not text (garbled bytes)"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    if not text.strip():
        return None, "empty file"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, (f"not JSON at line {exc.lineno} column {exc.colno} ({exc.msg}): "
                      "truncated or garbled")


def _record_or_problem(path: Path) -> dict[str, Any] | str:
    data, problem = _json_or_problem(path)
    if problem is not None:
        return problem
    if not isinstance(data, dict):
        return f"not a job record (a JSON {type(data).__name__})"
    missing = [k for k in ("id", "job", "status") if k not in data]
    if missing:
        return f"not a job record (no {', '.join(missing)})"
    if data["id"] != path.stem:
        return f"holds job {data['id']!r}, not the job of its file name"
    if data["status"] not in ("ok", "error") or not isinstance(data["job"], dict):
        return f"not a job record (status {data['status']!r})"
    return data


def _read_metadata(path: Path, *, set_aside: bool = False) -> dict[str, Any]:
    """``run.json`` or ``provenance.json`` (``{}`` when absent).

    A damaged ``run.json`` raises :class:`StoreError`. A damaged provenance gives ``{}`` with a
    :class:`DamagedRecordWarning`, so that runs and reports go on; with ``set_aside`` (before
    it is written anew) it is kept as ``provenance.json.damaged``.
    """
    if not path.exists():
        return {}
    data, problem = _json_or_problem(path)
    if problem is None and isinstance(data, dict):
        return data
    problem = problem or f"a JSON {type(data).__name__}, not an object"
    if path.name == "run.json":
        raise StoreError(f"{path} is damaged ({problem}): run the suite again "
                         "(isingbench run SUITE) to write it anew")
    kept = ""
    if set_aside:
        aside = path.with_name(path.name + ".damaged")
        os.replace(path, aside)
        kept = f"; kept as {aside}, a new one is started"
    warnings.warn(f"{path} is damaged ({problem}){kept}", DamagedRecordWarning, stacklevel=3)
    return {}


def scan_job_records(run_dir: Path) -> JobRecords:
    """Read every job record of a run; damaged ones are listed, not raised.

    Temporary files of interrupted writes are ignored.
    """
    records, damaged, states = [], [], {}
    for path in sorted((Path(run_dir) / JOBS_DIR).glob("*.json")):
        state = record_state(path)
        if state is None:  # removed while we looked
            continue
        states[path.stem] = state
        data = read_job_record(path)
        (damaged if isinstance(data, DamagedRecord) else records).append(data)
    return JobRecords(records, damaged, states)


def read_job_records(run_dir: Path) -> list[dict[str, Any]]:
    """Every readable job record of a run (damaged ones: :func:`scan_job_records`)."""
    return scan_job_records(run_dir).records


def damaged_summary(damaged: list[DamagedRecord], limit: int = 3) -> str:
    """One line naming damaged records (the first ``limit`` in full)."""
    shown = "; ".join(map(str, damaged[:limit]))
    more = f"; and {len(damaged) - limit} more" if len(damaged) > limit else ""
    return f"{len(damaged)} damaged job record(s), taken as not finished: {shown}{more}"


# ---------------------------------------------------------------- provenance


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                               text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _gpus() -> list[str]:
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


def environment() -> dict[str, Any]:
    """Package versions, git commit, CPU and GPU of this machine."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "packages": versions,
        "python": sys.version.split()[0],
        "git_commit": _git_commit(),
        "host": platform.node(),
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "gpus": _gpus(),
    }


def record_session(run_dir: Path, session: Mapping[str, Any]) -> None:
    """Add or update one run session (command line, start/end, executor) in provenance.json.

    A session is identified by its ``id`` (two sessions may start in the same second, e.g. a
    run killed at once and resumed); records written before ids existed by their ``start``.
    """
    path = Path(run_dir) / "provenance.json"
    try:
        with exclusive(path):  # concurrent runs into one directory must not drop a session
            _update_sessions(path, session)
    except StoreError:
        raise
    except OSError as exc:
        raise storage_error(exc, path) from exc


def _update_sessions(path: Path, session: Mapping[str, Any]) -> None:
    prov = _read_metadata(path, set_aside=True)
    key = "id" if "id" in session else "start"
    sessions = list(prov.get("sessions", []))
    index = next((i for i, s in enumerate(sessions) if s.get(key) == session.get(key)), None)
    if index is None:
        sessions.append(dict(session))
    else:
        sessions[index] = dict(session)
    prov.update(environment())
    prov["sessions"] = sessions
    prov["start"] = sessions[0].get("start")
    prov["end"] = sessions[-1].get("end")
    prov["command"] = sessions[-1].get("command")
    write_atomic(path, json.dumps(prov, indent=2, default=_json_default))


# ---------------------------------------------------------------- tidy tables


def _instance_key(job: Mapping[str, Any]) -> str:
    return job["problem"] + "|" + json.dumps(job["problem_params"], sort_keys=True)


def resolve_targets(records: Iterable[Mapping[str, Any]]) -> dict[str, tuple[float, str]]:
    """Target energy and its source per problem instance (see DESIGN.md section 3).

    Policies: a number (``given``); ``best_known`` (the instance's known value);
    ``ground_state`` (exact optimum: known by construction or enumerated); ``best_seen``
    (lowest energy of any machine in this run); ``auto`` (known, else exact, else best seen).
    """
    best_seen: dict[str, float] = {}
    known: dict[str, tuple[float | None, str | None, Any]] = {}
    for rec in records:
        job = rec["job"]
        if job["mode"] != "qubo":
            continue
        key = _instance_key(job)
        res = rec.get("result") or {}
        known.setdefault(key, (None, None, job["target"]))
        if rec.get("status") == "ok":
            if res.get("known_target") is not None:
                known[key] = (res["known_target"], res["target_source"], job["target"])
            energies = [e for e in res.get("energies", []) if math.isfinite(e)]
            if energies:
                best_seen[key] = min(best_seen.get(key, math.inf), min(energies))
    out = {}
    for key, (value, source, policy) in known.items():
        fixed = known_target(policy, value, source)
        if fixed is not None:
            out[key] = fixed
        elif policy in ("best_seen", "auto"):
            out[key] = (best_seen.get(key, math.nan), "best_seen")
        else:
            out[key] = (math.nan, "missing")
    return out


def known_target(policy: Any, value: float | None, source: str | None
                 ) -> tuple[float, str] | None:
    """The target a policy fixes before the run, from the instance's known ``value`` and its
    ``source``: a given number, or the known value where the policy takes it; ``None`` where
    it needs the run's best seen energy or nothing suitable is known."""
    if isinstance(policy, (int, float)):
        return float(policy), "given"
    if policy == "best_seen" or value is None:
        return None
    if policy == "ground_state" and source not in ("ground_state", "optimum"):
        return None
    return value, source


TRAINING_COLUMNS = ["job_id", "problem", "machine", "setting", "seed", "round", "train_loss",
                    "best_train_loss", "seconds"]


def _training_rows(job_id: str, base: Mapping[str, Any], history: list[Mapping[str, Any]]
                   ) -> pd.DataFrame:
    """One row per training round: the round's loss, the best loss so far, seconds so far."""
    loss = np.array([float(h["train_loss"]) for h in history])
    seconds = np.array([float(h.get("seconds", math.nan)) for h in history])
    return pd.DataFrame({
        "job_id": job_id, "problem": base["problem"], "machine": base["machine"],
        "setting": base["setting"], "seed": base["seed"],
        "round": [int(h["round"]) for h in history], "train_loss": loss,
        "best_train_loss": np.minimum.accumulate(loss), "seconds": np.cumsum(seconds),
    })


def _run_share(stops: list[float]) -> np.ndarray:
    """Each read's share of the run when reads stopped at a target: its stop step or second
    over the last read's (1 for every read of a run in which none stopped early)."""
    values = np.asarray(stops, dtype=float)
    last = values.max(initial=0.0)
    return values / last if last > 0 else np.ones(values.size)


def _at(value: float | np.ndarray, i: int) -> float:
    """``value`` for read ``i``: the same for every read, or read ``i``'s entry."""
    return float(value[i]) if isinstance(value, np.ndarray) else value


def build_tables(
    records: list[Mapping[str, Any]], epsilon: float = 1e-6, epsilon_rel: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn job records into the tidy ``jobs``, ``traces`` and ``training`` tables.

    A read's ``wall_s`` and ``modelled_s`` are the job's times divided by its reads; when the
    reads stopped at a target (the record has ``stop_seconds`` and ``stop_step``), each is
    multiplied by the read's :func:`_run_share` (1 for every read when none stopped early).
    """
    targets = resolve_targets(records)
    rows, trace_frames, training_frames = [], [], []
    setting_keys = sorted({k for r in records for k in r["job"]["setting"]})
    for rec in records:
        job = rec["job"]
        res = rec.get("result") or {}
        base = _base_row(rec, setting_keys)
        if job["mode"] == "train":
            rows.append(_training_row(base, res))
            if res.get("history"):
                training_frames.append(_training_rows(rec["id"], base, res["history"]))
            continue
        target, source = targets.get(_instance_key(job), (math.nan, "missing"))
        rows.extend(_read_rows(rec, base, target, source, epsilon, epsilon_rel))
        if res.get("trace") and rec["status"] == "ok" and len(res.get("energies", [])):
            trace_frames.append(_trace_frame(rec, base, target))
    jobs = pd.DataFrame(rows)
    traces = pd.concat(trace_frames, ignore_index=True) if trace_frames else pd.DataFrame(
        columns=["job_id", "problem", "machine", "setting", "seed", "read", "step", "seconds",
                 "best_energy", "target"])
    training = (pd.concat(training_frames, ignore_index=True) if training_frames
                else pd.DataFrame(columns=TRAINING_COLUMNS))
    return jobs, traces, training


def _base_row(rec: Mapping[str, Any], setting_keys: list[str]) -> dict[str, Any]:
    """The columns every row of one job shares."""
    job, res = rec["job"], rec.get("result") or {}
    base = {
        "job_id": rec["id"], "suite": job["suite"], "problem": job["problem"],
        "kind": job["kind"], "mode": job["mode"], "machine": job["machine_name"],
        "machine_type": job["machine"],
        "setting": ", ".join(f"{k}={v}" for k, v in sorted(job["setting"].items()))
        or "default",
        "problem_params": json.dumps(job["problem_params"], sort_keys=True),
        "sample_params": json.dumps(job["sample_params"], sort_keys=True),
        "seed": job["seed"], "status": rec["status"], "error": rec.get("error"),
        "sweeps": job["sample_params"].get("num_sweeps"),
        "time_limit": job["sample_params"].get("time_limit"),
        "num_variables": res.get("num_variables"),
        "has_trace": bool(res.get("trace")),
    }
    for k in setting_keys:
        value = job["setting"].get(k)
        base[f"set_{k}"] = json.dumps(value) if isinstance(value, (list, dict)) else value
    return base


def _training_row(base: dict[str, Any], res: Mapping[str, Any]) -> dict[str, Any]:
    """The one row of a training job."""
    m = res.get("metrics", {})
    return {**base, "read": 0, "train_accuracy": m.get("train_accuracy"),
            "test_accuracy": m.get("test_accuracy"), "wall_s": res.get("wall_s"),
            "extra": json.dumps(m, sort_keys=True, default=_json_default)}


def _read_rows(rec: Mapping[str, Any], base: dict[str, Any], target: float, source: str,
               epsilon: float, epsilon_rel: float) -> list[dict[str, Any]]:
    """One row per read of a QUBO job (one placeholder row when it failed or has no reads)."""
    res = rec.get("result") or {}
    energies = np.asarray(res.get("energies", []), dtype=float)
    n = max(len(energies), 1) if rec["status"] == "ok" else 1
    wall_per_read = (res.get("wall_s") or math.nan) / n
    modelled = res.get("modelled_s")
    modelled_per_read = modelled / n if modelled is not None else math.nan
    if "stop_seconds" in res and len(res["stop_seconds"]) == energies.size:
        wall_per_read = wall_per_read * _run_share(res["stop_seconds"])
        modelled_per_read = modelled_per_read * _run_share(res["stop_step"])
    if rec["status"] != "ok" or energies.size == 0:
        return [{**base, "read": 0, "energy": math.nan, "target": target,
                 "target_source": source, "success": False}]
    ok_target = math.isfinite(target)
    success = metrics.successes(energies, target, epsilon, epsilon_rel) if ok_target \
        else np.zeros(energies.size, dtype=bool)
    resid = metrics.residual_energy(energies, target if ok_target else math.nan)
    obj = res.get("objective")
    rows = []
    for i, e in enumerate(energies):
        row = {**base, "read": i, "energy": float(e), "target": target,
               "target_source": source, "success": bool(success[i]),
               "residual": float(resid[i]), "wall_s": _at(wall_per_read, i),
               "modelled_s": _at(modelled_per_read, i)}
        if obj:
            row["objective_name"], row["objective"] = obj[0], obj[1] + obj[2] * float(e)
            row["target_objective"] = obj[1] + obj[2] * target if ok_target else math.nan
        rows.append(row)
    return rows


def _trace_frame(rec: Mapping[str, Any], base: dict[str, Any], target: float) -> pd.DataFrame:
    """The best-so-far trace of a QUBO job in long form."""
    job, tr = rec["job"], rec["result"]["trace"]
    best = np.asarray(tr["best_energy"], dtype=float)
    steps = np.asarray(tr["step"])
    secs = np.asarray(tr["seconds"], dtype=float)
    reads, t = best.shape
    return pd.DataFrame({
        "job_id": rec["id"], "problem": job["problem"], "machine": job["machine_name"],
        "setting": base["setting"], "seed": job["seed"],
        "read": np.repeat(np.arange(reads), t), "step": np.tile(steps, reads),
        "seconds": np.tile(secs, reads), "best_energy": best.ravel(),
        "target": target,
    })


def collect(run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Gather the per-job files into ``jobs``, ``traces`` and ``training`` parquet tables.

    Only the jobs of the suite as last run (``run.json``'s ``job_ids``) enter the tables: a
    run directory reused with an edited suite keeps the files of jobs the suite no longer
    has, but they do not mix into its results. Damaged records of the suite's jobs are left
    out with a :class:`DamagedRecordWarning` naming them.
    """
    run_dir = Path(run_dir)
    run_info = read_run_info(run_dir)
    m = run_info.get("metrics", {})
    scan = scan_job_records(run_dir)
    records, damaged = scan.records, scan.damaged
    if "job_ids" in run_info:
        current = set(run_info["job_ids"])
        records = [r for r in records if r["id"] in current]
        damaged = [d for d in damaged if d.job_id in current]
    if damaged:
        warnings.warn(f"skipped {damaged_summary(damaged)}; running the suite again redoes "
                      "them", DamagedRecordWarning, stacklevel=2)
    tables = build_tables(records, m.get("epsilon", 1e-6), m.get("epsilon_rel", 0.0))
    for name, table in zip(("jobs", "traces", "training"), tables, strict=True):
        replace_atomic(run_dir / f"{name}.parquet",
                        lambda tmp, table=table: table.to_parquet(tmp, index=False))
    return tables


def read_run_info(run_dir: Path) -> dict[str, Any]:
    """The run's ``run.json`` (suite name, metric settings, job ids); ``{}`` when absent."""
    return _read_metadata(Path(run_dir) / "run.json")


@dataclass
class Results:
    """A loaded run: tidy tables plus provenance."""

    path: Path
    jobs: pd.DataFrame
    traces: pd.DataFrame
    provenance: dict[str, Any]
    run_info: dict[str, Any]
    training: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=TRAINING_COLUMNS))

    @property
    def suite(self) -> str:
        return self.run_info.get("suite", self.path.parent.name)


def _runs_in(suite_dir: Path) -> list[str]:
    return sorted(p.parent.name for p in suite_dir.glob("*/run.json"))


def resolve_run(run: str | Path, out: str | Path = "results") -> Path:
    """A run directory, or a suite name meaning its latest run under ``out``.

    Raises ``FileNotFoundError`` saying what was found instead and which runs exist.
    """
    path, out = Path(run), Path(out)
    if (path / "run.json").is_file():
        return path
    suite_dir = out / str(run)
    latest = suite_dir / "LATEST"
    if latest.is_file():
        run_id = latest.read_text(encoding="utf-8").strip()
        if (suite_dir / run_id / "run.json").is_file():
            return suite_dir / run_id
        raise FileNotFoundError(f"{latest} names run {run_id!r} but {suite_dir / run_id} holds "
                                f"no run (removed?); runs of {run}: "
                                f"{', '.join(_runs_in(suite_dir)) or '(none)'}")
    if path.is_dir():
        runs = _runs_in(path)
        if runs:
            raise FileNotFoundError(f"{path} holds the runs of a suite, not one run: give one "
                                    f"of {', '.join(str(path / r) for r in runs)}")
        raise FileNotFoundError(f"{path} is not a run directory (no run.json in it): give "
                                "<out>/<suite>/<run-id> or a suite name")
    if _runs_in(path.parent):
        raise FileNotFoundError(f"no run {path.name!r} in {path.parent}; its runs: "
                                f"{', '.join(_runs_in(path.parent))}")
    if out.exists() and not out.is_dir():
        raise FileNotFoundError(f"results directory {out} is a file, not a directory")
    suites = sorted(p.parent.name for p in out.glob("*/LATEST"))
    raise FileNotFoundError(f"{str(run)!r} is neither a run directory (with run.json) nor a "
                            f"suite with runs under {out}; suites with runs there: "
                            f"{', '.join(suites) or '(none)'}")


def load(path: str | Path, out: str | Path = "results") -> Results:
    """Load a run (directory or suite name), re-collecting the job files into parquet first.

    Raises :class:`StoreError` when the run has no readable job record yet.
    """
    run_dir = resolve_run(path, out)
    jobs, traces, training = collect(run_dir)
    run_info = read_run_info(run_dir)
    if jobs.empty:
        suite = run_info.get("suite", run_dir.parent.name)
        raise StoreError(f"{run_dir} has no readable job record yet: run the suite first "
                         f"(isingbench run {suite})")
    return Results(run_dir, jobs, traces, _read_metadata(run_dir / "provenance.json"), run_info,
                   training)
