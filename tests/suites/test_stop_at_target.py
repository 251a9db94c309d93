"""``metrics.stop_at_target``: opt-in per suite, reads stop at a known target, and TTS uses
each read's own share of the run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from suites import store
from suites.runner import run_job, run_suite
from suites.spec import SpecError, parse_suite
from tests.suites.helpers import suite_text


def _suite(models, *, stop: bool | None, machines: str, target: str = "target: auto"):
    metrics = "metrics: {epsilon: 1.0e-6, trace: false"
    metrics += "" if stop is None else f", stop_at_target: {str(stop).lower()}"
    return parse_suite(suite_text(models, metrics=metrics + "}", machines=machines,
                                  target=target, seeds="seeds: [0]", reads="reads: 8",
                                  budget="budget: {}"))


SA = "machines:\n  - machine: sa\n    params: {num_sweeps: 2000}"


def test_the_key_is_opt_in_and_leaves_job_ids_alone(models):
    plain = _suite(models, stop=None, machines=SA)
    off = _suite(models, stop=False, machines=SA)
    on = _suite(models, stop=True, machines=SA)
    assert [j.id for j in plain.jobs()] == [j.id for j in off.jobs()]
    assert all(j.stop_at_target is None for j in off.jobs())
    assert not {j.id for j in on.jobs()} & {j.id for j in off.jobs()}
    assert all(j.stop_at_target == {"epsilon": 1e-6, "epsilon_rel": 0.0} for j in on.jobs())
    with pytest.raises(SpecError, match="stop_at_target"):
        parse_suite(suite_text(models, metrics="metrics: {stop_at_target: 1}"))


def test_reads_stop_at_a_known_ground_state_and_not_at_best_seen(models):
    on = _suite(models, stop=True, machines=SA)
    job = next(j for j in on.jobs() if j.problem == "m10")  # solved exactly: ground state
    result = run_job({**job.to_dict(), "id": job.id})
    assert result["target_source"] == "ground_state"
    assert len(result["stop_step"]) == 8 and max(result["stop_step"]) < 2000
    np.testing.assert_allclose(result["energies"], result["known_target"])
    job = next(j for j in on.jobs() if j.problem == "m40")  # only the best seen: no stop
    assert "stop_step" not in run_job({**job.to_dict(), "id": job.id})
    seen = _suite(models, stop=True, machines=SA, target="target: best_seen")
    job = next(j for j in seen.jobs() if j.problem == "m10")
    assert "stop_step" not in run_job({**job.to_dict(), "id": job.id})


def test_a_machine_without_the_keyword_runs_as_before(models):
    suite = _suite(models, stop=True,
                   machines="machines:\n  - machine: dwave-sa\n    params: {num_sweeps: 50}")
    job = next(j for j in suite.jobs() if j.problem == "m10")
    assert "stop_step" not in run_job({**job.to_dict(), "id": job.id})


def test_each_read_gets_its_own_share_of_the_time(tmp_path, models):
    suite = _suite(models, stop=True, machines=SA)
    summary = run_suite(suite, tmp_path / "results", workers=1, progress=False)
    assert summary.ok
    records = {r["id"]: r for r in store.scan_job_records(summary.run_dir).records}
    jobs = store.load(summary.run_dir).jobs
    stopped = 0
    for job_id, rows in jobs.groupby("job_id"):
        res = records[job_id]["result"]
        per_read = res["wall_s"] / len(res["energies"])
        if "stop_seconds" not in res:
            assert np.all(rows["wall_s"] == per_read)
            continue
        share = np.asarray(res["stop_seconds"]) / max(res["stop_seconds"])
        np.testing.assert_allclose(rows.sort_values("read")["wall_s"], per_read * share)
        assert rows["success"].all()
        stopped += 1
    assert stopped == 1  # m10 (exact ground state); m40's target is only the best seen


def test_the_share_is_one_when_no_read_stopped_early():
    share = store._run_share([2.5, 2.5, 2.5])
    assert np.array_equal(share, np.ones(3))
    assert math.isclose(1.0 * 0.7, 0.7 * share[0])
