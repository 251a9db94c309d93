"""The shared sampler core: validation, arrays, seeds, timing, traces, SampleSet assembly."""

from __future__ import annotations

import math

import dimod
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators._core.arrays import ising_arrays, parse_initial_states
from emulators._core.sampler import EmulatorSampler, KernelResult
from emulators._core.seeds import kernel_seeds, make_rng
from emulators._core.timing import Trace, run_chunked
from emulators._core.validation import validate_bqm
from emulators.annealing import ParallelTemperingSampler, SimulatedAnnealingSampler
from emulators.machine import ClockModel, MachineSpec


class RandomSpinSampler(EmulatorSampler):
    """Test double: uniformly random spins (or the given initial states), no machine."""

    def sample(self, bqm, *, num_reads=10, seed=None, record_trace=False, backend="cpu",
               initial_states=None, num_steps=7):
        return self._sample(bqm, locals())

    def _sample_arrays(self, arrays, rng, *, num_reads, record_trace, backend, scale,
                       initial_states, num_steps):
        spins = initial_states.copy()
        energies = arrays.energies(spins)

        def advance(lo, hi):
            return energies

        trace = run_chunked(advance, num_steps, record=record_trace)
        return KernelResult(spins=spins, steps=num_steps, trace=trace)


class QuantisingSampler(RandomSpinSampler):
    """Test double with a 3-bit machine and a clock, so samples are re-scored after rounding."""

    spec = MachineSpec("three-bit", coupler_bits=3, bias_bits=3,
                       clock=ClockModel(seconds_per_step=1e-6, seconds_per_call=1e-3))


def small_models():
    """Random SPIN/BINARY models with arbitrary real coefficients, 1..10 variables."""
    return st.builds(
        lambda n, seed, vartype, density: dimod.generators.gnp_random_bqm(
            n, density, vartype, random_state=seed, bias_generator=np.random.default_rng(
                seed).standard_normal),
        st.integers(1, 10), st.integers(0, 2**16), st.sampled_from(["SPIN", "BINARY"]),
        st.floats(0.0, 1.0),
    )


SAMPLERS = [
    (RandomSpinSampler(), {}),
    (QuantisingSampler(), {}),
    (SimulatedAnnealingSampler(), {"num_sweeps": 20}),
    (ParallelTemperingSampler(), {"num_sweeps": 10, "num_replicas": 3}),
]


# --------------------------------------------------------------------------- energies
@settings(max_examples=25, deadline=None)
@given(bqm=small_models(), seed=st.integers(0, 2**32), which=st.integers(0, len(SAMPLERS) - 1))
def test_energies_are_those_of_the_original_model(bqm, seed, which):
    sampler, kwargs = SAMPLERS[which]
    ss = sampler.sample(bqm, num_reads=4, seed=seed, **kwargs)
    assert ss.vartype is bqm.vartype
    assert len(ss) == 4
    np.testing.assert_allclose(ss.record.energy, bqm.energies(ss), rtol=1e-12, atol=1e-9)
    allowed = {-1, 1} if bqm.vartype is dimod.SPIN else {0, 1}
    assert set(np.unique(ss.record.sample).tolist()) <= allowed


def test_quantised_machine_keeps_both_energies_and_modelled_time():
    bqm = dimod.BQM({0: 0.3, 1: -1.1}, {(0, 1): 0.77, (1, 2): -0.21}, 0.5, "SPIN")
    ss = QuantisingSampler().sample(bqm, num_reads=5, seed=3, num_steps=10)
    np.testing.assert_allclose(ss.record.energy, bqm.energies(ss))
    quantised = ss.record.quantised_energy
    assert quantised.shape == (5,)
    assert not np.allclose(quantised, ss.record.energy)  # a 3-bit grid cannot hold 0.77/0.21
    assert ss.info["fit"].fits_capacity
    # one call plus 5 reads, one at a time, of 10 steps each
    assert ss.info["timing"]["modelled_hardware_s"] == pytest.approx(1e-3 + 5 * 10 * 1e-6)


def test_timing_keys_and_unmodelled_time_is_nan():
    ss = RandomSpinSampler().sample(dimod.BQM({0: 1.0}, {}, 0.0, "SPIN"), num_reads=1, seed=0)
    timing = ss.info["timing"]
    assert set(timing) == {"preprocessing_ns", "sampling_ns", "postprocessing_ns",
                           "modelled_hardware_s"}
    assert all(timing[k] >= 0 for k in ("preprocessing_ns", "sampling_ns", "postprocessing_ns"))
    assert math.isnan(timing["modelled_hardware_s"])
    assert ss.info["seed"] == 0


# --------------------------------------------------------------------------- bad inputs
GOOD = dimod.BQM({"a": 1.0, "b": -1.0}, {("a", "b"): 0.5}, 0.0, "SPIN")


@pytest.mark.parametrize("bad_value", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("where", ["linear", "quadratic", "offset"])
def test_non_finite_coefficients_are_refused(bad_value, where):
    bqm = GOOD.copy()
    if where == "linear":
        bqm.set_linear("a", bad_value)
    elif where == "quadratic":
        bqm.set_quadratic("a", "b", bad_value)
    else:
        bqm.offset = bad_value
    with pytest.raises(ValueError, match="non-finite"):
        SimulatedAnnealingSampler().sample(bqm, num_reads=1, seed=0)


@pytest.mark.parametrize("bad", [{"a": 1.0}, np.eye(3), None, "bqm"])
def test_wrong_model_type_is_refused(bad):
    with pytest.raises(TypeError, match="bqm must be a dimod.BinaryQuadraticModel"):
        SimulatedAnnealingSampler().sample(bad, seed=0)


def test_integer_quadratic_model_is_refused():
    qm = dimod.QuadraticModel()
    qm.add_variable("INTEGER", "i", lower_bound=0, upper_bound=3)
    with pytest.raises(TypeError, match="INTEGER or REAL"):
        validate_bqm(qm)


def test_unknown_keyword_is_named():
    with pytest.raises(TypeError, match="'num_sweep'"):
        SimulatedAnnealingSampler().sample(GOOD, num_sweep=10)


@pytest.mark.parametrize("num_reads, error", [(0, ValueError), (-3, ValueError),
                                              (2.5, TypeError), ("4", TypeError),
                                              (True, TypeError)])
def test_bad_num_reads(num_reads, error):
    with pytest.raises(error, match="num_reads"):
        SimulatedAnnealingSampler().sample(GOOD, num_reads=num_reads)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (2**63, ValueError),
                                         (1.5, TypeError), ("7", TypeError)])
def test_bad_seed(seed, error):
    with pytest.raises(error, match="seed"):
        SimulatedAnnealingSampler().sample(GOOD, seed=seed)


def test_bad_backend():
    with pytest.raises(ValueError, match="backend"):
        SimulatedAnnealingSampler().sample(GOOD, backend="tpu")


@pytest.mark.parametrize("states, error, match", [
    ({"a": 1, "c": -1}, ValueError, "missing"),
    ({"a": 1, "b": 0}, ValueError, r"\(-1, 1\)"),
    (([[1, -1]] * 3, ["a", "b"]), ValueError, "3 states but num_reads is 2"),
    ({"a": "x", "b": 1}, ValueError, "initial_states must hold only"),
    ([[1, -1], [1]], TypeError, "initial_states could not be read"),
])
def test_bad_initial_states(states, error, match):
    with pytest.raises(error, match=match):
        SimulatedAnnealingSampler().sample(GOOD, num_reads=2, initial_states=states, seed=0)


def test_initial_states_are_reordered_and_tiled():
    bqm = dimod.BQM({"x": 0.0, "y": 0.0, "z": 0.0}, {}, 0.0, "BINARY")
    rng = np.random.default_rng(0)
    spins = parse_initial_states(([[1, 0, 0], [0, 1, 1]], ["z", "x", "y"]), bqm,
                                 ["x", "y", "z"], 5, rng)
    expected = np.array([[-1, -1, 1], [1, 1, -1]] * 3)[:5]  # (x, y, z) order
    np.testing.assert_array_equal(spins, expected)
    assert spins.dtype == np.int8


def test_initial_states_come_back_unchanged_from_the_identity_sampler():
    bqm = dimod.BQM({0: 1.0, 1: 2.0}, {(0, 1): -1.0}, 0.0, "BINARY")
    ss = RandomSpinSampler().sample(bqm, num_reads=2, initial_states=[[1, 0], [0, 1]], seed=0)
    np.testing.assert_array_equal(ss.record.sample, [[1, 0], [0, 1]])


# --------------------------------------------------------------------------- arrays
@settings(max_examples=30, deadline=None)
@given(bqm=small_models(), seed=st.integers(0, 2**32))
def test_dense_and_sparse_arrays_agree(bqm, seed):
    dense = ising_arrays(bqm, layout="dense")
    sparse = ising_arrays(bqm, layout="sparse")
    assert dense.is_dense and not sparse.is_dense
    assert dense.num_interactions == sparse.num_interactions
    spins = np.random.default_rng(seed).choice([-1, 1], size=(5, bqm.num_variables))
    np.testing.assert_allclose(dense.energies(spins), sparse.energies(spins), atol=1e-9)
    np.testing.assert_allclose(dense.local_fields(spins), sparse.local_fields(spins),
                               atol=1e-9)
    samples = spins if bqm.vartype is dimod.SPIN else (spins + 1) // 2
    np.testing.assert_allclose(dense.energies(spins), bqm.energies((samples, dense.labels)),
                               atol=1e-9)
    np.testing.assert_allclose(sparse.to_dense(), dense.dense)


def test_layout_is_chosen_by_density():
    sparse_model = dimod.generators.gnp_random_bqm(200, 0.02, "SPIN", random_state=1)
    dense_model = dimod.generators.gnp_random_bqm(200, 0.5, "SPIN", random_state=1)
    small_model = dimod.generators.gnp_random_bqm(30, 0.02, "SPIN", random_state=1)
    assert not ising_arrays(sparse_model).is_dense
    assert ising_arrays(dense_model).is_dense
    assert ising_arrays(small_model).is_dense
    with pytest.raises(ValueError, match="layout"):
        ising_arrays(small_model, layout="diagonal")


# --------------------------------------------------------------------------- seeds
def test_seeds_are_reproducible_and_none_is_reported():
    a, seed_a = make_rng(123)
    b, _ = make_rng(123)
    np.testing.assert_array_equal(kernel_seeds(a, 6), kernel_seeds(b, 6))
    _, drawn = make_rng(None)
    assert 0 <= drawn < 2**63
    seeds = kernel_seeds(np.random.default_rng(1), 1000)
    assert seeds.dtype == np.int64 and seeds.min() >= 0 and len(np.unique(seeds)) == 1000


def test_same_seed_same_samples_across_calls():
    bqm = dimod.generators.ran_r(1, 8, seed=2)
    one = RandomSpinSampler().sample(bqm, num_reads=6, seed=99)
    two = RandomSpinSampler().sample(bqm, num_reads=6, seed=99)
    other = RandomSpinSampler().sample(bqm, num_reads=6, seed=100)
    np.testing.assert_array_equal(one.record.sample, two.record.sample)
    assert not np.array_equal(one.record.sample, other.record.sample)


# --------------------------------------------------------------------------- traces
def test_run_chunked_covers_every_step_once_and_is_monotone():
    visited = []
    rng = np.random.default_rng(0)
    best = np.full(3, np.inf)

    def advance(lo, hi):
        visited.extend(range(lo, hi))
        best[:] = np.minimum(best, rng.normal(size=3))
        return best

    trace = run_chunked(advance, 100, num_checkpoints=9)
    assert visited == list(range(100))
    assert trace.step[-1] == 100 and len(trace.step) == 9
    assert np.all(np.diff(trace.seconds) >= 0)
    assert np.all(np.diff(trace.best_energy, axis=1) <= 0)
    assert run_chunked(advance, 5, record=False) is None


def test_trace_rescaling():
    trace = Trace(np.array([1, 2]), np.array([0.1, 0.2]), np.array([[4.0, 2.0]]))
    np.testing.assert_allclose(trace.rescaled(2.0, 1.0).best_energy, [[3.0, 2.0]])


@pytest.mark.parametrize("sampler, kwargs", [
    (SimulatedAnnealingSampler(), {"num_sweeps": 300}),
    (ParallelTemperingSampler(), {"num_sweeps": 100, "num_replicas": 4}),
])
def test_sampler_traces_are_monotone_and_end_at_or_below_the_samples(sampler, kwargs):
    bqm = dimod.generators.gnp_random_bqm(30, 0.5, "SPIN", random_state=4)
    ss = sampler.sample(bqm, num_reads=5, seed=7, record_trace=True, **kwargs)
    trace = ss.info["trace"]
    best = trace["best_energy"]
    assert best.shape == (5, len(trace["step"]))
    assert trace["step"][-1] == kwargs["num_sweeps"]
    assert np.all(np.diff(best, axis=1) <= 1e-9)
    assert np.all(np.diff(trace["seconds"]) >= 0)
    # the last best-so-far is never above what the read returns
    assert np.all(best[:, -1] <= ss.record.energy + 1e-9)


def test_unlabelled_initial_states_follow_the_model_order():
    bqm = dimod.BQM({"x": 0.0, "y": 0.0, "z": 0.0}, {}, 0.0, "SPIN")
    rng = np.random.default_rng(0)
    spins = parse_initial_states(np.array([1, -1, 1]), bqm, ["x", "y", "z"], 2, rng)
    np.testing.assert_array_equal(spins, [[1, -1, 1], [1, -1, 1]])
    with pytest.raises(ValueError, match="2 columns but the model has 3 variables"):
        parse_initial_states([[1, -1]], bqm, ["x", "y", "z"], 2, rng)
