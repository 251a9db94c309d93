"""Faults a user can cause: each ends in a one-line message that names the broken thing and
what to do, and nothing finished is lost or run twice."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from suites import cli, runner, store
from suites.claims import CLAIMS_DIR
from suites.instances import dense_pm1_instance, write_gset
from suites.runner import RunInterrupted, open_executor, run_jobs, run_suite
from suites.spec import Job, load_suite
from tests.suites.helpers import suite_text, write_model

REPO = Path(__file__).resolve().parents[2]


def _error_lines(err: str) -> list[str]:
    assert "Traceback" not in err, err
    return [line for line in err.splitlines() if ": error: " in line]


def _run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _slow_suite(tmp_path: Path, seeds: int = 8, sweeps: int = 3000) -> Path:
    """One 150-spin model on dwave-sa, one job per seed (about 0.1 s per 3000 sweeps)."""
    model = write_model(tmp_path / "big.json", 150, 5)
    path = tmp_path / "slow.yaml"
    path.write_text(
        f"name: slow\nseeds: {seeds}\nreads: 4\nbudget: {{num_sweeps: {sweeps}}}\n"
        f"target: best_seen\nproblems:\n  - {{name: big, kind: qubo_file, params: "
        f"{{path: '{model}'}}}}\nmachines: [dwave-sa]\n")
    return path


def _records(run_dir: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (run_dir / "jobs").glob("*.json")}


# ---------------------------------------------------------------- --dask


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_address_without_a_scheduler_fails_fast_in_one_line(tmp_path, suite_file, capsys):
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    t0 = time.monotonic()
    code, _, err = _run_cli(capsys, "run", str(suite_file), "--dask", address,
                            "--dask-timeout", "0.5", "--out", str(tmp_path / "r"))
    assert time.monotonic() - t0 < 10
    assert code == 2
    [line] = _error_lines(err)
    assert address in line and "start one there" in line and "drop --dask" in line
    assert not (tmp_path / "r").exists()  # no run directory for a run that never started
    code, _, err = _run_cli(capsys, "run", str(suite_file), "--dask", "nohost")
    assert code == 2 and "tcp://HOST:PORT" in _error_lines(err)[0]


def test_dask_scheduler_without_workers_is_reported(tmp_path, suite_file):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=0, dashboard_address=":0") as cluster:
        with pytest.raises(runner.ExecutorError, match="has no workers"):
            run_suite(load_suite(suite_file), tmp_path / "r", dask=cluster.scheduler_address,
                      dask_timeout=0.5, progress=False)


# ---------------------------------------------------------------- instance files


def _suite_on(tmp_path: Path, models: dict, problem: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(suite_text(models, problems=f"problems:\n  - {problem}"))
    return path


def test_a_corrupt_qubo_file_is_refused_before_any_job_runs(tmp_path, models, capsys):
    broken = write_model(tmp_path / "broken.json", 6, 0)
    broken.write_text(json.dumps(json.loads(broken.read_text()), indent=1)[:200])  # truncated
    suite = _suite_on(tmp_path, models,
                      f"{{name: broken, kind: qubo_file, params: {{path: '{broken}'}}}}")
    for command in (["validate", str(suite)], ["run", str(suite), "--out", str(tmp_path / "r")]):
        code, _, err = _run_cli(capsys, *command)
        assert code == 2
        [line] = _error_lines(err)
        assert f"{broken}: not JSON at line " in line and "problems[0] (broken)" in line
        assert "json.dump(bqm.to_serializable()" in line  # what to do
    assert not (tmp_path / "r").exists()
    broken.write_text("[1, 2]")
    code, _, err = _run_cli(capsys, "validate", str(suite))
    assert code == 2 and "JSON, but not a dimod BQM" in _error_lines(err)[0]


def test_validate_reads_every_instance_file_of_a_suite(suite_file, models, capsys):
    code, out, _ = _run_cli(capsys, "validate", str(suite_file))
    assert code == 0
    assert "is valid: 12 jobs" in out and "2 instance files read" in out
    assert str(models["m10"]) in out and str(models["m40"]) in out
    code, _, err = _run_cli(capsys, "validate", "quickstart:maxcut-k64")
    assert code == 2 and "--machine" in _error_lines(err)[0]


def _gset_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "gset"
    folder.mkdir()
    write_gset(dense_pm1_instance(8, 0), folder / "G1.txt")
    return folder


@pytest.mark.parametrize("damage, message", [
    (lambda lines: lines[:6] + ["3 x 1"] + lines[7:], "line 7: expected 3 numbers 'i j w'"),
    (lambda lines: lines[:10], "announces 28 edges but the file has 9 edge lines"),
    (lambda lines: ["eight 28"] + lines[1:], "line 1: the first line must be 'n m'"),
])
def test_a_corrupt_gset_file_is_refused_with_its_line(tmp_path, models, capsys, damage,
                                                       message):
    folder = _gset_dir(tmp_path)
    path = folder / "G1.txt"
    path.write_text("\n".join(damage(path.read_text().splitlines())) + "\n")
    suite = _suite_on(tmp_path, models,
                      f"{{name: g1, kind: gset, params: {{instance: G1, data_dir: '{folder}'}}}}")
    code, _, err = _run_cli(capsys, "validate", str(suite))
    assert code == 2
    [line] = _error_lines(err)
    assert f"{path}: " in line and message in line and "intact copy" in line


def test_a_missing_gset_directory_says_where_it_looked(tmp_path, models, capsys, monkeypatch):
    monkeypatch.delenv("ISINGBENCH_GSET_DIR", raising=False)
    folder = tmp_path / "no-such-dir"
    suite = _suite_on(tmp_path, models, "{name: g1, kind: gset_neighbourhood, params: "
                                        f"{{instance: G1, size: 4, data_dir: '{folder}'}}}}")
    code, _, err = _run_cli(capsys, "run", str(suite), "--out", str(tmp_path / "r"))
    assert code == 2
    [line] = _error_lines(err)
    assert f"{folder} (no such directory)" in line and "ISINGBENCH_GSET_DIR" in line
    assert "download_gset('G1')" in line


def test_suite_file_mistakes_are_one_line(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nproblems:\n  - {name: a\n")
    code, _, err = _run_cli(capsys, "validate", str(path))
    assert code == 2
    [line] = _error_lines(err)
    assert "not valid YAML" in line and "line 4" in line
    path.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = _run_cli(capsys, "run", str(path))
    assert code == 2 and "not a text (UTF-8) file" in _error_lines(err)[0]
    # --debug shows the traceback (before or after the command)
    for args in (["--debug", "run", str(path)], ["run", str(path), "--debug"]):
        assert cli.main(args) == 2
        assert "Traceback" in capsys.readouterr().err


# ---------------------------------------------------------------- damaged records


def test_damaged_records_are_named_skipped_and_redone(tmp_path, suite_file, capsys):
    out = tmp_path / "results"
    first = run_suite(load_suite(suite_file), out, workers=1, progress=False)
    records = sorted((first.run_dir / "jobs").glob("*.json"))
    truncated, garbled = records[0], records[1]
    truncated.write_text(truncated.read_text()[:150])
    garbled.write_bytes(b"\x00\xff" * 20)
    kept = {p: p.stat().st_mtime_ns for p in records[2:]}

    code, out_text, err = _run_cli(capsys, "report", "tiny", "--out", str(out))
    assert code == 0 and (first.run_dir / "report.html").exists()
    [warning] = [line for line in err.splitlines() if "warning" in line]
    assert "skipped 2 damaged job record(s)" in warning
    assert f"{truncated}: not JSON at line 1" in warning and f"{garbled}: not text" in warning
    with pytest.warns(store.DamagedRecordWarning, match=truncated.name):
        loaded = store.load(first.run_dir)
    assert loaded.jobs["job_id"].nunique() == len(records) - 2

    again = run_suite(load_suite(suite_file), out, workers=1, progress=False)
    assert (again.skipped, again.done) == (len(records) - 2, 2)
    assert any(str(truncated) in d for d in again.damaged)
    assert "damaged job records" in again.text()
    assert all(p.stat().st_mtime_ns == t for p, t in kept.items())  # finished ones untouched
    assert all(r["status"] == "ok" for r in _records(first.run_dir).values())
    with warnings.catch_warnings():
        warnings.simplefilter("error", store.DamagedRecordWarning)
        assert store.load(first.run_dir).jobs["job_id"].nunique() == len(records)


def test_every_kind_of_damage_is_recognised(tmp_path):
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    good = {"id": "a", "job": {}, "status": "ok"}
    cases = {"a": json.dumps(good), "b": "", "c": '{"id": "b"', "d": "[1]",
             "e": json.dumps({**good, "id": "x"}), "f": json.dumps({"id": "f"})}
    for name, text in cases.items():
        (jobs / f"{name}.json").write_text(text)
    scan = store.scan_job_records(tmp_path)
    assert [r["id"] for r in scan.records] == ["a"]
    reasons = {d.job_id: d.reason for d in scan.damaged}
    assert reasons == {"b": "empty file",
                       "c": "not JSON at line 1 column 11 (Expecting ',' delimiter): "
                            "truncated or garbled",
                       "d": "not a job record (a JSON list)",
                       "e": "holds job 'x', not the job of its file name",
                       "f": "not a job record (no job, status)"}


def test_damaged_run_files_are_named(tmp_path, suite_file, capsys):
    out = tmp_path / "results"
    args = ["run", str(suite_file), "--out", str(out), "--workers", "1", "--no-progress"]
    assert cli.main(args) == 0
    run_dir = out / "tiny" / load_suite(suite_file).content_hash()
    provenance = run_dir / "provenance.json"
    provenance.write_text('{"sessions": [')
    capsys.readouterr()
    code, text, err = _run_cli(capsys, *args)  # the run goes on, the old file is kept aside
    assert code == 0 and "12 already finished" in text
    assert f"{provenance} is damaged (not JSON at line 1 column 15" in err
    assert (run_dir / "provenance.json.damaged").read_text() == '{"sessions": ['
    assert len(json.loads(provenance.read_text())["sessions"]) == 1
    (run_dir / "run.json").write_text("{")
    code, _, err = _run_cli(capsys, "report", str(run_dir))
    assert code == 2
    assert f"{run_dir / 'run.json'} is damaged (not JSON" in _error_lines(err)[0]
    assert "isingbench run SUITE" in _error_lines(err)[0]


# ---------------------------------------------------------------- results directory


def test_out_that_is_a_file_or_not_writable(tmp_path, suite_file, capsys, monkeypatch):
    blocker = tmp_path / "results.txt"
    blocker.write_text("not a directory")
    code, _, err = _run_cli(capsys, "run", str(suite_file), "--out", str(blocker))
    assert code == 2
    assert f"results directory {blocker} is a file" in _error_lines(err)[0]

    locked = tmp_path / "locked"
    real_mkdir = os.mkdir

    def denied(path, *args, **kwargs):
        if str(path).startswith(str(locked)):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", denied)  # root ignores chmod, so simulate the refusal
    code, _, err = _run_cli(capsys, "run", str(suite_file), "--out", str(locked))
    assert code == 2
    [line] = _error_lines(err)
    assert f"cannot create the run directory {locked}" in line and "permission denied" in line
    assert "choose another --out" in line


def test_disk_full_while_writing_a_record(tmp_path, suite_file, capsys, monkeypatch):
    """Writes fail with ENOSPC from the third job record on: the run stops naming the file,
    the two finished records stay, nothing half-written is left or taken as done."""
    out = tmp_path / "results"
    real_fsync, written = os.fsync, []

    def fsync(fd):
        target = os.readlink(f"/proc/self/fd/{fd}")
        if f"{os.sep}jobs{os.sep}" in target:
            written.append(target)
        if len(written) > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    code, _, err = _run_cli(capsys, "run", str(suite_file), "--out", str(out), "--workers", "1",
                            "--no-progress")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert code == 2
    [line] = _error_lines(err)
    run_dir = out / "tiny" / load_suite(suite_file).content_hash()
    assert f"cannot write {run_dir / 'jobs'}" in line and "disk full" in line
    assert "2 of 12 jobs are finished" in line and "rerun the same command" in line
    assert len(_records(run_dir)) == 2
    assert not list((run_dir / "jobs").glob(".*"))  # no temporary file left
    assert not list((run_dir / CLAIMS_DIR).iterdir())

    code, text, _ = _run_cli(capsys, "run", str(suite_file), "--out", str(out), "--no-progress")
    assert code == 0 and "2 already finished, 10 run now (0 failed)" in text
    assert len(_records(run_dir)) == 12


# ---------------------------------------------------------------- report / plot arguments


def test_unknown_runs_and_empty_run_directories(tmp_path, suite_file, capsys):
    out = tmp_path / "results"
    run_suite(load_suite(suite_file), out, workers=1, progress=False)
    run_id = load_suite(suite_file).content_hash()
    for args, expected in [
        (["report", str(out / "tiny" / "nope")], f"no run 'nope' in {out / 'tiny'}; its runs: "
                                                 f"{run_id}"),
        (["plot", "other", "--out", str(out)], "suites with runs there: tiny"),
        (["plot", str(tmp_path)], "is not a run directory (no run.json in it)"),
    ]:
        code, _, err = _run_cli(capsys, *args)
        assert code == 2, args
        assert expected in _error_lines(err)[0]
    latest = out / "tiny" / "LATEST"
    latest.write_text("gone\n")
    code, _, err = _run_cli(capsys, "report", "tiny", "--out", str(out))
    assert code == 2
    assert f"{latest} names run 'gone' but {out / 'tiny' / 'gone'} holds no run (removed?); " \
           f"runs of tiny: {run_id}" in _error_lines(err)[0]
    latest.unlink()
    code, _, err = _run_cli(capsys, "report", str(out / "tiny"))
    assert code == 2 and "holds the runs of a suite, not one run" in _error_lines(err)[0]
    empty = out / "tiny" / "empty"
    empty.mkdir()
    (empty / "run.json").write_text(json.dumps({"suite": "tiny"}))
    code, _, err = _run_cli(capsys, "report", str(empty))
    assert code == 2
    assert "has no readable job record yet: run the suite first (isingbench run tiny)" in \
        _error_lines(err)[0]


# ---------------------------------------------------------------- Ctrl-C


def test_ctrl_c_keeps_finished_jobs_and_says_how_to_resume(tmp_path, suite_file, capsys,
                                                           monkeypatch):
    out = tmp_path / "results"
    real_run_job, calls = runner.run_job, []

    def interrupted_third(job):
        calls.append(job["id"])
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_run_job(job)

    monkeypatch.setattr(runner, "run_job", interrupted_third)
    args = ["run", str(suite_file), "--out", str(out), "--workers", "1", "--no-progress"]
    code, _, err = _run_cli(capsys, *args)
    monkeypatch.setattr(runner, "run_job", real_run_job)
    assert code == 130
    [line] = [x for x in err.splitlines() if "interrupted" in x]
    assert "2 of 12 jobs are finished and stored" in line
    assert f"resume with: isingbench run {suite_file} --out {out}" in line
    run_dir = out / "tiny" / load_suite(suite_file).content_hash()
    assert calls[2] not in _records(run_dir) and len(_records(run_dir)) == 2
    assert not list((run_dir / CLAIMS_DIR).iterdir())
    prov = json.loads((run_dir / "provenance.json").read_text())
    assert prov["sessions"][0]["stopped"] == "interrupted"
    code, text, _ = _run_cli(capsys, *args)
    assert code == 0 and "2 already finished, 10 run now" in text


def _pool_children(before: set) -> list:
    return [p for p in multiprocessing.active_children() if p not in before]


def test_ctrl_c_stops_pool_workers_at_once(tmp_path):
    suite = load_suite(_slow_suite(tmp_path, seeds=6, sweeps=15000))  # about 0.5 s per job
    run_dir = tmp_path / "run"
    before = set(multiprocessing.active_children())

    def interrupt(_record):
        raise KeyboardInterrupt

    with open_executor(workers=2) as executor, pytest.raises(RunInterrupted) as info:
        run_jobs(suite.jobs(), run_dir, executor, progress=False, on_record=interrupt)
    summary = info.value.summary
    assert summary.done == 1 and summary.dropped >= 1
    assert len(_records(run_dir)) == 1
    assert not _pool_children(before)  # stopped, not waited for
    assert not list((run_dir / CLAIMS_DIR).iterdir())


@pytest.mark.slow
def test_sigint_to_the_process_group_of_a_cli_run(tmp_path):
    """What a terminal's Ctrl-C does: SIGINT to the driver and its workers."""
    path = _slow_suite(tmp_path, seeds=8, sweeps=20000)
    out = tmp_path / "results"
    cmd = [sys.executable, "-m", "suites.cli", "run", str(path), "--workers", "2", "--out",
           str(out), "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    jobs_dir = out / "slow" / load_suite(path).content_hash() / "jobs"
    deadline = time.monotonic() + 60
    while not (jobs_dir.exists() and list(jobs_dir.glob("*.json"))):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Traceback" not in err
    [line] = [x for x in err.splitlines() if "interrupted" in x]
    assert "resume with: isingbench run" in line
    assert 1 <= len(list(jobs_dir.glob("*.json"))) < 8
    rerun = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert len(list(jobs_dir.glob("*.json"))) == 8


# ---------------------------------------------------------------- dead workers


def test_a_worker_killed_by_the_os_is_retried_and_the_run_goes_on(tmp_path):
    suite = load_suite(_slow_suite(tmp_path, seeds=4, sweeps=5000))
    run_dir = tmp_path / "run"
    before, killed = set(multiprocessing.active_children()), []

    def kill_a_worker(_record):
        if not killed:
            victim = _pool_children(before)[0]
            os.kill(victim.pid, signal.SIGKILL)
            killed.append(victim.pid)

    with open_executor(workers=2) as executor:
        summary = run_jobs(suite.jobs(), run_dir, executor, progress=False,
                           on_record=kill_a_worker)
    assert killed and summary.ok, summary.text()
    assert summary.done == 4 and len(_records(run_dir)) == 4
    [death] = summary.worker_deaths
    assert "killed by SIGKILL" in death and "memory" in death
    assert "worker processes died" in summary.text()


def _job(model: Path, sampler: str, seed: int) -> Job:
    return Job(suite="t", problem="p", kind="qubo_file", mode="qubo",
               problem_params={"path": str(model)}, machine="m", machine_name="m",
               sampler=sampler, sampler_init={}, sample_params={}, setting={}, seed=seed,
               reads=2, target="auto", record_trace=False)


def test_a_job_whose_worker_always_dies_fails_with_the_reason(tmp_path, models):
    jobs = [_job(models["m10"], "dwave.samplers:SteepestDescentSampler", 0),
            _job(models["m10"], "tests.suites.faulty:SuicideSampler", 0),
            _job(models["m10"], "dwave.samplers:SteepestDescentSampler", 1)]
    with open_executor(workers=2) as executor:
        summary = run_jobs(jobs, tmp_path, executor, progress=False)
    records = _records(tmp_path)
    assert len(records) == 3 and summary.done == 3
    assert [records[j.id]["status"] for j in jobs] == ["ok", "error", "ok"]
    error = records[jobs[1].id]["error"]
    assert error.startswith("WorkerDied: a worker process was killed by SIGKILL")
    assert "each time this job ran (3 times, the last time alone)" in error
    assert "rerun the same command" in error
    assert len(summary.failed) == 1


# ---------------------------------------------------------------- concurrent runs


_HOLD_CLAIM = """
import sys, time
from suites.claims import claim_job
claim = claim_job(sys.argv[1], sys.argv[2], "other:1")
print("held" if claim else "busy", flush=True)
time.sleep(float(sys.argv[3]))
if len(sys.argv) > 4:
    from pathlib import Path
    Path(sys.argv[4]).parent.mkdir(parents=True, exist_ok=True)
    Path(sys.argv[4]).write_text(sys.argv[5])
claim.release()
"""


def _holder(run_dir: Path, job_id: str, seconds: float, *record: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _HOLD_CLAIM, str(run_dir), job_id,
                             str(seconds), *record], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_job_claimed_by_another_live_run_is_left_to_it(tmp_path, suite_file):
    suite = load_suite(suite_file)
    jobs = suite.jobs()
    theirs = jobs[0]
    record = {"id": theirs.id, "job": theirs.to_dict(), "status": "ok", "worker": "other:1",
              "result": {"energies": []}}
    path = store.job_record_path(tmp_path, theirs.id)
    holder = _holder(tmp_path, theirs.id, 1.0, str(path), json.dumps(record))
    with open_executor(workers=1) as executor:
        summary = run_jobs(jobs, tmp_path, executor, progress=False)
    holder.wait(timeout=10)
    assert summary.elsewhere == 1 and summary.done == len(jobs) - 1
    assert "1 finished by another run into the same directory" in summary.text()
    assert _records(tmp_path)[theirs.id]["worker"] == "other:1"  # not run (or written) twice


def test_a_claim_left_by_a_killed_run_is_taken_over(tmp_path, suite_file):
    jobs = load_suite(suite_file).jobs()
    holder = _holder(tmp_path, jobs[0].id, 60)
    holder.kill()
    holder.wait(timeout=10)
    assert (tmp_path / CLAIMS_DIR / f"{jobs[0].id}.lock").exists()  # left behind
    with open_executor(workers=1) as executor:
        summary = run_jobs(jobs, tmp_path, executor, progress=False)
    assert summary.done == len(jobs) and summary.elsewhere == 0
    assert set(_records(tmp_path)) == {j.id for j in jobs}


def test_two_runs_at_once_into_one_directory_run_every_job_once(tmp_path):
    path = _slow_suite(tmp_path, seeds=10, sweeps=5000)
    out = tmp_path / "results"
    cmd = [sys.executable, "-m", "suites.cli", "run", str(path), "--workers", "1", "--out",
           str(out), "--no-progress"]
    procs = [subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    run_now = [int(text.split(" run now")[0].rsplit(" ", 1)[1]) for text, _ in results]
    assert sum(run_now) == 10, [text for text, _ in results]  # no job ran twice
    assert min(run_now) > 0, run_now  # the two runs did overlap
    run_dir = out / "slow" / load_suite(path).content_hash()
    records = _records(run_dir)
    assert len(records) == 10 and all(r["status"] == "ok" for r in records.values())
    assert len({r["worker"] for r in records.values()}) == 2
    prov = json.loads((run_dir / "provenance.json").read_text())
    assert len(prov["sessions"]) == 2  # neither session lost to the other's write
    assert not list((run_dir / CLAIMS_DIR).iterdir())
