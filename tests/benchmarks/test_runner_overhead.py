"""Runner overhead: jobs per second for 200 trivial jobs (local pool vs Dask LocalCluster), and
the wall time of the quickstart suite.

Run with::

    .venv/bin/pytest tests/benchmarks/test_runner_overhead.py -m bench \
         --benchmark-columns=min,mean,max,rounds

``extra_info["jobs_per_s"]`` holds the throughput of each trivial-jobs benchmark.
"""

from __future__ import annotations

import itertools
import json

import dimod
import pytest

from suites.runner import default_workers, run_suite
from suites.spec import load_suite, parse_suite

N_JOBS = 200


@pytest.fixture(scope="module")
def trivial_suite(tmp_path_factory):
    """200 jobs whose work is negligible: one steepest-descent read of a 2-spin model."""
    tmp = tmp_path_factory.mktemp("overhead")
    model = tmp / "two.json"
    model.write_text(json.dumps(dimod.BQM({0: 0.5}, {(0, 1): -1.0}, 0.0, "SPIN")
                                .to_serializable()))
    text = (f"name: trivial\nseeds: {N_JOBS}\nreads: 1\ntarget: auto\nmetrics: {{trace: false}}\n"
            f"problems:\n  - {{name: two, kind: qubo_file, params: {{path: '{model}'}}}}\n"
            "machines: [dwave-greedy]\n")
    return parse_suite(text), tmp


def _bench(benchmark, suite, tmp, dask):
    counter = itertools.count()
    label = "local" if dask is None else "dask"

    def run():
        out = tmp / f"{label}-{benchmark.name}-{next(counter)}"
        summary = run_suite(suite, out, workers=default_workers(),
                            dask=dask, progress=False)
        assert summary.done == N_JOBS and summary.ok
        return summary

    benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["jobs"] = N_JOBS
    benchmark.extra_info["workers"] = default_workers()
    benchmark.extra_info["jobs_per_s"] = N_JOBS / benchmark.stats.stats.mean


@pytest.mark.slow
def test_trivial_jobs_local_pool(benchmark, trivial_suite):
    suite, tmp = trivial_suite
    _bench(benchmark, suite, tmp, None)


@pytest.mark.slow
def test_trivial_jobs_dask_local_cluster(benchmark, trivial_suite):
    """``--dask local``: includes starting and stopping the LocalCluster on every run."""
    pytest.importorskip("distributed")
    suite, tmp = trivial_suite
    _bench(benchmark, suite, tmp, "local")


@pytest.mark.slow
def test_trivial_jobs_dask_running_cluster(benchmark, trivial_suite):
    """``--dask tcp://...`` to a LocalCluster started beforehand: the runner's own overhead."""
    distributed = pytest.importorskip("distributed")
    suite, tmp = trivial_suite
    with distributed.LocalCluster(n_workers=default_workers(), threads_per_worker=1,
                                  dashboard_address=":0") as cluster:
        _bench(benchmark, suite, tmp, cluster.scheduler_address)


@pytest.mark.slow
def test_quickstart_wall_time(benchmark, tmp_path):
    suite = load_suite("quickstart")
    counter = itertools.count()

    def run():
        summary = run_suite(suite, tmp_path / f"q{next(counter)}", progress=False)
        assert summary.ok, summary.text()

    benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["jobs"] = len(suite.jobs())
    benchmark.extra_info["workers"] = default_workers()
