"""Max-cut instances: G-set files, cut values, Ising/QUBO conversion, downloads."""

from __future__ import annotations

import itertools
import urllib.error
from pathlib import Path

import dimod
import networkx as nx
import numpy as np
import pytest

from suites import instances
from suites.instances import (
    GsetDownloadError,
    MaxCutGraph,
    bqm_to_maxcut,
    cut_value,
    dense_pm1_instance,
    download_gset,
    find_gset,
    gset_best_known,
    gset_best_known_table,
    load_gset,
    maxcut_bqm,
    write_gset,
)

#: The shared G-set folder, beside the repository (never inside it).
GSET_DIR = Path(__file__).parents[2].parent / "shared" / "data" / "gset"


@pytest.fixture
def shared_gset() -> Path:
    if not (GSET_DIR / "README.md").is_file():
        pytest.skip(f"shared G-set data not found in {GSET_DIR}")
    return GSET_DIR


def random_graph(n, m, seed, weights=(-1.0, 1.0)):
    rng = np.random.default_rng(seed)
    pairs = np.array(list(itertools.combinations(range(n), 2)))
    edges = pairs[rng.choice(len(pairs), size=m, replace=False)]
    return MaxCutGraph(n, edges, rng.choice(weights, size=m), name="rand")


def brute_force_cut(graph, spins):
    pairs = zip(graph.edges, graph.weights, strict=True)
    return sum(w for (i, j), w in pairs if spins[i] != spins[j])


# --------------------------------------------------------------------------- G-set files
def test_gset_file_round_trips_with_its_cut_values(tmp_path):
    graph = random_graph(30, 120, seed=1)
    path = write_gset(graph, tmp_path / "G999.txt")
    assert path.read_text().splitlines()[0] == "30 120"
    loaded = load_gset(path)
    assert loaded.num_nodes == 30 and loaded.num_edges == 120 and loaded.name == "G999"
    np.testing.assert_array_equal(loaded.edges, graph.edges)
    np.testing.assert_array_equal(loaded.weights, graph.weights)
    rng = np.random.default_rng(2)
    for _ in range(5):
        spins = rng.choice([-1, 1], size=30)
        assert loaded.cut_value(spins) == graph.cut_value(spins) == brute_force_cut(graph, spins)


def test_real_weights_round_trip(tmp_path):
    graph = MaxCutGraph(4, [[0, 1], [2, 3], [1, 3]], [0.1, -2.5, 1e-3])
    loaded = load_gset(write_gset(graph, tmp_path / "w.txt"))
    np.testing.assert_array_equal(loaded.weights, graph.weights)


@pytest.mark.parametrize("text, match", [
    ("", "first line"),
    ("3\n", "first line"),
    ("3 2\n1 2 1\n", "announces 2 edges"),
    ("3 1\n1 4 1\n", r"vertices must be integers in \[1, 3\]"),
    ("3 1\n1 1.5 1\n", "vertices must be integers"),
    ("3 1\n2 2 1\n", "self-loops"),
    ("3 2\n1 2 1\n2 1 1\n", "duplicate"),
    ("3 1\n1 2 x\n", "i j w"),
])
def test_malformed_gset_files_name_the_file(tmp_path, text, match):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=match) as info:
        load_gset(path)
    assert "bad.txt" in str(info.value)


def test_missing_gset_file():
    with pytest.raises(FileNotFoundError):
        load_gset("/nonexistent/G1.txt")


def test_shared_g22_and_best_known_cuts(shared_gset):
    graph = load_gset(find_gset("G22", shared_gset))
    assert (graph.num_nodes, graph.num_edges) == (2000, 19990)
    assert np.all(graph.weights == 1.0)
    table = gset_best_known_table(shared_gset)
    assert gset_best_known("G22", shared_gset) == 13359
    assert gset_best_known("G70", shared_gset) == 9591  # remark after the number ignored
    assert gset_best_known("G81", shared_gset) is None
    # every listed instance is in the folder and its header matches the table row
    for name in table:
        path = find_gset(name, shared_gset)
        n, m = map(int, path.read_text().split("\n", 1)[0].split())
        assert n >= 800 and m > 0
    spins = np.random.default_rng(0).choice([-1, 1], size=2000)
    assert -maxcut_bqm(graph).energy(dict(enumerate(spins))) == brute_force_cut(graph, spins)


def test_find_gset_reports_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_gset"):
        find_gset("G1", tmp_path)
    (tmp_path / "G1").write_text("2 1\n1 2 1\n")
    assert find_gset("G1", tmp_path) == tmp_path / "G1"
    with pytest.raises(ValueError, match="G-set name"):
        find_gset("../etc/passwd", tmp_path)


def test_best_known_needs_a_readme(tmp_path):
    with pytest.raises(FileNotFoundError, match="README.md"):
        gset_best_known("G1", tmp_path)


# --------------------------------------------------------------------------- downloads
def test_download_offline_gives_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("ISINGBENCH_CACHE", str(tmp_path))

    def offline(url, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(instances, "_fetch", offline)
    with pytest.raises(GsetDownloadError) as info:
        download_gset("G22")
    message = str(info.value)
    assert "G22" in message and "offline" in message
    assert str(tmp_path / "gset" / "G22.txt") in message
    assert not (tmp_path / "gset" / "G22.txt").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(GsetDownloadError, match="offline"):
        find_gset("G22", tmp_path / "empty", download=True)


def test_download_stores_a_valid_file_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ISINGBENCH_CACHE", str(tmp_path))
    calls = []

    def fake(url, timeout):
        calls.append(url)
        return b"3 2\n1 2 1\n2 3 -1\n"

    monkeypatch.setattr(instances, "_fetch", fake)
    path = download_gset("G43")
    assert path == tmp_path / "gset" / "G43.txt"
    assert calls == [instances.GSET_URL.format(name="G43")]
    assert load_gset(path).num_edges == 2
    assert download_gset("G43") == path and len(calls) == 1  # cached: no second fetch


def test_download_refuses_a_bad_answer(tmp_path):
    with pytest.raises(GsetDownloadError, match="did not return a G-set file"):
        download_gset("G1", tmp_path, fetch=lambda url, timeout: b"<html>not found</html>")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- conversion
@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
def test_energy_is_minus_the_cut(vartype):
    graph = random_graph(12, 40, seed=3, weights=(-2.0, 0.5, 1.0))
    bqm = maxcut_bqm(graph, vartype)
    assert bqm.vartype is dimod.as_vartype(vartype)
    spins = np.array(list(itertools.product([-1, 1], repeat=12)))
    samples = spins if vartype == "SPIN" else (spins + 1) // 2
    energies = bqm.energies((samples, list(range(12))))
    cuts = np.array([brute_force_cut(graph, s) for s in spins[::97]])
    np.testing.assert_allclose(-energies[::97], cuts)
    # the optimum of the model is the maximum cut
    assert -energies.min() == pytest.approx(max(brute_force_cut(graph, s) for s in spins[::1]))
    if vartype == "SPIN":
        coupler_part = energies - bqm.offset
        np.testing.assert_allclose(cuts, -coupler_part[::97] + graph.total_weight / 2)


def test_cut_value_accepts_every_graph_form_and_both_encodings():
    graph = random_graph(9, 20, seed=4, weights=(1.0, 3.0, -1.0))
    spins = np.random.default_rng(5).choice([-1, 1], size=9)
    bits = (spins + 1) // 2
    expected = brute_force_cut(graph, spins)
    w = graph.weight_matrix()
    nxg = nx.Graph()
    nxg.add_nodes_from(range(9))
    nxg.add_weighted_edges_from((int(i), int(j), float(x)) for (i, j), x in
                                zip(graph.edges, graph.weights, strict=True))
    assert cut_value(graph, spins) == expected
    assert cut_value(graph, bits) == expected
    assert cut_value(w, spins) == pytest.approx(expected)
    assert cut_value(np.triu(w), bits) == pytest.approx(expected)
    assert cut_value(nxg, dict(enumerate(spins))) == pytest.approx(expected)
    assert cut_value(graph, dict(enumerate(bits))) == expected
    with pytest.raises(ValueError, match="spins"):
        cut_value(graph, np.r_[bits[:-1], -1])
    with pytest.raises(ValueError, match="9 values"):
        cut_value(graph, spins[:5])
    with pytest.raises(TypeError, match="square"):
        cut_value(np.ones(3), spins)


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
def test_any_model_reduces_to_max_cut(vartype):
    bqm = dimod.generators.gnp_random_bqm(7, 0.6, vartype, random_state=6)
    bqm.offset = 1.25
    red = bqm_to_maxcut(bqm)
    assert red.auxiliary and red.graph.num_nodes == 8
    for cut_spins in itertools.product([-1, 1], repeat=8):
        sample = red.to_sample(cut_spins)
        cut = red.graph.cut_value(np.array(cut_spins))
        assert bqm.energy(sample) == pytest.approx(red.energy_constant - cut)
    pure = maxcut_bqm(random_graph(6, 8, seed=7))
    back = bqm_to_maxcut(pure)
    assert not back.auxiliary and back.energy_constant == pytest.approx(0.0)


def test_dense_pm1_instances_are_complete_and_reproducible():
    a = dense_pm1_instance(50, seed=11)
    b = dense_pm1_instance(50, seed=11)
    c = dense_pm1_instance(50, seed=12)
    assert a.num_edges == 50 * 49 // 2 and set(np.unique(a.weights)) == {-1.0, 1.0}
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)
    assert a.name == "K50-pm1-seed11"
    with pytest.raises(ValueError, match="n must"):
        dense_pm1_instance(1, seed=0)
    with pytest.raises(ValueError, match="seed"):
        dense_pm1_instance(10, seed=-1)


def test_graph_validation():
    with pytest.raises(ValueError, match="shape"):
        MaxCutGraph(3, [[0, 1, 2]], [1.0])
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        MaxCutGraph(3, [[0, 3]], [1.0])
    with pytest.raises(ValueError, match="finite"):
        MaxCutGraph(3, [[0, 1]], [np.nan])
    with pytest.raises(TypeError, match="MaxCutGraph"):
        maxcut_bqm({"edges": []})
