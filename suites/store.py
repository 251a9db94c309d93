"""Results store: the layout of ``results/<suite>/<run-id>/`` and loading it as DataFrames.

::

    results/<suite>/LATEST            run id of the last run of this suite
    results/<suite>/<run-id>/
        suite.yaml                    the suite file as run
        run.json                      suite name, metric settings, the job ids of the suite
        jobs/<job-id>.json            one file per finished job (written atomically)
        jobs.parquet                  one row per job and read (tidy)
        traces.parquet                one row per job, read and trace step (tidy)
        training.parquet              one row per training job and round (tidy)
        provenance.json               versions, git commit, CPU/GPU, command lines, start/end
        figures/*.png, report.html    written by ``isingbench plot`` / ``report``

Run ids: by default the suite's content hash (:meth:`suites.spec.Suite.content_hash`), so
running the same suite again resumes the same directory, and changing the suite starts a new
one. Finished jobs (status ``ok``) are never run again; failed jobs are retried on a rerun.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from suites import metrics

JOBS_DIR = "jobs"
_UMASK = os.umask(0)
os.umask(_UMASK)
PACKAGES = ("isingbench", "numpy", "scipy", "dimod", "dwave-samplers", "numba", "pandas",
            "pyarrow", "seaborn", "matplotlib", "dask", "distributed", "cupy-cuda12x")


def utcnow() -> str:
    """Current UTC time, ISO 8601."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see either the old or the complete new file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; results are ordinary files
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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


def write_job_record(run_dir: Path, record: Mapping[str, Any]) -> Path:
    """Store one finished (or failed) job atomically; returns the file path."""
    path = Path(run_dir) / JOBS_DIR / f"{record['id']}.json"
    write_atomic(path, dumps(record))
    return path


def read_job_records(run_dir: Path) -> list[dict[str, Any]]:
    """Every job record of a run (temporary files of interrupted writes are ignored)."""
    out = []
    for path in sorted((Path(run_dir) / JOBS_DIR).glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            out.append(json.load(fh))
    return out


def finished_ids(run_dir: Path) -> set[str]:
    """Ids of the jobs that finished successfully."""
    done = set()
    for path in (Path(run_dir) / JOBS_DIR).glob("*.json"):
        try:
            with open(path, encoding="utf-8") as fh:
                if json.load(fh).get("status") == "ok":
                    done.add(path.stem)
        except (OSError, json.JSONDecodeError):
            continue
    return done


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
    prov = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
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
        seen = best_seen.get(key, math.nan)
        if isinstance(policy, (int, float)):
            out[key] = (float(policy), "given")
        elif policy == "best_seen":
            out[key] = (seen, "best_seen")
        elif policy == "best_known":
            out[key] = (value, source) if value is not None else (math.nan, "missing")
        elif policy == "ground_state":
            ok = value is not None and source in ("ground_state", "optimum")
            out[key] = (value, source) if ok else (math.nan, "missing")
        else:  # auto
            out[key] = (value, source) if value is not None else (seen, "best_seen")
    return out


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


def build_tables(
    records: list[Mapping[str, Any]], epsilon: float = 1e-6, epsilon_rel: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn job records into the tidy ``jobs``, ``traces`` and ``training`` tables."""
    targets = resolve_targets(records)
    rows, trace_frames, training_frames = [], [], []
    setting_keys = sorted({k for r in records for k in r["job"]["setting"]})
    for rec in records:
        job = rec["job"]
        res = rec.get("result") or {}
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
        if job["mode"] == "train":
            m = res.get("metrics", {})
            rows.append({**base, "read": 0, "train_accuracy": m.get("train_accuracy"),
                         "test_accuracy": m.get("test_accuracy"),
                         "wall_s": res.get("wall_s"),
                         "extra": json.dumps(m, sort_keys=True, default=_json_default)})
            if res.get("history"):
                training_frames.append(_training_rows(rec["id"], base, res["history"]))
            continue
        target, source = targets.get(_instance_key(job), (math.nan, "missing"))
        energies = np.asarray(res.get("energies", []), dtype=float)
        n = max(len(energies), 1) if rec["status"] == "ok" else 1
        wall_per_read = (res.get("wall_s") or math.nan) / n
        modelled = res.get("modelled_s")
        modelled_per_read = modelled / n if modelled is not None else math.nan
        obj = res.get("objective")
        if rec["status"] != "ok" or energies.size == 0:
            rows.append({**base, "read": 0, "energy": math.nan, "target": target,
                         "target_source": source, "success": False})
            continue
        ok_target = math.isfinite(target)
        success = metrics.successes(energies, target, epsilon, epsilon_rel) if ok_target \
            else np.zeros(energies.size, dtype=bool)
        resid = metrics.residual_energy(energies, target if ok_target else math.nan)
        for i, e in enumerate(energies):
            row = {**base, "read": i, "energy": float(e), "target": target,
                   "target_source": source, "success": bool(success[i]),
                   "residual": float(resid[i]), "wall_s": wall_per_read,
                   "modelled_s": modelled_per_read}
            if obj:
                row["objective_name"], row["objective"] = obj[0], obj[1] + obj[2] * float(e)
                row["target_objective"] = obj[1] + obj[2] * target if ok_target else math.nan
            rows.append(row)
        tr = res.get("trace")
        if tr:
            best = np.asarray(tr["best_energy"], dtype=float)
            steps = np.asarray(tr["step"])
            secs = np.asarray(tr["seconds"], dtype=float)
            reads, t = best.shape
            trace_frames.append(pd.DataFrame({
                "job_id": rec["id"], "problem": job["problem"], "machine": job["machine_name"],
                "setting": base["setting"], "seed": job["seed"],
                "read": np.repeat(np.arange(reads), t), "step": np.tile(steps, reads),
                "seconds": np.tile(secs, reads), "best_energy": best.ravel(),
                "target": target,
            }))
    jobs = pd.DataFrame(rows)
    traces = pd.concat(trace_frames, ignore_index=True) if trace_frames else pd.DataFrame(
        columns=["job_id", "problem", "machine", "setting", "seed", "read", "step", "seconds",
                 "best_energy", "target"])
    training = (pd.concat(training_frames, ignore_index=True) if training_frames
                else pd.DataFrame(columns=TRAINING_COLUMNS))
    return jobs, traces, training


def collect(run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Gather the per-job files into ``jobs``, ``traces`` and ``training`` parquet tables.

    Only the jobs of the suite as last run (``run.json``'s ``job_ids``) enter the tables: a
    run directory reused with an edited suite keeps the files of jobs the suite no longer
    has, but they do not mix into its results.
    """
    run_dir = Path(run_dir)
    run_info = read_run_info(run_dir)
    m = run_info.get("metrics", {})
    records = read_job_records(run_dir)
    if "job_ids" in run_info:
        current = set(run_info["job_ids"])
        records = [r for r in records if r["id"] in current]
    tables = build_tables(records, m.get("epsilon", 1e-6), m.get("epsilon_rel", 0.0))
    for name, table in zip(("jobs", "traces", "training"), tables, strict=True):
        table.to_parquet(run_dir / f"{name}.parquet.tmp", index=False)
        os.replace(run_dir / f"{name}.parquet.tmp", run_dir / f"{name}.parquet")
    return tables


def read_run_info(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / "run.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


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


def resolve_run(run: str | Path, out: str | Path = "results") -> Path:
    """A run directory, or a suite name meaning its latest run under ``out``."""
    path = Path(run)
    if (path / "run.json").exists():
        return path
    latest = Path(out) / str(run) / "LATEST"
    if latest.exists():
        return Path(out) / str(run) / latest.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(
        f"{str(run)!r} is neither a run directory (with run.json) nor a suite with runs under "
        f"{str(out)!r}"
    )


def load(path: str | Path, out: str | Path = "results") -> Results:
    """Load a run (directory or suite name), re-collecting the job files into parquet first."""
    run_dir = resolve_run(path, out)
    jobs, traces, training = collect(run_dir)
    prov_path = run_dir / "provenance.json"
    prov = json.loads(prov_path.read_text(encoding="utf-8")) if prov_path.exists() else {}
    return Results(run_dir, jobs, traces, prov, read_run_info(run_dir), training)
