"""Simulated bifurcation sampler: equations, energies, walls, seeds, precision, G1."""

from __future__ import annotations

import dimod
import networkx as nx
import numpy as np
import pytest

from emulators._core.arrays import ising_arrays
from emulators._core.devices import array_module
from emulators.bifurcation import VARIANTS, SimulatedBifurcationSampler, kernels_cpu, kernels_xp
from emulators.bifurcation.coupling import model_coupling
from emulators.bifurcation.schedules import SBSettings
from emulators.machine import get_preset, ground_states
from suites.instances import load_gset, maxcut_bqm


def sk_model(n: int, seed: int, fields: bool = False) -> dimod.BinaryQuadraticModel:
    rng = np.random.default_rng(seed)
    h = rng.normal(size=n) if fields else np.zeros(n)
    j = {(i, k): float(rng.normal()) for i in range(n) for k in range(i + 1, n)}
    return dimod.BQM.from_ising(dict(enumerate(h)), j)


@pytest.fixture(scope="module")
def sampler() -> SimulatedBifurcationSampler:
    return SimulatedBifurcationSampler()


# ----------------------------------------------------------------------------- results
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_small_model_reaches_ground_state(sampler, variant, kernel):
    bqm = sk_model(12, seed=3)
    e_min, _, _ = ground_states(bqm)
    ss = sampler.sample(bqm, variant=variant, num_reads=32, num_steps=300, seed=5,
                        cpu_kernel=kernel)
    assert ss.first.energy == pytest.approx(e_min)


@pytest.mark.parametrize("fields", ["direct", "auxiliary"])
def test_external_fields(sampler, fields):
    bqm = sk_model(12, seed=8, fields=True)
    e_min, _, _ = ground_states(bqm)
    ss = sampler.sample(bqm, num_reads=32, num_steps=300, seed=2, fields=fields)
    assert ss.first.energy == pytest.approx(e_min)


@pytest.mark.parametrize("fields", ["direct", "auxiliary"])
def test_sparse_model_with_fields(sampler, fields):
    rng = np.random.default_rng(4)
    graph = nx.convert_node_labels_to_integers(nx.grid_2d_graph(10, 10, periodic=True))
    bqm = dimod.BQM.from_ising({v: float(rng.normal(scale=0.3)) for v in graph.nodes},
                               {e: float(rng.choice([-1.0, 1.0])) for e in graph.edges})
    assert not ising_arrays(bqm).is_dense
    ss = sampler.sample(bqm, num_reads=16, num_steps=300, seed=1, fields=fields)
    assert np.allclose(ss.record.energy, bqm.energies(ss))
    # a random state averages 0; ±J 2D ground states are near -0.7 per bond
    assert ss.first.energy < -0.6 * len(bqm.quadratic)


def test_energies_match_model_and_trace(sampler):
    bqm = sk_model(24, seed=1, fields=True)  # > 20 spins: no exact ground-state check
    ss = sampler.sample(bqm, num_reads=16, num_steps=200, seed=0, record_trace=True)
    assert np.allclose(ss.record.energy, bqm.energies(ss))
    trace = ss.info["trace"]
    assert trace["best_energy"].shape == (16, len(trace["step"]))
    assert np.all(np.diff(trace["best_energy"], axis=1) <= 1e-9)  # best so far never rises
    assert trace["step"][-1] == 200
    # the returned state of each agent is the best it saw
    assert np.allclose(np.sort(trace["best_energy"][:, -1]), np.sort(ss.record.energy),
                       atol=1e-4)


def test_binary_model_returns_binary_samples(sampler):
    spin = sk_model(10, seed=4)
    bqm = spin.change_vartype("BINARY", inplace=False)
    ss = sampler.sample(bqm, num_reads=8, num_steps=100, seed=1)
    assert ss.vartype is dimod.BINARY
    assert np.allclose(ss.record.energy, bqm.energies(ss))
    assert ss.first.energy == pytest.approx(ground_states(spin)[0])


@pytest.mark.parametrize("kernel", ["numpy", "numba"])
def test_seeds_reproduce(sampler, kernel):
    bqm = sk_model(30, seed=6)
    runs = [sampler.sample(bqm, num_reads=8, num_steps=50, seed=s, cpu_kernel=kernel)
            for s in (11, 11, 12)]
    first, again, other = (r.record.sample for r in runs)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_early_stop(sampler):
    bqm = sk_model(16, seed=2)
    ss = sampler.sample(bqm, num_reads=8, num_steps=20_000, seed=3, stop_window=40)
    assert ss.info["stopped_early"]
    assert ss.info["num_steps_run"] < 20_000
    full = sampler.sample(bqm, num_reads=8, num_steps=100, seed=3)
    assert not full.info["stopped_early"] and full.info["num_steps_run"] == 100


# ----------------------------------------------------------------------------- dynamics
def _engines(variant: int, n: int = 40, agents: int = 6, steps: int = 60, gamma: float = 0.0):
    bqm = sk_model(n, seed=9, fields=True)
    coupling = model_coupling(ising_arrays(bqm), "direct")
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-0.1, 0.1, (agents, n))
    y0 = rng.uniform(-0.1, 0.1, (agents, n))
    settings = SBSettings(variant=variant, gamma=gamma, c0=0.5 / np.sqrt(n), a0=1.0, dt=0.7,
                          num_steps=steps, energy_interval=5, x0=x0, y0=y0)
    cpu = kernels_cpu.SimulatedBifurcationCpu(coupling.matrix, coupling.h, coupling.offset,
                                              settings)
    xp = kernels_xp.SimulatedBifurcationXp(
        np, kernels_xp.CouplingMatrix(np, coupling.matrix, dtype=np.float64), coupling.h,
        coupling.offset, settings)
    return coupling, cpu, xp


@pytest.mark.parametrize("variant,gamma", [(kernels_cpu.BSB, 0.0), (kernels_cpu.DSB, 0.0),
                                           (kernels_cpu.BSB, 0.06), (kernels_cpu.DSB, 0.06)])
def test_walls_keep_positions_inside(variant, gamma):
    _, cpu, xp = _engines(variant, gamma=gamma)
    for lo, hi in ((0, 20), (20, 60)):
        cpu.advance(lo, hi)
        xp.advance(lo, hi)
        assert np.abs(cpu.x).max() <= 1.0
        assert np.abs(xp.x).max() <= 1.0
    assert np.any(np.abs(cpu.x) == 1.0)  # the walls were reached


@pytest.mark.parametrize("variant,gamma", [(kernels_cpu.ASB, 0.0), (kernels_cpu.BSB, 0.0),
                                           (kernels_cpu.DSB, 0.0), (kernels_cpu.BSB, 0.06),
                                           (kernels_cpu.DSB, 0.06)])
def test_numba_delta_fields_match_array_code(variant, gamma):
    coupling, cpu, xp = _engines(variant, steps=30, gamma=gamma)
    cpu.advance(0, 30)
    xp.advance(0, 30)
    j = coupling.matrix
    if variant != kernels_cpu.DSB:  # dSB needs only J sign(x)
        assert np.allclose(cpu.gx, cpu.x @ j)  # delta-maintained fields stay exact
    assert np.allclose(cpu.gs, cpu.s.astype(float) @ j)
    assert np.allclose(cpu.x, xp.x, atol=1e-5)  # same equations (xp runs float32)
    assert np.allclose(cpu.y, xp.y, atol=1e-5)


def test_c0_and_time_step_rules(sampler):
    bqm = sk_model(50, seed=0)
    ss = sampler.sample(bqm, num_reads=2, num_steps=5, seed=0)
    arrays = ising_arrays(bqm)
    dense = arrays.to_dense()
    sigma = np.sqrt((dense ** 2).sum() / (50 * 49))
    assert ss.info["c0"] == pytest.approx(0.5 / (sigma * np.sqrt(50)))
    assert 0 < ss.info["dt"] <= 1.25


# ----------------------------------------------------------------------------- precision
def test_presets_registered():
    for name in ("sb-fpga-2k", "sb-fpga-2k-int8", "sb-8fpga-16k", "sb-gpu-fp32", "sb-gpu-fp16",
                 "ma-gpu"):
        spec = get_preset(name)
        assert spec.clock.assumption
    assert get_preset("sb-gpu-fp16").coefficient_dtype == "float16"


def test_reduced_precision_is_reported():
    bqm = sk_model(12, seed=5, fields=True)
    ss = SimulatedBifurcationSampler("sb-fpga-2k-int8").sample(bqm, num_reads=16,
                                                               num_steps=200, seed=1)
    fit = ss.info["fit"]
    assert fit.max_abs_error > 0
    assert "quantised_energy" in ss.record.dtype.names
    assert np.allclose(ss.record.energy, bqm.energies(ss))  # re-scored on the original
    assert ss.info["timing"]["modelled_hardware_s"] == pytest.approx(
        get_preset("sb-fpga-2k-int8").clock.seconds(200, 16))


def test_capacity_is_enforced():
    spec = get_preset("sb-fpga-2k")
    bqm = dimod.BQM.from_ising({i: 1.0 for i in range(spec.capacity + 1)}, {})
    with pytest.raises(ValueError, match="capacity|holds at most"):
        SimulatedBifurcationSampler(spec).sample(bqm, num_reads=1, num_steps=1)


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs,error,word", [
    ({"variant": "cSB"}, ValueError, "variant"),
    ({"num_steps": 0}, ValueError, "num_steps"),
    ({"dt": -1.0}, ValueError, "dt"),
    ({"c0": "big"}, TypeError, "c0"),
    ({"stop_window": 0}, ValueError, "stop_window"),
    ({"fields": "ghost"}, ValueError, "fields"),
    ({"cpu_kernel": "fortran"}, ValueError, "cpu_kernel"),
    ({"num_sweeps": 10}, TypeError, "num_sweeps"),
])
def test_bad_arguments(sampler, kwargs, error, word):
    with pytest.raises(error, match=word):
        sampler.sample(sk_model(4, seed=0), **kwargs)


def test_spec_argument_checked():
    with pytest.raises(TypeError, match="spec"):
        SimulatedBifurcationSampler(spec=3)


def test_gpu_backend_explains_what_is_missing(sampler):
    try:
        array_module("gpu")
    except RuntimeError:
        with pytest.raises(RuntimeError, match="cupy|CUDA"):
            sampler.sample(sk_model(4, seed=0), backend="gpu")
    else:
        pytest.skip("a GPU is available here")


# ----------------------------------------------------------------------------- G-set
@pytest.mark.parametrize("variant", ["bSB", "dSB"])
def test_g1_defaults_reach_99_percent(sampler, gset_dir, variant):
    bqm = maxcut_bqm(load_gset(gset_dir / "G1.txt"))  # energy = -cut
    ss = sampler.sample(bqm, variant=variant, seed=2026)
    assert -ss.first.energy >= 0.99 * 11624  # best-known cut of G1


# ----------------------------------------------------------------------------- GPU
@pytest.mark.gpu
@pytest.mark.parametrize("variant", ["bSB", "dSB"])
def test_gpu_agrees_with_cpu(variant):
    sampler = SimulatedBifurcationSampler(None)
    bqm = sk_model(200, seed=7)
    runs = {b: sampler.sample(bqm, variant=variant, num_reads=256, num_steps=400, seed=3,
                              backend=b, cpu_kernel="numpy").record.energy
            for b in ("cpu", "gpu")}
    cpu, gpu = runs["cpu"], runs["gpu"]
    spread = np.sqrt(cpu.var() / len(cpu) + gpu.var() / len(gpu))
    assert abs(cpu.mean() - gpu.mean()) <= 4 * spread + 1e-6 * abs(cpu.mean())
    assert abs(cpu.min() - gpu.min()) <= 0.01 * abs(cpu.min())


@pytest.mark.parametrize("agents", [1, 2, kernels_xp.MATVEC_MAX_AGENTS,
                                    kernels_xp.MATVEC_MAX_AGENTS + 1, 16])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_product_of_any_batch_size_is_x_times_j(agents, dtype):
    """One matrix-vector product per agent (few agents) or one matrix product (more): the
    same ``x @ J``, C-ordered and writable (the product cache adds rows into it)."""
    rng = np.random.default_rng(agents)
    n = 50
    upper = np.triu(rng.normal(size=(n, n)), 1)
    coupling = kernels_xp.CouplingMatrix(np, upper + upper.T, dtype=dtype)
    x = rng.uniform(-1, 1, (agents, n)).astype(np.float32)
    product = coupling.times(x)
    assert product.shape == (agents, n) and product.flags.c_contiguous
    assert product.flags.writeable and product.dtype == np.result_type(x, coupling.m)
    assert np.allclose(product, x @ coupling.m, rtol=1e-5, atol=1e-5)
    cols = np.array([3, 7, 11])
    assert np.allclose(coupling.columns(cols).times(x), x @ coupling.m[:, cols], atol=1e-5)


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.05, 0.5])
def test_product_cache_tracks_full_product(fraction):
    rng = np.random.default_rng(3)
    n, agents = 60, 8
    j = rng.standard_normal((n, n)).astype(np.float32)
    coupling = kernels_xp.CouplingMatrix(np, j + j.T)
    v = rng.standard_normal((agents, n)).astype(np.float32)
    cache = kernels_xp.ProductCache(coupling, v)
    for _ in range(2 * cache.REFRESH + 3):  # through the row-wise path and the refreshes
        moved = rng.random(v.shape) < fraction
        v = np.where(moved, rng.standard_normal(v.shape).astype(np.float32), v)
        assert np.allclose(cache.update(v), v @ coupling.m, atol=1e-3)


@pytest.mark.parametrize("variant, gamma", [(0, 0.0), (1, 0.0), (2, 0.0), (1, 0.06), (2, 0.06)])
def test_fused_cpu_step_equals_the_array_code_bit_for_bit(variant, gamma):
    """The numba element-wise step of the numpy engine and the array code (the cupy path)
    give the same float32 bits, signs and stability counts, step after step."""
    rng = np.random.default_rng(5)
    n, agents, steps = 60, 6, 120
    upper = np.triu(rng.normal(size=(n, n)), 1)
    settings = SBSettings(variant=variant, gamma=gamma, c0=0.05, a0=1.0, dt=0.5,
                          num_steps=steps, energy_interval=10,
                          x0=rng.uniform(-0.1, 0.1, (agents, n)),
                          y0=rng.uniform(-0.1, 0.1, (agents, n)))
    coupling = kernels_xp.CouplingMatrix(np, upper + upper.T)
    h = rng.normal(size=n)
    fused, array = (kernels_xp.SimulatedBifurcationXp(np, coupling, h, 0.0, settings)
                    for _ in range(2))
    awake = np.ones(agents, dtype=bool)
    for k in range(steps):
        detune = np.float32(1.0 - min(1.0, (k + 1) / steps))
        product = (fused.s if variant == 2 else fused.x) @ coupling.m
        kernels_cpu.sb_step_elementwise(variant, fused.x, fused.y, product, fused.h, detune,
                                        fused.c0, fused.dt, fused.dt_a0, fused.gamma,
                                        fused.s, fused.stable, awake)
        array._step(product.copy(), detune)
        for name in ("x", "y", "s", "stable"):
            assert np.array_equal(getattr(fused, name), getattr(array, name)), (k, name)
    assert np.any(np.abs(fused.x) == 1) or variant == 0  # the walls were exercised


@pytest.mark.parametrize("machine, params", [
    ("sb", {"num_steps": 20}),
    ("flip", {"num_sweeps": 20, "scheme": "momentum"}),
])
def test_model_setup_is_timed_as_preprocessing_not_sampling(machine, params, monkeypatch):
    """The largest eigenvalue (time step, self-coupling) and the couplings in the kernel's
    layout depend on the model alone: they are preprocessing, as in dwave-samplers."""
    import time

    from emulators.bifurcation import ParallelFlipAnnealingSampler, engine

    pause = 0.3
    real = engine.largest_eigenvalue

    def slow(*args, **kwargs):
        time.sleep(pause)
        return real(*args, **kwargs)

    sampler = SimulatedBifurcationSampler() if machine == "sb" else ParallelFlipAnnealingSampler()
    bqm = dimod.BQM.from_ising({}, {(i, j): 1.0 for i in range(12) for j in range(i)})
    sampler.sample(bqm, num_reads=4, seed=1, **params)  # compiles the kernels (a fresh cache)
    monkeypatch.setattr(engine, "largest_eigenvalue", slow)
    timing = sampler.sample(bqm, num_reads=4, seed=1, **params).info["timing"]
    assert timing["preprocessing_ns"] >= pause * 1e9
    assert timing["sampling_ns"] < pause * 1e9
