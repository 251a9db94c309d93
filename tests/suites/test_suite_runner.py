"""Runner: results layout, failures, resume after a killed run, Dask equals the local pool."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from suites import store
from suites.runner import run_suite
from suites.spec import load_suite, parse_suite
from tests.suites.helpers import suite_text, write_model

REPO = Path(__file__).resolve().parents[2]


def test_run_writes_tidy_tables_and_provenance(tmp_path, suite_file):
    suite = load_suite(suite_file)
    summary = run_suite(suite, tmp_path / "results", workers=1, progress=False)
    assert summary.ok and summary.done == len(suite.jobs()) and summary.skipped == 0
    run_dir = tmp_path / "results" / "tiny" / suite.content_hash()
    assert summary.run_dir == run_dir
    for name in ("jobs.parquet", "traces.parquet", "training.parquet", "provenance.json",
                 "run.json", "suite.yaml"):
        assert (run_dir / name).exists(), name
    res = store.load(run_dir)
    jobs = res.jobs
    # one row per job and read
    assert len(jobs) == len(suite.jobs()) * suite.reads
    assert jobs.groupby("job_id").size().eq(suite.reads).all()
    assert {"job_id", "machine", "problem", "seed", "read", "energy", "target", "success",
            "target_source", "wall_s", "setting"} <= set(jobs.columns)
    # m10 is small enough to solve exactly; m40 falls back to the best energy seen in the run
    sources = jobs.groupby("problem")["target_source"].first().to_dict()
    assert sources == {"m10": "ground_state", "m40": "best_seen"}
    m40 = jobs[jobs.problem == "m40"]
    assert m40["target"].iloc[0] == m40["energy"].min()
    assert (jobs["energy"] >= jobs["target"] - 1e-9).all()
    prov = res.provenance
    assert prov["packages"]["dimod"] and prov["cpu_count"] >= 1 and prov["start"] and prov["end"]
    # a suite name resolves to its latest run
    assert store.resolve_run("tiny", tmp_path / "results") == run_dir


def test_a_failing_job_is_recorded_and_the_others_finish(tmp_path, models):
    broken = write_model(tmp_path / "broken.json", 10, 3)
    problems = ("problems:\n"
                f"  - {{name: ok, kind: qubo_file, params: {{path: '{models['m10']}'}}}}\n"
                f"  - {{name: broken, kind: qubo_file, params: {{path: '{broken}'}}}}")
    suite = parse_suite(suite_text(models, problems=problems,
                                   machines="machines: [dwave-sa]"))
    broken.write_text("{not json")  # damaged after validation (which would refuse it)
    summary = run_suite(suite, tmp_path / "r", workers=2, progress=False)
    assert summary.done == 4 and len(summary.failed) == 2
    assert all(label.startswith("broken/") for label, _ in summary.failed)
    assert "broken.json: not JSON at line 1 column 2" in summary.text()
    jobs = store.load(summary.run_dir).jobs
    assert set(jobs.loc[jobs.status == "error", "problem"]) == {"broken"}
    assert jobs.loc[jobs.status == "ok", "problem"].eq("ok").all()
    # a rerun retries the failed jobs only
    again = run_suite(suite, tmp_path / "r", workers=1, progress=False)
    assert again.skipped == 2 and again.done == 2 and len(again.failed) == 2


def test_resume_after_kill_runs_every_job_exactly_once(tmp_path):
    model = write_model(tmp_path / "big.json", 150, 5)
    path = tmp_path / "slow.yaml"
    path.write_text(
        "name: slow\nseeds: 8\nreads: 4\nbudget: {num_sweeps: 3000}\ntarget: best_seen\n"
        f"problems:\n  - {{name: big, kind: qubo_file, params: {{path: '{model}'}}}}\n"
        "machines: [dwave-sa]\n")
    out = tmp_path / "results"
    cmd = [sys.executable, "-m", "suites.cli", "run", str(path), "--workers", "1",
           "--out", str(out), "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    suite = load_suite(path)
    jobs_dir = out / "slow" / suite.content_hash() / "jobs"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if jobs_dir.exists() and len(list(jobs_dir.glob("*.json"))) >= 2:
            break
        if proc.poll() is not None:
            pytest.fail(f"run ended before it could be killed: {proc.stderr.read().decode()}")
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = {p.name: p.stat().st_mtime_ns for p in jobs_dir.glob("*.json")}
    assert 2 <= len(first) < 8, "the kill should land mid-run"
    assert not (jobs_dir.parent / "jobs.parquet").exists()

    rerun = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(first)} already finished" in rerun.stdout
    # the files written before the kill were not rewritten
    assert all((jobs_dir / n).stat().st_mtime_ns == t for n, t in first.items())
    jobs = pd.read_parquet(jobs_dir.parent / "jobs.parquet")
    assert sorted(jobs["job_id"].unique()) == sorted(j.id for j in suite.jobs())
    assert jobs.groupby("job_id").size().eq(4).all()
    assert len(list(jobs_dir.glob("*.json"))) == 8
    assert not list(jobs_dir.glob(".*.tmp"))
    prov = json.loads((jobs_dir.parent / "provenance.json").read_text())
    assert len(prov["sessions"]) == 2


def test_dask_local_cluster_matches_the_local_pool(tmp_path, suite_file):
    pytest.importorskip("distributed")
    suite = load_suite(suite_file)
    local = run_suite(suite, tmp_path / "local", workers=2, progress=False)
    dask = run_suite(suite, tmp_path / "dask", workers=2, dask="local", progress=False)
    assert local.ok and dask.ok
    cols = ["job_id", "read", "energy", "success", "target"]
    a = store.load(local.run_dir).jobs[cols].sort_values(["job_id", "read"]).reset_index(drop=True)
    b = store.load(dask.run_dir).jobs[cols].sort_values(["job_id", "read"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    workers = {json.loads(p.read_text())["worker"] for p in (dask.run_dir / "jobs").glob("*.json")}
    assert all(":" in w for w in workers)


def test_training_history_becomes_a_tidy_table():
    record = {"id": "j1", "status": "ok",
              "job": {"suite": "s", "problem": "p", "kind": "bnn_training", "mode": "train",
                      "machine_name": "sa", "machine": "sa", "setting": {"margin": 0.1},
                      "problem_params": {}, "sample_params": {}, "seed": 3},
              "result": {"metrics": {"train_accuracy": 0.9, "test_accuracy": 0.8},
                         "history": [{"round": 0, "train_loss": 0.3, "seconds": 1.0},
                                     {"round": 1, "train_loss": 0.4, "seconds": 2.0},
                                     {"round": 2, "train_loss": 0.1, "seconds": 0.5}],
                         "wall_s": 3.5}}
    jobs, _, training = store.build_tables([record])
    assert len(jobs) == 1 and jobs["test_accuracy"].iloc[0] == 0.8
    assert training["round"].tolist() == [0, 1, 2]
    assert training["best_train_loss"].tolist() == [0.3, 0.3, 0.1]  # best so far
    assert training["seconds"].tolist() == [1.0, 3.0, 3.5]          # cumulative
    assert set(training["setting"]) == {"margin=0.1"} and set(training["seed"]) == {3}


def test_jobs_dropped_from_an_edited_suite_leave_the_tables(tmp_path, models):
    out = tmp_path / "results"
    both = parse_suite(suite_text(models, machines="machines: [dwave-sa]"))
    run_suite(both, out, run_id="ref", workers=1, progress=False)
    problems = f"problems:\n  - {{name: m10, kind: qubo_file, params: {{path: '{models['m10']}'}}}}"
    one = parse_suite(suite_text(models, machines="machines: [dwave-sa]", problems=problems))
    summary = run_suite(one, out, run_id="ref", workers=1, progress=False)
    assert summary.done == 0 and summary.skipped == len(one.jobs())
    run_dir = out / "tiny" / "ref"
    assert len(list((run_dir / "jobs").glob("*.json"))) == len(both.jobs())
    assert set(store.load(run_dir).jobs["problem"]) == {"m10"}


def test_sessions_that_start_in_the_same_second_are_both_kept(tmp_path):
    start = "2026-01-01T00:00:00+00:00"
    store.record_session(tmp_path, {"id": "a", "start": start, "command": ["first"]})
    store.record_session(tmp_path, {"id": "b", "start": start, "command": ["second"]})
    store.record_session(tmp_path, {"id": "a", "start": start, "command": ["first"],
                                    "end": start})
    prov = json.loads((tmp_path / "provenance.json").read_text())
    assert [s["id"] for s in prov["sessions"]] == ["a", "b"]
    assert prov["sessions"][0]["end"] == start


def test_worker_pool_survives_a_parent_that_ran_parallel_kernels(tmp_path, models):
    """A notebook that sampled before running a suite: forked workers would die at their first
    parallel kernel (BrokenProcessPool); the runner starts them from a forkserver instead."""
    import dimod  # noqa: PLC0415
    import numba  # noqa: PLC0415

    from emulators.bifurcation import SimulatedBifurcationSampler  # noqa: PLC0415

    bqm = dimod.generators.gnp_random_bqm(40, 0.5, "SPIN", random_state=0)
    SimulatedBifurcationSampler().sample(bqm, num_reads=4, num_steps=50, seed=0)
    assert numba.threading_layer()  # kernel threads are live in this process
    path = tmp_path / "parallel.yaml"  # the workers run parallel kernels too
    path.write_text(suite_text(models, budget="", machines="machines:\n  - machine: sb\n"
                                                "    params: {num_steps: 50}"))
    summary = run_suite(load_suite(path), tmp_path / "results", workers=2, progress=False)
    assert summary.ok, summary.text()
