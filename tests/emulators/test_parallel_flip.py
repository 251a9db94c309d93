"""Parallel-flip annealing: momentum annealing, SCA and graph-colouring Metropolis."""

from __future__ import annotations

import dimod
import networkx as nx
import numpy as np
import pytest

from emulators._core.arrays import ising_arrays
from emulators.bifurcation import SCHEMES, ParallelFlipAnnealingSampler, kernels_cpu, kernels_xp
from emulators.bifurcation.coupling import beta_range, colour_classes, model_coupling
from emulators.bifurcation.schedules import FlipSchedule
from emulators.machine import ground_states


def sk_model(n: int, seed: int, fields: bool = False) -> dimod.BinaryQuadraticModel:
    rng = np.random.default_rng(seed)
    h = rng.normal(size=n) if fields else np.zeros(n)
    j = {(i, k): float(rng.normal()) for i in range(n) for k in range(i + 1, n)}
    return dimod.BQM.from_ising(dict(enumerate(h)), j)


def lattice_model(side: int, seed: int) -> dimod.BinaryQuadraticModel:
    """A ±J 2D torus with small random fields (sparse: stored as CSR)."""
    rng = np.random.default_rng(seed)
    graph = nx.convert_node_labels_to_integers(nx.grid_2d_graph(side, side, periodic=True))
    j = {edge: float(rng.choice([-1.0, 1.0])) for edge in graph.edges}
    h = {v: float(rng.normal(scale=0.1)) for v in graph.nodes}
    return dimod.BQM.from_ising(h, j)


@pytest.fixture(scope="module")
def sampler() -> ParallelFlipAnnealingSampler:
    return ParallelFlipAnnealingSampler()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kernel", ["numba", "numpy"])
def test_small_model_reaches_ground_state(sampler, scheme, kernel):
    bqm = sk_model(12, seed=3, fields=True)
    e_min, _, _ = ground_states(bqm)
    ss = sampler.sample(bqm, scheme=scheme, num_reads=16, num_sweeps=300, seed=5,
                        cpu_kernel=kernel)
    assert ss.first.energy == pytest.approx(e_min)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_sparse_lattice_energies_and_trace(sampler, scheme):
    bqm = lattice_model(10, seed=1)
    assert not ising_arrays(bqm).is_dense  # exercises the CSR kernels
    ss = sampler.sample(bqm, scheme=scheme, num_reads=8, num_sweeps=200, seed=0,
                        record_trace=True)
    assert np.allclose(ss.record.energy, bqm.energies(ss))
    best = ss.info["trace"]["best_energy"]
    assert np.all(np.diff(best, axis=1) <= 1e-9)
    assert np.allclose(np.sort(best[:, -1]), np.sort(ss.record.energy))
    # a random state averages 0 (spread ~ sqrt(200)); ±J 2D ground states are near -0.7
    # per bond
    assert ss.first.energy < -0.6 * len(bqm.quadratic)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kernel", ["numba", "numpy"])
def test_seeds_reproduce(sampler, scheme, kernel):
    bqm = lattice_model(6, seed=2)
    runs = [sampler.sample(bqm, scheme=scheme, num_reads=4, num_sweeps=30, seed=s,
                           cpu_kernel=kernel).record.sample for s in (21, 21, 22)]
    assert np.array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_colour_classes_are_independent_sets():
    bqm = lattice_model(7, seed=0)  # odd torus: needs three colours
    arrays = ising_arrays(bqm)
    classes = colour_classes(model_coupling(arrays, "direct"))
    assert sorted(np.concatenate(classes).tolist()) == list(range(bqm.num_variables))
    for cls in classes:
        members = {arrays.labels[i] for i in cls}
        assert not any(u in members and v in members for u, v in bqm.quadratic)
    assert len(classes) >= 3


@pytest.mark.parametrize("scheme", ["momentum", "sca"])
def test_numba_fields_stay_exact(scheme):
    bqm = lattice_model(6, seed=3)
    coupling = model_coupling(ising_arrays(bqm), "direct")
    sweeps = 40
    spins = np.ones((3, coupling.num_spins), dtype=np.int8)
    schedule = FlipSchedule(
        w=np.full(coupling.num_spins, 2.0), temperatures=np.linspace(3, 0.1, sweeps),
        couplings=np.linspace(0, 1, sweeps),
        dropouts=np.linspace(0.5, 0, sweeps) if scheme == "momentum" else np.zeros(sweeps),
        energy_interval=1)
    engine = kernels_cpu.ParallelFlipCpu(coupling.matrix, coupling.h, coupling.offset, schedule,
                                         spins=spins, seeds=np.arange(3))
    engine.advance(0, sweeps)
    assert np.allclose(engine.field, (coupling.matrix @ engine.s.T.astype(float)).T)
    arrays = ising_arrays(bqm)
    assert np.allclose(engine.best_e, arrays.energies(engine.best_s))


@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_fused_cpu_step_equals_the_array_code_bit_for_bit(dropout):
    """The numpy engine's fused step (numba passes around numpy's log) and the array code
    (the cupy path) draw the same randoms and give the same spins and stability counts,
    step after step, including agents stopped mid-run."""
    rng = np.random.default_rng(11)
    n, agents, steps = 50, 5, 80
    upper = np.triu(rng.normal(size=(n, n)), 1)
    coupling = kernels_xp.CouplingMatrix(np, upper + upper.T)
    schedule = FlipSchedule(
        w=rng.uniform(0.5, 2.0, n), temperatures=np.geomspace(5, 0.05, steps),
        couplings=np.linspace(0, 1, steps), dropouts=np.full(steps, dropout),
        energy_interval=10)
    spins = rng.choice([-1, 1], size=(agents, n)).astype(np.int8)
    h = rng.normal(size=n)
    fused, array = (kernels_xp.ParallelFlipXp(np, coupling, h, 0.0,
                                              schedule, spins, seed=3) for _ in range(2))
    for engine in (fused, array):  # as a reached target leaves them: agent 1 is stopped
        engine.awake = np.array([True, False, True, True, True])
    for k in range(steps):
        js = fused.s @ coupling.m
        fused._fused_step(js, k)
        array._step(js.copy(), k)
        assert np.array_equal(fused.s, array.s), k
        assert np.array_equal(fused.stable, array.stable), k
    assert np.array_equal(fused.s[1], spins[1])
    assert np.any(fused.s != spins)


def test_initial_states_are_used(sampler):
    bqm = sk_model(10, seed=4)
    e_min, states, labels = ground_states(bqm)
    start = dict(zip(labels, states[0], strict=True))
    cold = (1e3, 1e3)  # frozen: a ground state stays put
    for scheme in SCHEMES:
        ss = sampler.sample(bqm, scheme=scheme, num_reads=4, num_sweeps=5, seed=0,
                            beta_range=cold, initial_states=start, dropout=0.0)
        assert np.allclose(ss.record.energy, e_min), scheme


def test_default_beta_range_rule():
    bqm = dimod.BQM.from_ising({0: 0.5}, {(0, 1): 2.0, (1, 2): -1.0})
    hot, cold = beta_range(model_coupling(ising_arrays(bqm), "direct"))
    assert hot == pytest.approx(np.log(2) / (2 * 3.0))  # spin 1: |2| + |-1|
    assert cold == pytest.approx(np.log(100) / (2 * 0.5))


def test_early_stop(sampler):
    bqm = sk_model(16, seed=5)  # continuous couplings: no zero-cost flips once cold
    ss = sampler.sample(bqm, scheme="colour", num_reads=4, num_sweeps=5000, seed=1,
                        stop_window=20, beta_range=(5.0, 10.0))
    assert ss.info["stopped_early"] and ss.info["num_sweeps_run"] < 5000


@pytest.mark.parametrize("kwargs,error,word", [
    ({"scheme": "gibbs"}, ValueError, "scheme"),
    ({"num_sweeps": -3}, ValueError, "num_sweeps"),
    ({"beta_range": (2.0, 1.0)}, ValueError, "beta_range"),
    ({"beta_range": 5}, TypeError, "beta_range"),
    ({"dropout": 1.5}, ValueError, "dropout"),
    ({"self_coupling": -1.0}, ValueError, "self_coupling"),
    ({"initial_states": [[0, 2, 1, 1]]}, ValueError, "initial_states"),
    ({"variant": "bSB"}, TypeError, "variant"),
])
def test_bad_arguments(sampler, kwargs, error, word):
    with pytest.raises(error, match=word):
        sampler.sample(sk_model(4, seed=0), **kwargs)


@pytest.mark.gpu
@pytest.mark.parametrize("scheme", SCHEMES)
def test_gpu_agrees_with_cpu(scheme):
    sampler = ParallelFlipAnnealingSampler(None)
    bqm = lattice_model(16, seed=7)
    runs = {b: sampler.sample(bqm, scheme=scheme, num_reads=256, num_sweeps=300, seed=3,
                              backend=b, cpu_kernel="numpy").record.energy
            for b in ("cpu", "gpu")}
    cpu, gpu = runs["cpu"], runs["gpu"]
    spread = np.sqrt(cpu.var() / len(cpu) + gpu.var() / len(gpu))
    assert abs(cpu.mean() - gpu.mean()) <= 4 * spread + 1e-9
