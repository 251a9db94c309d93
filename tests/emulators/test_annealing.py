"""Reference annealers: ground states, reproducibility, Metropolis statistics, storage, errors."""

from __future__ import annotations

import itertools
import math

import dimod
import numba
import numpy as np
import pytest

from emulators._core.arrays import ising_arrays
from emulators.annealing import ParallelTemperingSampler, SimulatedAnnealingSampler
from emulators.annealing.kernels_cpu import anneal, uniform
from emulators.annealing.schedules import default_beta_range, make_schedule
from emulators.annealing.storage import kernel_model


def random_model(n, seed, vartype="SPIN", kind="normal", density=0.8):
    rng = np.random.default_rng(seed)
    draw = {
        "normal": rng.standard_normal,
        "pm1": lambda size: rng.choice([-1.0, 1.0], size=size),
        "int": lambda size: rng.integers(-3, 4, size=size).astype(float),
    }[kind]
    return dimod.generators.gnp_random_bqm(n, density, vartype, random_state=seed,
                                           bias_generator=draw)


def ground_energy(bqm):
    return dimod.ExactSolver().sample(bqm).first.energy


# --------------------------------------------------------------------------- ground states
@pytest.mark.parametrize("n, seed, vartype, kind", [
    (6, 0, "SPIN", "normal"),
    (10, 1, "BINARY", "int"),
    (12, 2, "SPIN", "pm1"),
    (16, 3, "SPIN", "normal"),
    (16, 4, "BINARY", "normal"),
    (16, 5, "SPIN", "int"),
])
def test_annealer_finds_the_exact_ground_state(n, seed, vartype, kind):
    bqm = random_model(n, seed, vartype, kind)
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=10, num_sweeps=500, seed=seed)
    assert ss.first.energy == pytest.approx(ground_energy(bqm), abs=1e-9)


@pytest.mark.parametrize("n, seed, vartype, kind", [
    (8, 10, "SPIN", "normal"),
    (16, 11, "BINARY", "int"),
    (16, 12, "SPIN", "pm1"),
])
def test_parallel_tempering_finds_the_exact_ground_state(n, seed, vartype, kind):
    bqm = random_model(n, seed, vartype, kind)
    ss = ParallelTemperingSampler().sample(bqm, num_reads=4, num_sweeps=300, num_replicas=8,
                                           seed=seed)
    assert ss.first.energy == pytest.approx(ground_energy(bqm), abs=1e-9)


# --------------------------------------------------------------------------- reproducibility
@pytest.mark.parametrize("sampler, kwargs", [
    (SimulatedAnnealingSampler(), {"num_sweeps": 50}),
    (ParallelTemperingSampler(), {"num_sweeps": 30, "num_replicas": 4}),
])
def test_same_seed_same_samples_and_independent_of_thread_count(sampler, kwargs):
    bqm = random_model(90, 7, density=0.05)  # sparse layout
    first = sampler.sample(bqm, num_reads=6, seed=42, **kwargs)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single = sampler.sample(bqm, num_reads=6, seed=42, **kwargs)
    finally:
        numba.set_num_threads(before)
    other = sampler.sample(bqm, num_reads=6, seed=43, **kwargs)
    np.testing.assert_array_equal(first.record.sample, single.record.sample)
    assert not np.array_equal(first.record.sample, other.record.sample)


@pytest.mark.parametrize("kind", ["int", "normal"])
def test_dense_and_sparse_kernels_follow_the_same_trajectory(kind):
    bqm = random_model(40, 3, kind=kind, density=0.3)
    betas = 2.0 * make_schedule((0.05, 3.0), 40, "geometric")
    results = []
    for layout in ("dense", "sparse"):
        model = kernel_model(ising_arrays(bqm, layout=layout))
        spins = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(3, 40))
        fields = model.fields(spins)
        energy = model.energies(spins, fields)
        best = energy.copy()
        states = np.arange(1, 4, dtype=np.uint64)
        tables = np.zeros((3, model.table_cap + 1))
        anneal(*model.arrays(), spins, fields, energy, best, betas / model.scale, states,
               tables, model.table_cap)
        # the incremental energy agrees with a fresh evaluation of the final state
        np.testing.assert_allclose(model.to_model_units(energy),
                                   ising_arrays(bqm).energies(spins), atol=1e-9)
        np.testing.assert_allclose(fields, model.fields(spins), rtol=0, atol=1e-12)
        results.append(spins)
    np.testing.assert_array_equal(*results)


# --------------------------------------------------------------------------- statistics
@pytest.mark.parametrize("linear, quadratic, storage", [
    ({0: 0.4, 1: -0.3, 2: 0.1}, {(0, 1): -0.8, (1, 2): 0.6, (0, 2): 0.25}, "float64"),
    ({0: 1.0, 1: -0.5, 2: 0.0}, {(0, 1): -1.5, (1, 2): 1.0, (0, 2): 0.5}, "int8"),
])
def test_fixed_temperature_sweeps_sample_the_boltzmann_distribution(linear, quadratic, storage):
    bqm = dimod.BQM(linear, quadratic, 0.0, "SPIN")
    beta = 1.3
    reads = 6000
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=reads, beta_schedule=[beta] * 200,
                                            seed=5)
    assert ss.info["storage"]["coupling_dtype"] == storage  # table path for integers
    states = list(itertools.product([-1, 1], repeat=3))
    weights = np.array([math.exp(-beta * bqm.energy(dict(enumerate(s)))) for s in states])
    expected = weights / weights.sum()
    observed = np.array([np.all(ss.record.sample == s, axis=1).sum() for s in states]) / reads
    # each probability within 5 standard errors
    sigma = np.sqrt(expected * (1 - expected) / reads)
    assert np.all(np.abs(observed - expected) <= 5 * sigma + 1e-12)


def test_uniform_draws_lie_in_the_unit_interval_and_are_uniform():
    from numba import njit

    @njit
    def draw(count, seed):
        state = np.array([seed], dtype=np.uint64)
        out = np.empty(count)
        for k in range(count):
            out[k] = uniform(state)
        return out

    values = draw(200_000, 12345)
    assert values.min() > 0 and values.max() <= 1
    assert abs(values.mean() - 0.5) < 0.005
    counts, _ = np.histogram(values, bins=10, range=(0, 1))
    assert np.all(np.abs(counts - 20_000) < 5 * math.sqrt(20_000))


def test_cold_run_from_the_ground_state_stays_there():
    bqm = random_model(12, 8, kind="int")
    ground = dimod.ExactSolver().sample(bqm).first.sample
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=3, beta_schedule=[50.0] * 20,
                                            initial_states=ground, seed=1)
    np.testing.assert_allclose(ss.record.energy, ground_energy(bqm))


# --------------------------------------------------------------------------- storage
@pytest.mark.parametrize("linear, quadratic, coupling, field, scale", [
    ({0: 0.0}, {(0, 1): 1.0, (1, 2): -1.0}, "int8", "int16", 1.0),
    ({0: 0.25}, {(0, 1): 0.5, (1, 2): -1.5}, "int8", "int16", 4.0),
    ({0: 3.0}, {(0, 1): 300.0, (1, 2): -1.0}, "int16", "int16", 1.0),
    ({0: 1.0}, {(0, 1): 40000.0, (1, 2): 1.0}, "int32", "int32", 1.0),
    ({0: 2.0**40}, {(0, 1): 1.0, (1, 2): 1.0}, "int8", "int64", 1.0),
    ({0: 0.1}, {(0, 1): 1.0, (1, 2): 1.0}, "float64", "float64", 1.0),
    ({0: 1.0}, {(0, 1): 1e12, (1, 2): 1.0}, "float64", "float64", 1.0),
])
def test_storage_is_exact_and_narrow(linear, quadratic, coupling, field, scale):
    bqm = dimod.BQM(linear, quadratic, 0.0, "SPIN")
    model = kernel_model(ising_arrays(bqm))
    assert (str(model.coupling_dtype), str(model.field_dtype), model.scale) == \
        (coupling, field, scale)
    spins = np.array(list(itertools.product([-1, 1], repeat=3)), dtype=np.int8)
    fields = model.fields(spins)
    np.testing.assert_allclose(model.to_model_units(model.energies(spins, fields)),
                               bqm.energies((spins, [0, 1, 2])), rtol=1e-15)


def test_binary_models_with_integer_coefficients_use_integers():
    bqm = dimod.BQM({0: 3.0, 1: -1.0}, {(0, 1): 5.0, (1, 2): -2.0}, 0.0, "BINARY")
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=2, num_sweeps=10, seed=0)
    assert ss.info["storage"]["coupling_dtype"] == "int8"
    assert ss.info["storage"]["energy_scale"] == 4.0  # spin form has quarter-integers


# --------------------------------------------------------------------------- schedules
def test_default_beta_range_rule():
    bqm = dimod.BQM({0: 0.5}, {(0, 1): 1.0, (1, 2): -2.0, (0, 2): 1.0}, 0.0, "SPIN")
    model = kernel_model(ising_arrays(bqm))
    hot, cold = default_beta_range(model.max_field, model.smallest_coefficient)
    # largest field bound: spin 0 or 2 -> 0.5 + 1 + 1 = 2.5 or 3 -> 3; smallest |c| = 0.5
    assert hot == pytest.approx(math.log(2) / (2 * 3.0))
    assert cold == pytest.approx(math.log(100) / (2 * 0.5))
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=1, num_sweeps=5, seed=0)
    assert ss.info["beta_range"] == pytest.approx((hot, cold))
    zero = dimod.BQM({0: 0.0, 1: 0.0}, {}, 0.0, "SPIN")
    assert SimulatedAnnealingSampler().sample(zero, seed=0).info["beta_range"] == (1.0, 1.0)


def test_schedules():
    np.testing.assert_allclose(make_schedule((0.1, 10.0), 3, "geometric"), [0.1, 1.0, 10.0])
    np.testing.assert_allclose(make_schedule((0.0, 1.0), 3, "linear"), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(make_schedule((0.1, 10.0), 1, "geometric"), [10.0])
    ss = SimulatedAnnealingSampler().sample(dimod.BQM({0: 1.0}, {}, 0, "SPIN"),
                                            beta_schedule=[0.1, 0.2, 5.0], seed=0)
    assert ss.info["num_sweeps"] == 3 and ss.info["beta_schedule_type"] == "custom"


@pytest.mark.parametrize("kwargs, error, match", [
    ({"num_sweeps": 0}, ValueError, "num_sweeps"),
    ({"num_sweeps": 1.5}, TypeError, "num_sweeps"),
    ({"beta_range": (1.0,)}, TypeError, "beta_range"),
    ({"beta_range": (-1.0, 2.0)}, ValueError, "beta_range"),
    ({"beta_range": (0.1, float("nan"))}, ValueError, "beta_range"),
    ({"beta_range": "hot"}, TypeError, "beta_range"),
    ({"beta_range": (0.0, 1.0)}, ValueError, "geometric"),
    ({"beta_schedule_type": "cosine"}, ValueError, "beta_schedule_type"),
    ({"beta_schedule": []}, ValueError, "beta_schedule"),
    ({"beta_schedule": [[1.0, 2.0]]}, ValueError, "beta_schedule"),
    ({"beta_schedule": [1.0, -2.0]}, ValueError, "beta_schedule"),
    ({"beta_schedule": ["a"]}, TypeError, "beta_schedule"),
    ({"beta_schedule": [1.0, 2.0], "beta_range": (1.0, 2.0)}, ValueError, "not both"),
    ({"beta_schedule": [1.0, 2.0], "num_sweeps": 3}, ValueError, "num_sweeps"),
])
def test_bad_annealing_arguments(kwargs, error, match):
    bqm = random_model(5, 0)
    with pytest.raises(error, match=match):
        SimulatedAnnealingSampler().sample(bqm, seed=0, **kwargs)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"num_replicas": 0}, ValueError, "num_replicas"),
    ({"swap_interval": 0}, ValueError, "swap_interval"),
    ({"ladder_type": "adaptive"}, ValueError, "ladder_type"),
    ({"betas": [1.0, 2.0], "beta_range": (1.0, 2.0)}, ValueError, "not both"),
    ({"betas": [float("inf")]}, ValueError, "beta_schedule"),
])
def test_bad_tempering_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ParallelTemperingSampler().sample(random_model(5, 0), seed=0, **kwargs)


def test_tempering_info_and_explicit_ladder():
    bqm = random_model(20, 9)
    ss = ParallelTemperingSampler().sample(bqm, num_reads=2, num_sweeps=50,
                                           betas=[0.1, 0.3, 1.0, 3.0], seed=3)
    assert ss.info["betas"] == [0.1, 0.3, 1.0, 3.0]
    rates = ss.info["swap_acceptance"]
    assert len(rates) == 3 and all(0.0 <= r <= 1.0 for r in rates) and max(rates) > 0
    single = ParallelTemperingSampler().sample(bqm, num_reads=1, num_sweeps=20,
                                               num_replicas=1, seed=3)
    assert single.info["swap_acceptance"] == []


@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_field_bound_and_smallest_coefficient_with_isolated_variables(layout):
    bqm = random_model(80, 2, density=0.05)
    for v in (78, 79):  # the last rows of the CSR arrays become empty
        for u in list(bqm.adj[v]):
            bqm.remove_interaction(u, v)
    arrays = ising_arrays(bqm, layout=layout)
    model = kernel_model(arrays)
    dense = arrays.to_dense()
    assert model.max_field == pytest.approx(np.max(np.abs(arrays.h) + np.abs(dense).sum(1)))
    nonzero = np.abs(np.r_[arrays.h, dense.ravel()])
    assert model.smallest_coefficient == nonzero[nonzero > 0].min()
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=2, num_sweeps=20, seed=0)
    np.testing.assert_allclose(ss.record.energy, bqm.energies(ss))
