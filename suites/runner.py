"""Run a suite's jobs: local process pool by default, Dask when asked; resumable.

Each finished job is written atomically to ``<run-dir>/jobs/<job-id>.json`` by the process that
drives the run, so a killed run loses at most the jobs in flight and running the same suite
again skips every job already stored with status ``ok``. A job that raises is stored with its
error (status ``error``) and retried on the next run; the others go on. Under faults:

* a worker process killed by the OS (out of memory, SIGKILL): the jobs that were in its pool
  are run again (those lost twice one at a time); a job whose worker dies even when it runs
  alone is stored as failed, with that reason, and the run goes on;
* Ctrl-C: the workers stop at once, jobs in flight are not stored, and
  :class:`RunInterrupted` carries the summary so far;
* a record that cannot be written (disk full, permission denied): the run stops with a
  :class:`suites.store.StoreError` naming the file; nothing half-written counts as done;
* a damaged record: its job counts as not finished and is run again;
* two runs of one suite into one directory at once: each job is claimed before it runs
  (:mod:`suites.claims`) and its record looked at again once claimed, so every job runs once;
  a claim left by a dead run is taken over.
"""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import time
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from tqdm.auto import tqdm

from suites import claims, metrics, registry, store, trainers
from suites import problems as problem_registry
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
    #: jobs another run into the same directory finished while this one ran
    elsewhere: int = 0
    #: damaged records of this suite's jobs found at the start (those jobs are redone)
    damaged: list[str] = field(default_factory=list)
    #: one line per worker process that died
    worker_deaths: list[str] = field(default_factory=list)
    #: jobs in flight when the run was stopped (not stored)
    dropped: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def progress(self) -> str:
        """How far the run got, in one line (for a run that was stopped)."""
        finished = self.skipped + self.done + self.elsewhere
        dropped = f"; {self.dropped} in flight were dropped" if self.dropped else ""
        return f"{finished} of {self.total} jobs are finished and stored in {self.run_dir}" \
            + dropped

    def text(self) -> str:
        elsewhere = (f", {self.elsewhere} finished by another run into the same directory"
                     if self.elsewhere else "")
        lines = [
            f"run directory: {self.run_dir}",
            f"jobs: {self.total} in suite, {self.skipped} already finished, {self.done} run now "
            f"({len(self.failed)} failed){elsewhere} in {self.wall_s:.1f} s",
        ]
        if self.damaged:
            lines.append("damaged job records (taken as not finished, so run again):")
            lines += [f"  {d}" for d in self.damaged]
        if self.worker_deaths:
            lines.append("worker processes died (their jobs were run again):")
            lines += [f"  {d}" for d in self.worker_deaths]
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


def _stop_energy(job: Mapping[str, Any], known: Any, source: Any) -> float | None:
    """The energy at which the job's reads stop: with ``stop_at_target``, the success
    threshold of a target known before the run (``None`` otherwise, e.g. ``best_seen``)."""
    stop = job.get("stop_at_target")
    if not stop:
        return None
    target = store.known_target(job["target"], known, source)
    if target is None:
        return None
    return metrics.success_threshold(target[0], stop["epsilon"], stop["epsilon_rel"])


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
    known, source = _known_target(built, job["target"])
    stop_energy = _stop_energy(job, known, source)
    if stop_energy is not None and "target_energy" in sampler.parameters:
        kwargs["target_energy"] = stop_energy
    _warm_up(job, sampler, built.bqm, kwargs)
    t0 = time.perf_counter()
    sampleset = sampler.sample(built.bqm, **kwargs)
    sampleset.resolve()
    wall = time.perf_counter() - t0
    # energies of the model as built, per read (aggregated rows expanded by occurrence)
    record = sampleset.record
    energies = np.repeat(record.energy.astype(float), record.num_occurrences)
    timing = _timing(sampleset.info)
    modelled = timing["modelled_hardware_s"]
    stops = {name: np.repeat(record[name], record.num_occurrences).tolist()
             for name in ("stop_step", "stop_seconds") if name in record.dtype.names}
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
        **stops,
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

#: Seconds to wait for a Dask scheduler (and for its first worker) before giving up.
DASK_CONNECT_TIMEOUT_S = 5.0
#: Seconds between looks at jobs another run into the same directory is running.
CLAIM_POLL_S = 0.2


class ExecutorError(RuntimeError):
    """The executor asked for cannot be used (no Dask scheduler answers, dask missing)."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run: finished jobs are stored, jobs in flight were dropped.

    ``summary`` is the :class:`RunSummary` up to the interruption.
    """

    def __init__(self, summary: RunSummary):
        super().__init__("run interrupted")
        self.summary = summary


def _job_payload(job: Job) -> dict[str, Any]:
    data = job.to_dict()
    data["id"] = job.id
    return data


def _failure_record(payload: Mapping[str, Any], error: str) -> dict[str, Any]:
    """The record of a job that ended without a record of its own (its worker died)."""
    return {"id": payload["id"], "job": {k: v for k, v in payload.items() if k != "id"},
            "status": "error", "error": error, "start": None, "end": store.utcnow()}


def _one_kernel_thread() -> None:
    """Give each worker process one numba thread: the pool already uses every core, and
    oversubscribed parallel kernels spend most of their time waiting at barriers."""
    import numba  # noqa: PLC0415 - only needed in worker processes

    numba.set_num_threads(1)


def _init_pool_worker() -> None:
    """Pool workers leave Ctrl-C to the process driving the run, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _one_kernel_thread()


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


class Executor(Protocol):
    """Where jobs run (made by :func:`open_executor`)."""

    #: how many jobs to keep submitted at once
    capacity: int

    def submit(self, payload: dict) -> Any:
        """Start one job (:func:`execute_job` of ``payload``); returns its future."""

    def wait(self, futures: list, timeout: float | None) -> set:
        """The futures that are done, waiting up to ``timeout`` seconds for the first."""

    def restart(self) -> str:
        """After a worker process died: a fresh pool; returns how the worker died."""

    def stop(self) -> None:
        """Stop at once (Ctrl-C, a fatal error): running jobs are given up."""


class _Inline:
    """Runs each job in this process as it is submitted (one worker)."""

    capacity = 1

    def submit(self, payload: dict) -> Future:
        fut: Future = Future()
        fut.set_result(execute_job(payload))
        return fut

    def wait(self, futures: list, timeout: float | None) -> set:
        return set(futures)

    def restart(self) -> str:  # pragma: no cover - an inline job cannot lose its worker
        raise AssertionError("inline jobs have no worker process")

    def stop(self) -> None:
        """Nothing runs in the background."""


def _death_reason(processes: Iterable[multiprocessing.process.BaseProcess]) -> str:
    """How a pool's worker died, from the exit codes (the pool terminates the others)."""
    codes = [p.exitcode for p in processes]
    codes = [c for c in codes if c not in (None, 0, -signal.SIGTERM)]
    if not codes:
        return "a worker process ended abruptly"
    if codes[0] > 0:
        return f"a worker process exited with code {codes[0]}"
    name = signal.Signals(-codes[0]).name
    hint = " (the OS kills processes this way when memory runs out)" \
        if -codes[0] == signal.SIGKILL else ""
    return f"a worker process was killed by {name}{hint}"


class _LocalPool:
    """A process pool that is replaced when one of its workers dies."""

    def __init__(self, workers: int):
        self.workers = workers
        self.capacity = workers + 1  # one queued job keeps every worker busy
        self._pool: ProcessPoolExecutor | None = None
        self._processes: set[multiprocessing.process.BaseProcess] = set()
        self._others: set[multiprocessing.process.BaseProcess] = set()

    def submit(self, payload: dict) -> Future:
        if self._pool is None:
            self._others = set(multiprocessing.active_children())
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             initializer=_init_pool_worker,
                                             mp_context=_worker_context())
        fut = self._pool.submit(execute_job, payload)
        # the pool starts its workers on demand: remember them to learn how one died
        self._processes |= set(multiprocessing.active_children()) - self._others
        return fut

    def wait(self, futures: list, timeout: float | None) -> set:
        done, _ = wait_futures(futures, timeout=timeout, return_when=FIRST_COMPLETED)
        return done

    def restart(self) -> str:
        """Drop the broken pool (every job in it has failed by then); how its worker died."""
        assert self._pool is not None
        self._pool.shutdown(wait=True)
        reason = _death_reason(self._processes)
        self._pool, self._processes = None, set()
        return reason

    def stop(self) -> None:
        """Stop at once: running jobs are lost (their workers ignore Ctrl-C)."""
        if self._pool is None:
            return
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool, self._processes = None, set()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class _Dask:
    """Jobs on a Dask cluster (the client is opened by :func:`_dask_client`)."""

    def __init__(self, client: Any):
        self.client = client
        self.capacity = max(32, 2 * sum(client.nthreads().values()))

    def submit(self, payload: dict) -> Any:
        return self.client.submit(execute_job, payload, pure=False)

    def wait(self, futures: list, timeout: float | None) -> set:
        from distributed import wait  # noqa: PLC0415 - optional dependency

        try:
            done, _ = wait(futures, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        return set(done)

    def restart(self) -> str:  # pragma: no cover - Dask reports dead workers as KilledWorker
        raise AssertionError("Dask futures do not raise BrokenProcessPool")

    def stop(self) -> None:
        """Closing the client (when the executor closes) cancels what still runs."""


@contextmanager
def _dask_client(address: str, workers: int, timeout: float) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster  # noqa: PLC0415 - optional dependency
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ExecutorError("--dask needs dask[distributed]: pip install "
                            "'isingbench[distributed]'") from exc
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout=timeout)
        except (ValueError, TypeError) as exc:
            raise ExecutorError(f"--dask {address!r} is not a scheduler address ({exc}): give "
                                "tcp://HOST:PORT, or 'local' for a cluster on this machine"
                                ) from None
        except OSError:  # distributed reports its connect timeout as OSError
            raise ExecutorError(
                f"no Dask scheduler answered at {address} within {timeout:g} s: start one "
                f"there ('dask scheduler', then 'dask worker {address}' on each machine) or "
                "drop --dask to use a local process pool") from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            client.close()
            raise ExecutorError(
                f"the Dask scheduler at {address} has no workers (waited {timeout:g} s): "
                f"start some with 'dask worker {address}', or drop --dask") from None
    try:
        client.run(_one_kernel_thread)
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def open_executor(workers: int | None = None, dask: str | None = None,
                  dask_timeout: float = DASK_CONNECT_TIMEOUT_S) -> Iterator[Executor]:
    """Where jobs run: one process (``workers=1``), a local pool, or Dask (``dask``: a
    scheduler address or ``"local"``). Connecting to Dask fails with :class:`ExecutorError`
    after ``dask_timeout`` seconds."""
    workers = workers or default_workers()
    if dask:
        with _dask_client(dask, workers, dask_timeout) as client:
            yield _Dask(client)
    elif workers <= 1:
        yield _Inline()
    else:
        pool = _LocalPool(workers)
        try:
            yield pool
        finally:
            pool.close()


def default_workers() -> int:
    """All cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# ---------------------------------------------------------------- scheduling


class _Run:
    """One pass over the unfinished jobs of a run directory (see :func:`run_jobs`)."""

    def __init__(self, todo: list[dict], run_dir: Path, executor: Executor, summary: RunSummary,
                 states: Mapping[str, Any], bar: Any, on_record: Callable[[dict], None] | None):
        self.run_dir, self.executor, self.summary = run_dir, executor, summary
        self.states, self.bar, self.on_record = states, bar, on_record
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self.pending: deque[dict] = deque(todo)
        self.waiting: list[dict] = []  # claimed by another live run
        self.in_flight: dict[Any, tuple[dict, claims.JobClaim]] = {}
        self.alone: set[str] = set()  # jobs lost with two dead workers: run one at a time
        self.deaths: Counter[str] = Counter()
        self.lost: list[dict] = []  # jobs of the pool that just broke
        self.broken = False  # the pool broke before any of its jobs said so

    def run(self) -> None:
        try:
            while self.pending or self.waiting or self.in_flight:
                self._submit_more()
                if self.in_flight:
                    timeout = CLAIM_POLL_S if self.waiting else None
                    for fut in self.executor.wait(list(self.in_flight), timeout):
                        self._finish(fut)
                if self.lost or self.broken:
                    self._after_worker_death()
                elif not self.in_flight and self.waiting:
                    time.sleep(CLAIM_POLL_S)
                self.pending.extend(self.waiting)
                self.waiting = []
        except KeyboardInterrupt:
            self._abort()
            raise RunInterrupted(self.summary) from None
        except store.StoreError as exc:
            self._abort()
            raise store.StoreError(f"{exc}; {self.summary.progress()}: fix that and rerun the "
                                   "same command to resume", exc.errno) from exc

    def _running_alone(self) -> bool:
        return any(p["id"] in self.alone for p, _ in self.in_flight.values())

    def _submit_more(self) -> None:
        while (self.pending and len(self.in_flight) < self.executor.capacity
               and not self._running_alone()):
            payload = self.pending.popleft()
            if payload["id"] in self.alone and self.in_flight:
                self.pending.appendleft(payload)
                return
            claim = self._claim(payload)
            if claim is None:
                continue
            try:
                fut = self.executor.submit(payload)
            except BrokenProcessPool:  # a worker died since the last look
                claim.release()
                self.pending.appendleft(payload)
                self.broken = True
                return
            except BaseException:
                claim.release()
                raise
            self.in_flight[fut] = (payload, claim)

    def _claim(self, payload: dict) -> claims.JobClaim | None:
        """Claim a job; ``None`` when another run has it or has finished it meanwhile."""
        job_id = payload["id"]
        try:
            claim = claims.claim_job(self.run_dir, job_id, self.owner)
        except OSError as exc:
            raise store.storage_error(exc, self.run_dir / claims.CLAIMS_DIR) from exc
        if claim is None:
            self.waiting.append(payload)
            return None
        path = store.job_record_path(self.run_dir, job_id)
        if store.record_state(path) == self.states.get(job_id):
            return claim
        record = store.read_job_record(path)  # another run wrote it since this one started
        if isinstance(record, store.DamagedRecord):
            return claim
        claim.release()
        self.summary.elsewhere += 1
        if record["status"] != "ok":
            self.summary.failed.append((job_label(record["job"]),
                                        f"{record.get('error')} (in the other run)"))
        self.bar.update(1)
        return None

    def _finish(self, fut: Any) -> None:
        payload, claim = self.in_flight.pop(fut)
        try:
            try:
                record = fut.result()
            except BrokenProcessPool:
                self.lost.append(payload)
                return
            except Exception as exc:  # noqa: BLE001 - e.g. Dask's KilledWorker: a failed job
                record = _failure_record(payload, f"{type(exc).__name__}: {exc}")
            self._store(record)
        finally:
            claim.release()

    def _after_worker_death(self) -> None:
        """A pool worker died: every job of that pool failed with it, and all are run again.
        Jobs lost twice run one at a time; one whose worker dies even then is the cause and is
        stored as failed."""
        reason = self.executor.restart()
        for fut in list(self.in_flight):  # settled by the restart
            self._finish(fut)
        lost, self.lost, self.broken = self.lost, [], False
        names = ", ".join(job_label(p) for p in lost[:3]) + (", ..." if len(lost) > 3 else "")
        self.summary.worker_deaths.append(
            f"{reason} while {len(lost)} job(s) were in its pool: {names}" if lost
            else f"{reason}; no job was lost")
        for payload in reversed(lost):
            job_id = payload["id"]
            self.deaths[job_id] += 1
            if job_id in self.alone:  # it ran alone: it is the cause
                self._store(_failure_record(
                    payload, f"WorkerDied: {reason} each time this job ran "
                             f"({self.deaths[job_id]} times, the last time alone); rerun the "
                             "same command to retry it"))
                continue
            if self.deaths[job_id] >= 2:
                self.alone.add(job_id)
            self.pending.appendleft(payload)

    def _store(self, record: dict) -> None:
        store.write_job_record(self.run_dir, record)
        self.summary.done += 1
        if record["status"] != "ok":
            self.summary.failed.append((job_label(record["job"]), record["error"]))
        if self.on_record is not None:
            self.on_record(record)
        self.bar.update(1)

    def _abort(self) -> None:
        """Stop the workers; jobs in flight are given up, not stored."""
        try:
            self.executor.stop()
        finally:
            for _, claim in self.in_flight.values():
                claim.release()
            self.summary.dropped = len(self.in_flight)
            self.in_flight.clear()


def run_jobs(
    jobs: list[Job],
    run_dir: Path,
    executor: Executor,
    *,
    progress: bool = True,
    on_record: Callable[[dict], None] | None = None,
) -> RunSummary:
    """Run the jobs not yet finished in ``run_dir`` on ``executor`` (:func:`open_executor`),
    writing each record as it arrives.

    Jobs are claimed one by one (:mod:`suites.claims`), so runs of the same suite into the
    same directory at the same time share the work and every job runs once. Damaged records
    count as not finished. Ctrl-C raises :class:`RunInterrupted`; a record that cannot be
    written raises :class:`suites.store.StoreError`; either way finished jobs stay stored.
    """
    run_dir = Path(run_dir)
    t0 = time.perf_counter()
    scan = store.scan_job_records(run_dir)
    finished = {r["id"] for r in scan.records if r["status"] == "ok"}
    todo = [_job_payload(j) for j in jobs if j.id not in finished]
    wanted = {p["id"] for p in todo}
    summary = RunSummary(run_dir, total=len(jobs), skipped=len(jobs) - len(todo), done=0,
                         damaged=[str(d) for d in scan.damaged if d.job_id in wanted])
    bar = tqdm(total=len(todo), desc="jobs", unit="job", disable=not progress or not todo,
               file=sys.stderr)
    try:
        _Run(todo, run_dir, executor, summary, scan.states, bar, on_record).run()
    finally:
        bar.close()
        summary.wall_s = time.perf_counter() - t0
    return summary


def prepare_run_dir(suite: Suite, out: str | Path = "results", run_id: str | None = None) -> Path:
    """Create ``<out>/<suite>/<run-id>/`` with the suite file and ``run.json``.

    Raises :class:`suites.store.StoreError` when that directory cannot be created.
    """
    run_id = run_id or suite.content_hash()
    if not run_id or "/" in run_id or run_id.startswith("."):
        raise ValueError(f"run id {run_id!r} must be a plain directory name")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise store.StoreError(f"results directory {out} is a file, not a directory: give "
                               "--out a directory (default: results)")
    run_dir = out / suite.name / run_id
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise store.storage_error(exc, run_dir, "create the run directory") from exc
    source = Path(suite.source)
    if source.is_file():
        store.replace_atomic(run_dir / "suite.yaml", lambda tmp: shutil.copyfile(source, tmp))
    info = {"suite": suite.name, "run_id": run_id, "source": str(source),
            "metrics": suite.metrics, "job_ids": [j.id for j in suite.jobs()]}
    store.write_atomic(run_dir / "run.json", store.dumps(info))
    store.write_atomic(out / suite.name / "LATEST", run_id + "\n")
    return run_dir


def _close_session(run_dir: Path, session: dict, summary: RunSummary | None,
                   stopped: BaseException | None = None) -> None:
    session["end"] = store.utcnow()
    if summary is not None:
        session.update({"jobs_run": summary.done, "jobs_skipped": summary.skipped,
                        "jobs_failed": len(summary.failed)})
    if stopped is not None:
        session["stopped"] = "interrupted" if isinstance(stopped, KeyboardInterrupt) \
            else f"{type(stopped).__name__}: {stopped}"
    store.record_session(run_dir, session)
    store.collect(run_dir)


def run_suite(
    suite: Suite,
    out: str | Path = "results",
    *,
    run_id: str | None = None,
    workers: int | None = None,
    dask: str | None = None,
    dask_timeout: float = DASK_CONNECT_TIMEOUT_S,
    progress: bool = True,
    command: list[str] | None = None,
) -> RunSummary:
    """Run (or resume) a suite; writes the tidy tables and provenance at the end.

    Safe to call from a process that has already sampled (workers then start from a
    forkserver, so a script needs the usual ``if __name__ == "__main__":`` guard). Raises
    :class:`ExecutorError` (no Dask scheduler), :class:`RunInterrupted` (Ctrl-C) or
    :class:`suites.store.StoreError` (results cannot be written); finished jobs are kept.
    """
    workers = workers or default_workers()
    with open_executor(workers, dask, dask_timeout) as executor:
        run_dir = prepare_run_dir(suite, out, run_id)
        session = {"id": uuid.uuid4().hex, "start": store.utcnow(),
                   "command": command or sys.argv,
                   "executor": f"dask:{dask}" if dask else "local", "workers": workers}
        store.record_session(run_dir, session)
        try:
            summary = run_jobs(suite.jobs(), run_dir, executor, progress=progress)
        except BaseException as exc:
            with contextlib.suppress(Exception):  # best effort: the first error is the news
                _close_session(run_dir, session, getattr(exc, "summary", None), exc)
            raise
        _close_session(run_dir, session, summary)
    return summary
