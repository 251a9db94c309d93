"""The spin-glass problem kinds of the Digital Annealer benchmarks."""

from __future__ import annotations

import numpy as np
import pytest

from suites.problem_kinds.spin_glass import lattice_bqm, sk_bqm
from suites.problems import build_problem, problem_kind


def test_sk_couples_every_pair_with_the_drawn_couplings():
    bimodal = sk_bqm(20, "bimodal", seed=3)
    assert bimodal.num_variables == 20 and bimodal.num_interactions == 190
    assert set(bimodal.quadratic.values()) == {-1.0, 1.0}
    gaussian = sk_bqm(20, "gaussian", seed=3)
    values = np.array(list(gaussian.quadratic.values()))
    assert len(np.unique(values)) == 190 and abs(values.mean()) < 0.3
    assert sk_bqm(20, "gaussian", seed=3) == gaussian  # seeded


def test_lattice_has_four_neighbours_on_a_torus_and_fewer_with_open_edges():
    torus = lattice_bqm(5, seed=1)
    assert torus.num_interactions == 2 * 25
    assert all(torus.degree(v) == 4 for v in torus.variables)
    assert torus.adj[0].keys() == {1, 4, 5, 20}  # right, wrapped left, down, wrapped up
    open_grid = lattice_bqm(5, seed=1, periodic=False)
    assert open_grid.num_interactions == 2 * 5 * 4
    assert open_grid.degree(0) == 2 and open_grid.degree(12) == 4


def test_kinds_build_through_the_registry_and_refuse_bad_parameters():
    built = build_problem("spin_glass_2d", {"side": 4, "couplings": "bimodal",
                                            "periodic": True, "instance_seed": 2})
    assert built.bqm.num_variables == 16 and built.info["family"] == "lattice"
    with pytest.raises(ValueError, match="couplings"):
        problem_kind("spin_glass_sk").check_params({"n": 8, "couplings": "uniform"})
    with pytest.raises(ValueError, match="side"):
        problem_kind("spin_glass_2d").check_params({"side": 2})
