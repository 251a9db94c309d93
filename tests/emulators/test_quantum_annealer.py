"""Tests of the quantum-annealer emulator (issue 9)."""

from __future__ import annotations

import dimod
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.machine import get_preset, ground_states
from emulators.quantum_annealer import (
    QuantumAnnealerEmbeddingSampler,
    QuantumAnnealerSampler,
    QuantumAnnealerSpec,
    hardware_graph,
    make_spec,
)
from emulators.quantum_annealer.chains import (
    check_embedding,
    embed_ising,
    unembed_spins,
    uniform_torque_compensation,
)
from emulators.quantum_annealer.kernels_cpu import MAX_TROTTER_COUPLING, trotter_coupling
from emulators.quantum_annealer.physics import (
    AnnealSchedule,
    apply_control_errors,
    auto_scale_factor,
    check_in_ranges,
)


@pytest.fixture(scope="module")
def chimera() -> QuantumAnnealerSampler:
    return QuantumAnnealerSampler("Chimera-C4")


def cell_model(sampler: QuantumAnnealerSampler, cells: int = 1, seed: int = 0
               ) -> dimod.BinaryQuadraticModel:
    """A frustrated ±1 spin glass with ±0.5 fields on the first ``cells`` Chimera cells."""
    rng = np.random.default_rng(seed)
    nodes = range(8 * cells)
    graph = sampler.spec.graph.subgraph(nodes)
    j = {e: float(rng.choice([-1.0, 1.0])) for e in graph.edges}
    h = {v: float(rng.choice([-0.5, 0.5])) for v in nodes}
    return dimod.BQM.from_ising(h, j)


# --------------------------------------------------------------------------- presets
def test_preset_sizes_follow_the_lattice_formulas():
    advantage, advantage2, small = (get_preset(n) for n in ("Advantage", "advantage2",
                                                            "chimera-c4"))
    assert advantage.graph.number_of_nodes() == 24 * 16 * 15 - 8 * 15
    assert advantage.num_qubits == 24 * 16 * 15
    assert max(d for _, d in advantage.graph.degree) == 15
    assert advantage2.graph.number_of_nodes() == 4 * 4 * 12 * 25
    assert max(d for _, d in advantage2.graph.degree) == 4 * 4 + 4
    assert small.graph.number_of_nodes() == 2 * 4 * 4 * 4
    assert max(d for _, d in small.graph.degree) == 6
    for spec in (advantage, advantage2, small):
        assert isinstance(spec, QuantumAnnealerSpec)
        assert spec.bias_range == (-4.0, 4.0) and spec.coupler_range == (-1.0, 1.0)
        assert spec.extended_j_range == (-2.0, 1.0)
        assert spec.capacity == spec.graph.number_of_nodes()


def test_broken_qubits_and_couplers_by_list_and_by_seed():
    graph = hardware_graph("chimera", 2, broken_qubits=[0], broken_couplers=[(1, 4)])
    assert 0 not in graph and not graph.has_edge(1, 4)
    a = hardware_graph("chimera", 2, num_broken_qubits=3, num_broken_couplers=5, seed=7)
    b = hardware_graph("chimera", 2, num_broken_qubits=3, num_broken_couplers=5, seed=7)
    full = hardware_graph("chimera", 2)
    assert sorted(a.nodes) == sorted(b.nodes) and sorted(a.edges) == sorted(b.edges)
    assert a.number_of_nodes() == full.number_of_nodes() - 3
    with pytest.raises(ValueError, match="broken qubit"):
        hardware_graph("chimera", 2, broken_qubits=[999])
    with pytest.raises(ValueError, match="topology"):
        hardware_graph("hexagonal", 2)


def test_user_graph_spec_and_sampler():
    spec = make_spec("ring", nx.cycle_graph(6))
    sampler = QuantumAnnealerSampler(spec)
    assert sampler.properties["topology"]["type"] == "custom"
    assert sampler.edgelist == sorted(tuple(sorted(e)) for e in nx.cycle_graph(6).edges)
    bqm = dimod.BQM.from_ising({}, {(i, (i + 1) % 6): 1.0 for i in range(6)})
    ss = sampler.sample(bqm, num_reads=5, seed=1, backend="classical", h_noise=0, j_noise=0)
    assert ss.first.energy == -6.0


# --------------------------------------------------------------------------- interface
def test_structured_interface_and_properties(chimera):
    graph = chimera.spec.graph
    assert set(chimera.nodelist) == set(graph.nodes)
    assert len(chimera.edgelist) == graph.number_of_edges()
    assert chimera.adjacency[0] == set(graph[0])
    props = chimera.properties
    for key in ("h_range", "j_range", "extended_j_range", "annealing_time_range",
                "default_annealing_time", "num_reads_range", "topology", "qubits",
                "couplers", "problem_timing_data", "num_qubits"):
        assert key in props
    assert props["topology"] == {"type": "chimera", "shape": [4, 4, 4]}
    assert set(chimera.parameters) >= {"num_reads", "annealing_time", "auto_scale",
                                       "answer_mode", "seed", "h_noise", "j_noise", "backend"}


def test_rejects_absent_nodes_and_edges(chimera):
    with pytest.raises(dimod.exceptions.BinaryQuadraticModelStructureError, match="qubits"):
        chimera.sample_ising({"a": 1.0}, {})
    with pytest.raises(dimod.exceptions.BinaryQuadraticModelStructureError, match="couplers"):
        chimera.sample_ising({}, {(0, 1): 1.0})  # same shore of a cell: no coupler


def test_rejects_unknown_and_bad_arguments(chimera):
    bqm = dimod.BQM.from_ising({0: 1.0}, {})
    with pytest.raises(TypeError, match="num_sweep"):
        chimera.sample(bqm, num_sweep=10)
    with pytest.raises(ValueError, match="annealing_time"):
        chimera.sample(bqm, annealing_time=5000)
    with pytest.raises(ValueError, match="num_reads"):
        chimera.sample(bqm, num_reads=0)
    with pytest.raises(ValueError, match="answer_mode"):
        chimera.sample(bqm, answer_mode="table")
    with pytest.raises(ValueError, match="backend"):
        chimera.sample(bqm, backend="gpu")
    with pytest.raises(ValueError, match="h_noise"):
        chimera.sample(bqm, h_noise=-0.1)
    with pytest.raises(TypeError, match="auto_scale"):
        chimera.sample(bqm, auto_scale="yes")


def test_answer_modes(chimera):
    bqm = cell_model(chimera)
    raw = chimera.sample(bqm, num_reads=12, seed=2, backend="classical", answer_mode="raw")
    hist = chimera.sample(bqm, num_reads=12, seed=2, backend="classical")
    assert len(raw) == 12 and raw.record.num_occurrences.sum() == 12
    assert hist.record.num_occurrences.sum() == 12
    assert np.all(np.diff(hist.record.energy) >= 0)
    assert hist.first.energy == raw.first.energy


def test_binary_models_come_back_binary_with_original_energies(chimera):
    bqm = cell_model(chimera).change_vartype(dimod.BINARY, inplace=False)
    ss = chimera.sample(bqm, num_reads=4, seed=3, backend="classical", answer_mode="raw")
    assert ss.vartype is dimod.BINARY
    np.testing.assert_allclose(ss.record.energy, bqm.energies(ss))


# --------------------------------------------------------------------------- physics
def test_auto_scale_factor_uses_the_ranges():
    h, j = np.array([2.0, -1.0]), np.array([-4.0, 0.5])
    assert auto_scale_factor(h, j, (-4, 4), (-1, 1)) == pytest.approx(0.25)
    assert auto_scale_factor(np.array([0.1]), np.array([0.2]), (-4, 4), (-1, 1)) == 5.0
    assert auto_scale_factor(np.zeros(2), np.zeros(0), (-4, 4), (-1, 1)) == 1.0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31), st.floats(0.01, 100.0))
def test_scaling_keeps_ground_states(seed, magnitude):
    rng = np.random.default_rng(seed)
    n = 7
    h = {i: float(rng.normal(0, magnitude)) for i in range(n)}
    j = {(a, b): float(rng.normal(0, magnitude)) for a in range(n) for b in range(a + 1, n)
         if rng.random() < 0.6}
    bqm = dimod.BQM.from_ising(h, j)
    lin, (_, _, quad), _ = bqm.to_numpy_vectors()
    scale = auto_scale_factor(lin, quad, (-4, 4), (-1, 1))
    scaled = bqm.copy()
    scaled.scale(scale)
    assert np.abs(quad * scale).max(initial=0) <= 1 + 1e-12
    assert np.abs(lin * scale).max(initial=0) <= 4 + 1e-12
    _, original_states, labels = ground_states(bqm)
    _, scaled_states, scaled_labels = ground_states(scaled)
    assert labels == scaled_labels
    assert {tuple(s) for s in original_states} == {tuple(s) for s in scaled_states}


def test_auto_scale_false_refuses_values_outside_the_ranges(chimera):
    inside_extended = dimod.BQM.from_ising({0: 3.5}, {(0, 4): -1.8})
    chimera.sample(inside_extended, auto_scale=False, num_reads=1, backend="classical")
    with pytest.raises(ValueError, match="every h must lie"):
        chimera.sample(dimod.BQM.from_ising({0: 4.5}, {}), auto_scale=False)
    with pytest.raises(ValueError, match="every J must lie"):
        chimera.sample(dimod.BQM.from_ising({}, {(0, 4): -2.5}), auto_scale=False)
    with pytest.raises(ValueError, match="every J must lie"):
        check_in_ranges(np.zeros(1), np.array([1.2]), (-4, 4), (-2, 1))


def test_control_errors_have_the_requested_width():
    rng = np.random.default_rng(0)
    h, j = apply_control_errors(np.zeros(20000), np.ones(20000), 0.05, 0.1, rng)
    assert np.std(h) == pytest.approx(0.05, rel=0.05)
    assert np.std(j - 1) == pytest.approx(0.1, rel=0.05)
    same_h, same_j = apply_control_errors(np.zeros(3), np.ones(2), 0.0, 0.0, rng)
    assert np.all(same_h == 0) and np.all(same_j == 1)


def test_control_errors_change_the_answer_distribution(chimera):
    # a model with a tiny field: large noise flips the preferred state of spin 0 often
    bqm = dimod.BQM.from_ising({0: 0.01}, {})
    clean = chimera.sample(bqm, num_reads=1, seed=0, h_noise=0.0, backend="classical",
                           answer_mode="raw", auto_scale=False)
    noisy = [chimera.sample(bqm, num_reads=1, seed=s, h_noise=2.0, backend="classical",
                            answer_mode="raw", auto_scale=False).first.sample[0]
             for s in range(12)]
    assert clean.first.sample[0] == -1
    assert 1 in noisy


def test_schedule_fields_end_classical():
    schedule = AnnealSchedule()
    problem, driver = schedule.fields(50)
    assert driver[-1] == 0.0 and problem[-1] == pytest.approx(schedule.final_beta)
    assert np.all(np.diff(problem) > 0) and np.all(np.diff(driver) < 0)
    assert schedule.num_sweeps(20.0) == round(20 * schedule.sweeps_per_us)
    with pytest.raises(ValueError, match="temperature_mk"):
        AnnealSchedule(temperature_mk=0)
    with pytest.raises(ValueError, match="trotter_slices"):
        AnnealSchedule(trotter_slices=1)


def test_trotter_coupling():
    driver = np.array([8.0, 1.0, 0.0])
    coupling = trotter_coupling(driver, 4)
    np.testing.assert_allclose(coupling[:2], 0.5 * np.log(1 / np.tanh(driver[:2] / 4)))
    assert coupling[2] == MAX_TROTTER_COUPLING
    assert coupling[0] < coupling[1]


@pytest.mark.parametrize("backend", ["sqa", "sqa-trotter", "classical"])
def test_noiseless_long_anneal_reaches_the_ground_state(chimera, backend):
    bqm = cell_model(chimera, cells=1, seed=4)
    e0, _, _ = ground_states(bqm)
    ss = chimera.sample(bqm, num_reads=10, annealing_time=100, h_noise=0, j_noise=0, seed=6,
                        backend=backend, answer_mode="raw")
    success = np.isclose(ss.record.energy, e0)
    assert success.mean() >= 0.8, (backend, ss.record.energy, e0)


# --------------------------------------------------------------------------- timing, seeds
def test_timing_adds_up(chimera):
    bqm = cell_model(chimera)
    ss = chimera.sample(bqm, num_reads=7, annealing_time=50, seed=1, backend="classical")
    t = ss.info["timing"]
    per_read = t["qpu_anneal_time_per_sample"] + t["qpu_readout_time_per_sample"] + \
        t["qpu_delay_time_per_sample"]
    assert t["qpu_anneal_time_per_sample"] == 50.0
    assert t["qpu_sampling_time"] == pytest.approx(7 * per_read)
    assert t["qpu_access_time"] == pytest.approx(t["qpu_programming_time"] + 7 * per_read)
    assert t["modelled_hardware_s"] == pytest.approx(t["qpu_access_time"] * 1e-6)
    # the readout is that of the qubits the model is programmed on
    assert t["modelled_hardware_s"] == pytest.approx(
        chimera.spec.clock.seconds(50.0, 7, bqm.num_variables))
    for key in ("preprocessing_ns", "sampling_ns", "postprocessing_ns"):
        assert t[key] > 0


@pytest.mark.parametrize("backend", ["sqa", "sqa-trotter", "classical"])
def test_seeds_reproduce(chimera, backend):
    bqm = cell_model(chimera, cells=4, seed=1)
    kw = {"num_reads": 4, "num_sweeps": 20, "backend": backend, "answer_mode": "raw"}
    a = chimera.sample(bqm, seed=11, **kw)
    b = chimera.sample(bqm, seed=11, **kw)
    c = chimera.sample(bqm, seed=12, **kw)
    np.testing.assert_array_equal(a.record.sample, b.record.sample)
    assert not np.array_equal(a.record.sample, c.record.sample)
    assert a.info["seed"] == 11


# --------------------------------------------------------------------------- embedding
def test_embed_unembed_round_trip_and_energy():
    spec = get_preset("chimera-c4")
    bqm = dimod.generators.ran_r(1, 6, seed=3)
    chains = spec.find_embedding(bqm)
    assert chains is not None and check_embedding(chains, bqm, spec.graph) == chains
    strength = uniform_torque_compensation(bqm)
    target = embed_ising(bqm, chains, spec.graph, strength)
    qubits = list(target.variables)
    rng = np.random.default_rng(0)
    logical = (2 * rng.integers(0, 2, size=(20, 6)) - 1).astype(np.int8)
    variables = list(bqm.variables)
    physical = np.empty((20, len(qubits)), dtype=np.int8)
    for k, v in enumerate(variables):
        for q in chains[v]:
            physical[:, qubits.index(q)] = logical[:, k]
    back, broken = unembed_spins(physical, qubits, chains, variables, rng)
    np.testing.assert_array_equal(back, logical)
    assert not broken.any()
    np.testing.assert_allclose(target.energies((physical, qubits)),
                               bqm.energies((logical, variables)))


def test_majority_vote_and_broken_chains():
    chains = {"a": (0, 1, 2), "b": (3,)}
    spins = np.array([[1, 1, -1, -1], [-1, -1, -1, 1]], dtype=np.int8)
    logical, broken = unembed_spins(spins, [0, 1, 2, 3], chains, ["a", "b"],
                                    np.random.default_rng(0))
    np.testing.assert_array_equal(logical, [[1, -1], [-1, 1]])
    np.testing.assert_array_equal(broken, [[True, False], [False, False]])


def test_chain_strength_uniform_torque_compensation():
    bqm = dimod.BQM.from_ising({}, {(0, 1): 1.0, (1, 2): -2.0, (0, 2): 2.0})
    rms = np.sqrt((1 + 4 + 4) / 3)
    assert uniform_torque_compensation(bqm) == pytest.approx(1.414 * rms * np.sqrt(2.0))
    assert uniform_torque_compensation(dimod.BQM.from_ising({0: 1.0}, {})) == 1.0


def test_embedding_sampler_reports_chains_and_solves_a_clique():
    sampler = QuantumAnnealerEmbeddingSampler("Chimera-C4")
    bqm = dimod.generators.ran_r(1, 7, seed=5)
    e0 = dimod.ExactSolver().sample(bqm).first.energy
    ss = sampler.sample(bqm, num_reads=20, seed=2, h_noise=0, j_noise=0, backend="classical",
                        annealing_time=50, answer_mode="raw", return_embedding=True)
    assert set(ss.variables) == set(bqm.variables)
    np.testing.assert_allclose(ss.record.energy, bqm.energies(ss))
    assert ss.first.energy == e0
    assert ss.info["chains"]["longest_chain"] >= 2
    assert ss.info["embedding_context"]["chain_strength"] == pytest.approx(
        uniform_torque_compensation(bqm))
    chains = ss.info["embedding_context"]["embedding"]
    assert sum(len(c) for c in chains.values()) == ss.info["chains"]["qubits_used"]
    assert len(ss.record.chain_break_fraction) == 20
    assert ss.info["fit"].fits and ss.info["fit"].extra["embedding_found"]
    again = sampler.sample(bqm, num_reads=20, seed=2, h_noise=0, j_noise=0,
                           backend="classical", annealing_time=50, answer_mode="raw")
    np.testing.assert_array_equal(ss.record.sample, again.record.sample)


def test_embedded_sqa_solves_a_small_clique():
    sampler = QuantumAnnealerEmbeddingSampler("Chimera-C4")
    bqm = dimod.generators.ran_r(1, 5, seed=8)
    e0 = dimod.ExactSolver().sample(bqm).first.energy
    ss = sampler.sample(bqm, num_reads=8, seed=1, h_noise=0, j_noise=0, annealing_time=50,
                        answer_mode="raw")
    assert np.mean(np.isclose(ss.record.energy, e0)) >= 0.5
    timing = ss.info["timing"]
    assert 0 < timing["embedding_ns"] <= timing["preprocessing_ns"]
    assert timing["qpu_anneal_time_per_sample"] == 50.0


def test_weak_chains_break_and_discard_drops_them():
    sampler = QuantumAnnealerEmbeddingSampler("Chimera-C4")
    bqm = dimod.generators.ran_r(1, 8, seed=1)
    kw = {"num_reads": 20, "seed": 4, "backend": "classical", "answer_mode": "raw"}
    weak = sampler.sample(bqm, chain_strength=0.01, **kw)
    assert weak.info["chain_break_fraction_mean"] > 0
    dropped = sampler.sample(bqm, chain_strength=0.01, chain_break_method="discard", **kw)
    assert len(dropped) == 20 - dropped.info["num_discarded"] < 20
    assert np.all(dropped.record.chain_break_fraction == 0)


def test_embedding_sampler_rejects_bad_input():
    sampler = QuantumAnnealerEmbeddingSampler("Chimera-C4")
    bqm = dimod.BQM.from_ising({}, {("a", "b"): 1.0})
    with pytest.raises(TypeError, match="colour"):
        sampler.sample(bqm, colour="red")
    with pytest.raises(ValueError, match="chain_break_method"):
        sampler.sample(bqm, chain_break_method="vote")
    with pytest.raises(ValueError, match="no hardware coupler"):
        sampler.sample(bqm, embedding={"a": (0,), "b": (1,)})
    with pytest.raises(ValueError, match="chain_strength"):
        sampler.sample(bqm, chain_strength=-1.0)


def test_fit_report_embedding_facts():
    spec = get_preset("chimera-c4")
    native = spec.validate(dimod.BQM.from_ising({0: 2.0}, {(0, 4): -0.5}))
    assert native.fits and native.extra["native"] and native.extra["longest_chain"] == 1
    assert native.extra["h_range_used"] == [0.0, 4.0]
    clique = spec.validate(dimod.generators.ran_r(1, 6, seed=0))
    assert clique.fits and not clique.extra["native"]
    assert clique.extra["longest_chain"] >= 2
    lo, hi = clique.extra["j_range_used"]
    assert -1.0 - 1e-12 <= lo and hi <= 1.0 + 1e-12
    too_big = spec.validate(dimod.generators.ran_r(1, 200, seed=0))
    assert not too_big.fits and not too_big.extra["embedding_found"]
    assert any("exceed" in r for r in too_big.reasons)


# --------------------------------------------------------------------------- composites
def test_works_under_dimod_composites(chimera):
    bqm = cell_model(chimera, seed=2)
    e0, _, _ = ground_states(bqm)
    kw = {"num_reads": 8, "seed": 3, "backend": "classical", "h_noise": 0, "j_noise": 0}
    tracked = dimod.TrackingComposite(chimera)
    ss = tracked.sample(bqm, **kw)
    assert ss.first.energy == pytest.approx(e0) and tracked.input["num_reads"] == 8
    ss = dimod.TruncateComposite(chimera, n=3).sample(bqm, answer_mode="raw", **kw)
    assert len(ss) == 3 and ss.first.energy == pytest.approx(e0)


def test_works_under_spin_reversal_transforms(chimera):
    preprocessing = pytest.importorskip("dwave.preprocessing")
    bqm = cell_model(chimera, seed=2)
    e0, _, _ = ground_states(bqm)
    srt = preprocessing.SpinReversalTransformComposite(chimera)
    ss = srt.sample(bqm, num_spin_reversal_transforms=2, num_reads=4, seed=3,
                    backend="classical", h_noise=0, j_noise=0)
    assert ss.first.energy == pytest.approx(e0)
    ss = preprocessing.ScaleComposite(chimera).sample(bqm, scalar=0.5, num_reads=4, seed=3,
                                                      backend="classical", h_noise=0,
                                                      j_noise=0)
    assert ss.first.energy == pytest.approx(e0)


def test_works_under_dwave_system_embedding_composites(chimera):
    system = pytest.importorskip("dwave.system")
    bqm = dimod.generators.ran_r(1, 5, seed=0)
    e0 = dimod.ExactSolver().sample(bqm).first.energy
    kw = {"num_reads": 10, "seed": 1, "backend": "classical", "h_noise": 0, "j_noise": 0}
    ss = system.EmbeddingComposite(chimera).sample(bqm, **kw)
    assert ss.first.energy == e0
    chains = get_preset("chimera-c4").find_embedding(bqm)
    ss = system.FixedEmbeddingComposite(chimera, chains).sample(bqm, **kw)
    assert ss.first.energy == e0
    assert "timing" in ss.info


def test_readout_time_follows_the_qubits_the_model_uses():
    """The modelled readout per read is the timing model's value for the qubits programmed
    (a small embedded model reads faster than the whole chip)."""
    from emulators import QuantumAnnealerEmbeddingSampler

    sampler = QuantumAnnealerEmbeddingSampler("Advantage")
    small = dimod.generators.ran_r(1, 6, seed=0)
    large = dimod.generators.ran_r(1, 24, seed=0)
    t_small = sampler.sample(small, num_reads=2, seed=1).info["timing"]
    t_large = sampler.sample(large, num_reads=2, seed=1).info["timing"]
    timing = sampler.spec.timing
    assert t_small["qpu_readout_time_per_sample"] < t_large["qpu_readout_time_per_sample"]
    assert t_large["qpu_readout_time_per_sample"] < timing.readout_us(None)
    emb = sampler.sample(small, num_reads=2, seed=1, return_embedding=True).info
    qubits = sum(len(chain) for chain in emb["embedding_context"]["embedding"].values())
    assert t_small["qpu_readout_time_per_sample"] == pytest.approx(timing.readout_us(qubits))
