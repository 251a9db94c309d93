"""Run a suite's jobs: local process pool by default, Dask when asked; resumable.

Each finished job is written atomically to ``<run-dir>/jobs/<job-id>.json`` by the process that
drives the run, so a killed run loses at most the jobs in flight and running the same suite
again skips every job already stored with status ``ok``. A job that raises is stored with its
error (status ``error``) and retried on the next run; the others go on.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import shutil
import socket
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from suites import problems as problem_registry
from suites import registry, store, trainers
from suites.spec import Job, Suite


@dataclass
class RunSummary:
    """What a run did."""

    run_dir: Path
    total: int
    skipped: int
    done: int
    failed: list[tuple[str, str]] = field(default_factory=list)  # (job label, error)
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def text(self) -> str:
        lines = [
            f"run directory: {self.run_dir}",
            f"jobs: {self.total} in suite, {self.skipped} already finished, {self.done} run now "
            f"({len(self.failed)} failed) in {self.wall_s:.1f} s",
        ]
        if self.failed:
            lines.append("failed jobs (rerun the same command to retry them):")
            lines += [f"  {label}: {err}" for label, err in self.failed]
        return "\n".join(lines)


def job_label(job: Mapping[str, Any]) -> str:
    """Human-readable name of a job (problem / machine / setting / seed)."""
    setting = ",".join(f"{k}={v}" for k, v in sorted(job["setting"].items()))
    return f"{job['problem']}/{job['machine_name']}" + (f"[{setting}]" if setting else "") + \
        f"/seed={job['seed']}"


# ---------------------------------------------------------------- one job


def _known_target(built: problem_registry.BuiltProblem, policy: Any) -> tuple[Any, Any]:
    if built.target_energy is not None:
        return float(built.target_energy), built.target_source
    wants_exact = policy in ("auto", "ground_state")
    if wants_exact and built.bqm.num_variables <= problem_registry.EXACT_MAX_VARIABLES:
        return problem_registry.exact_ground_energy(built.bqm), "ground_state"
    return None, None


def _timing(info: Mapping[str, Any]) -> dict[str, float]:
    timing = info.get("timing") or {}
    out = {}
    for key in ("preprocessing_ns", "sampling_ns", "postprocessing_ns", "modelled_hardware_s"):
        value = timing.get(key)
        out[key] = float(value) if value is not None else math.nan
    return out


def _trace(info: Mapping[str, Any]) -> dict[str, list] | None:
    tr = info.get("trace")
    if not tr:
        return None
    best = np.asarray(tr["best_energy"], dtype=float)
    if best.ndim == 1:
        best = best[None, :]
    return {"step": np.asarray(tr["step"]).astype(int).tolist(),
            "seconds": np.asarray(tr["seconds"], dtype=float).tolist(),
            "best_energy": best.tolist()}


def _fit(info: Mapping[str, Any]) -> dict[str, Any] | None:
    fit = info.get("fit")
    if fit is None:
        return None
    if hasattr(fit, "to_dict"):
        return fit.to_dict()
    return dict(fit) if isinstance(fit, Mapping) else {"repr": repr(fit)}


#: Sampler configurations already called once in this process (see :func:`_warm_up`).
_WARMED: set[str] = set()


def _warm_up(job: Mapping[str, Any], sampler: Any, bqm: Any, kwargs: dict[str, Any]) -> None:
    """Call a sampler once, untimed, the first time this process uses its configuration.

    JIT-compiled kernels (numba) compile or load their cache on first use; without this the
    first job of every worker process would carry that cost in its wall time.
    """
    key = json.dumps([job["sampler"], job["sampler_init"], sorted(kwargs)], sort_keys=True)
    if key in _WARMED:
        return
    sampler.sample(bqm, **{**kwargs, "num_reads": 1}).resolve()
    _WARMED.add(key)


def run_job(job: Mapping[str, Any]) -> dict[str, Any]:
    """Run one job (plain-data form) and return its result; exceptions propagate.

    The first job of each sampler configuration in a process is preceded by an untimed
    one-read warm-up call (JIT compilation is not counted as sampling time).
    """
    adapter = problem_registry.problem_kind(job["kind"])
    kwargs = dict(job["sample_params"])
    kwargs["num_reads"] = job["reads"]
    kwargs["seed"] = job["seed"]
    if job["mode"] == "train":  # the job's machine trains the problem's task
        trainer = trainers.make_trainer(job["sampler"], job["sampler_init"])
        t0 = time.perf_counter()
        task = adapter.task(job["problem_params"], job["seed"])
        metrics = dict(trainer.train(task, kwargs, job["seed"]))
        history = metrics.pop("history", None)
        return {"metrics": metrics, "history": history, "wall_s": time.perf_counter() - t0}
    sampler = registry.make_sampler(job["sampler"], job["sampler_init"])
    built = problem_registry.build_problem(job["kind"], job["problem_params"])
    if job["record_trace"] and "record_trace" in sampler.parameters:
        kwargs["record_trace"] = True
    _warm_up(job, sampler, built.bqm, kwargs)
    t0 = time.perf_counter()
    sampleset = sampler.sample(built.bqm, **kwargs)
    sampleset.resolve()
    wall = time.perf_counter() - t0
    # energies of the model as built, per read (aggregated rows expanded by occurrence)
    record = sampleset.record
    energies = np.repeat(record.energy.astype(float), record.num_occurrences)
    timing = _timing(sampleset.info)
    known, source = _known_target(built, job["target"])
    modelled = timing["modelled_hardware_s"]
    return {
        "energies": energies.tolist(),
        "num_variables": built.bqm.num_variables,
        "wall_s": wall,
        "timing": timing,
        "modelled_s": None if math.isnan(modelled) else modelled,
        "trace": _trace(sampleset.info),
        "fit": _fit(sampleset.info),
        "known_target": known,
        "target_source": source,
        "objective": list(built.objective) if built.objective else None,
        "problem_info": built.info,
    }


def execute_job(job: Mapping[str, Any]) -> dict[str, Any]:
    """Run one job and return its record; errors are caught and stored in the record."""
    start = store.utcnow()
    record: dict[str, Any] = {"id": job["id"], "job": {k: v for k, v in job.items() if k != "id"},
                              "start": start, "worker": f"{socket.gethostname()}:{os.getpid()}"}
    try:
        record["result"] = run_job(job)
        record["status"] = "ok"
    except Exception as exc:  # noqa: BLE001 - one failing job must not stop the suite
        record["status"] = "error"
        record["error"] = f"{type(exc).__name__}: {exc}"
        record["traceback"] = traceback.format_exc()
    record["end"] = store.utcnow()
    return record


# ---------------------------------------------------------------- executors


def _job_payload(job: Job) -> dict[str, Any]:
    data = job.to_dict()
    data["id"] = job.id
    return data


def _one_kernel_thread() -> None:
    """Give each worker process one numba thread: the pool already uses every core, and
    oversubscribed parallel kernels spend most of their time waiting at barriers."""
    import numba  # noqa: PLC0415 - only needed in worker processes

    numba.set_num_threads(1)


def _worker_context() -> multiprocessing.context.BaseContext | None:
    """How to start worker processes: the platform default unless forking is unsafe here.

    A process that has already run parallel numba kernels (a notebook or script that sampled
    before calling :func:`run_suite`) holds live OpenMP/TBB kernel threads, and children forked
    from it die at their first parallel kernel. Then the workers come from a clean forkserver
    process (which imports the runner once); a script that does this needs the usual
    ``if __name__ == "__main__":`` guard.
    """
    import numba  # noqa: PLC0415 - numba is imported by the samplers anyway

    try:
        numba.threading_layer()
    except ValueError:  # no kernel threads started in this process: forking is safe
        return None
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["suites.runner"])
    return ctx


def _iter_local(payloads: list[dict], workers: int) -> Iterable[tuple[dict, Future]]:
    if workers <= 1:
        for p in payloads:
            fut: Future = Future()
            fut.set_result(execute_job(p))
            yield p, fut
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_one_kernel_thread,
                             mp_context=_worker_context()) as pool:
        futures = {pool.submit(execute_job, p): p for p in payloads}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise


def _iter_dask(payloads: list[dict], address: str, workers: int) -> Iterable[tuple[dict, Any]]:
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_as_completed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("--dask needs dask[distributed]: pip install 'isingbench[distributed]'"
                           ) from exc
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        client.run(_one_kernel_thread)
        futures = client.map(execute_job, payloads, pure=False)
        by_key = {f.key: p for f, p in zip(futures, payloads, strict=True)}
        for fut in dask_as_completed(futures):
            yield by_key[fut.key], fut
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def default_workers() -> int:
    """All cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_jobs(
    jobs: list[Job],
    run_dir: Path,
    *,
    workers: int | None = None,
    dask: str | None = None,
    progress: bool = True,
    on_record: Callable[[dict], None] | None = None,
) -> RunSummary:
    """Run the jobs not yet finished in ``run_dir``; write each record as it arrives."""
    run_dir = Path(run_dir)
    t0 = time.perf_counter()
    done_ids = store.finished_ids(run_dir)
    todo = [_job_payload(j) for j in jobs if j.id not in done_ids]
    summary = RunSummary(run_dir, total=len(jobs), skipped=len(jobs) - len(todo), done=0)
    workers = workers or default_workers()
    if not todo:
        summary.wall_s = time.perf_counter() - t0
        return summary
    stream = _iter_dask(todo, dask, workers) if dask else _iter_local(todo, workers)
    bar = tqdm(total=len(todo), desc="jobs", unit="job", disable=not progress, file=sys.stderr)
    try:
        for payload, fut in stream:
            try:
                record = fut.result()
            except Exception as exc:  # the worker itself died (not an error inside the job)
                record = {"id": payload["id"],
                          "job": {k: v for k, v in payload.items() if k != "id"},
                          "status": "error", "error": f"{type(exc).__name__}: {exc}",
                          "start": None, "end": store.utcnow()}
            store.write_job_record(run_dir, record)
            summary.done += 1
            if record["status"] != "ok":
                summary.failed.append((job_label(record["job"]), record["error"]))
            if on_record is not None:
                on_record(record)
            bar.update(1)
    finally:
        bar.close()
        summary.wall_s = time.perf_counter() - t0
    return summary


def prepare_run_dir(suite: Suite, out: str | Path = "results", run_id: str | None = None) -> Path:
    """Create ``<out>/<suite>/<run-id>/`` with the suite file and ``run.json``."""
    run_id = run_id or suite.content_hash()
    if not run_id or "/" in run_id or run_id.startswith("."):
        raise ValueError(f"run id {run_id!r} must be a plain directory name")
    run_dir = Path(out) / suite.name / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    source = Path(suite.source)
    if source.is_file():
        shutil.copyfile(source, run_dir / "suite.yaml")
    info = {"suite": suite.name, "run_id": run_id, "source": str(source),
            "metrics": suite.metrics, "job_ids": [j.id for j in suite.jobs()]}
    store.write_atomic(run_dir / "run.json", store.dumps(info))
    store.write_atomic(Path(out) / suite.name / "LATEST", run_id + "\n")
    return run_dir


def run_suite(
    suite: Suite,
    out: str | Path = "results",
    *,
    run_id: str | None = None,
    workers: int | None = None,
    dask: str | None = None,
    progress: bool = True,
    command: list[str] | None = None,
) -> RunSummary:
    """Run (or resume) a suite; writes the tidy tables and provenance at the end.

    Safe to call from a process that has already sampled (workers then start from a
    forkserver, so a script needs the usual ``if __name__ == "__main__":`` guard).
    """
    run_dir = prepare_run_dir(suite, out, run_id)
    session = {"id": uuid.uuid4().hex, "start": store.utcnow(), "command": command or sys.argv,
               "executor": f"dask:{dask}" if dask else "local",
               "workers": workers or default_workers()}
    store.record_session(run_dir, session)
    try:
        summary = run_jobs(suite.jobs(), run_dir, workers=workers, dask=dask, progress=progress)
    finally:
        session["end"] = store.utcnow()
        store.record_session(run_dir, session)
        store.collect(run_dir)
    session.update({"jobs_run": summary.done, "jobs_skipped": summary.skipped,
                    "jobs_failed": len(summary.failed)})
    store.record_session(run_dir, session)
    return summary
