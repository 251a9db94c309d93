"""G-set neighbourhoods and the quantum-annealer control-error suite (issue 9)."""

import numpy as np
import pytest

from suites.instances import MaxCutGraph, cut_value, load_gset, maxcut_bqm, neighbourhood
from suites.runner import run_job
from suites.spec import load_suite


def test_neighbourhood_is_the_induced_bfs_ball():
    # path 0-1-2-3 plus a chord 0-3: from 1, BFS visits 1, 0, 2, then 3
    graph = MaxCutGraph(4, np.array([[0, 1], [1, 2], [2, 3], [0, 3]]), np.array([1., 2., 3., 4.]))
    piece = neighbourhood(graph, 3, start=1)
    assert piece.num_nodes == 3
    # relabelled in visiting order: 1 -> 0, 0 -> 1, 2 -> 2; edges (0,1) w1 and (1,2) w2 survive
    assert sorted(map(tuple, piece.edges.tolist())) == [(0, 1), (0, 2)]
    assert sorted(piece.weights.tolist()) == [1.0, 2.0]
    assert cut_value(piece, {0: 1, 1: -1, 2: -1}) == 3.0


@pytest.mark.parametrize("size, start, match", [(1, 0, "size"), (3, 9, "start"), (5, 0, "only 4")])
def test_neighbourhood_bad_arguments(size, start, match):
    graph = MaxCutGraph(4, np.array([[0, 1], [2, 3], [1, 2]]), np.ones(3))
    if match == "only 4":
        graph = MaxCutGraph(5, np.array([[0, 1], [2, 3], [1, 2]]), np.ones(3))
        size = 5
    with pytest.raises(ValueError, match=match):
        neighbourhood(graph, size, start)


def test_g1_neighbourhood_model(gset_dir):
    piece = neighbourhood(load_gset(gset_dir / "G1.txt"), 20)
    bqm = maxcut_bqm(piece)
    assert bqm.num_variables == 20 and piece.name == "G1[20]"


def test_reduced_qa_noise_suite_runs(gset_dir, monkeypatch):
    """One neighbourhood, noise on and off, a few reads: the pipeline end to end."""
    monkeypatch.setenv("ISINGBENCH_GSET_DIR", str(gset_dir))
    suite = load_suite("qa_noise")
    assert {j.machine_name for j in suite.jobs()} >= {"qa-noise-0", "qa-noise-0.2"}
    for machine in ("qa-noise-0", "qa-noise-0.2"):
        job = next(j for j in suite.jobs() if j.problem == "G1-20" and j.machine_name == machine)
        payload = {**job.to_dict(), "id": job.id, "reads": 5}
        result = run_job(payload)
        assert result["num_variables"] == 20
        assert result["target_source"] == "ground_state"
        assert len(result["energies"]) == 5
        assert min(result["energies"]) >= result["known_target"] - 1e-9
