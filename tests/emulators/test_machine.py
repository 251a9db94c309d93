"""MachineSpec: quantisation rule, error bound, fit reports, presets."""

import dimod
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulators.machine import ClockModel, MachineSpec, get_preset, ground_states


def random_bqm(n, density, vartype, seed):
    return dimod.generators.gnp_random_bqm(n, density, vartype, random_state=seed)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 12),
    seed=st.integers(0, 10_000),
    coupler_bits=st.integers(2, 16),
    bias_bits=st.integers(2, 26),
    vartype=st.sampled_from(["SPIN", "BINARY"]),
)
def test_quantiser_error_bound_and_grid(n, seed, coupler_bits, bias_bits, vartype):
    bqm = random_bqm(n, 0.7, vartype, seed)
    spec = MachineSpec("t", coupler_bits=coupler_bits, bias_bits=bias_bits, vartype=vartype)
    q = spec.quantise(bqm)
    top_j, top_h = 2 ** (coupler_bits - 1) - 1, 2 ** (bias_bits - 1) - 1
    lin = np.array(list(q.bqm.linear.values()))
    quad = np.array(list(q.bqm.quadratic.values()))
    # integer coefficients inside the declared signed range
    assert np.all(lin == np.round(lin)) and np.all(np.abs(lin) <= top_h)
    assert np.all(quad == np.round(quad)) and np.all(np.abs(quad) <= top_j)
    assert q.num_clipped == 0
    # each stored coefficient is within half a grid step of scale * original
    for v, bias in bqm.linear.items():
        assert abs(q.bqm.linear[v] - q.scale * bias) <= 0.5 + 1e-9
    for (u, v), bias in bqm.quadratic.items():
        assert abs(q.bqm.quadratic[u, v] - q.scale * bias) <= 0.5 + 1e-9
    assert q.max_abs_error <= 0.5 / q.scale + 1e-12


def test_scale_uses_the_full_range_of_the_limiting_class():
    bqm = dimod.BQM({"a": 0.1}, {("a", "b"): -2.0, ("b", "c"): 1.0}, 0.0, "SPIN")
    q = MachineSpec("t", coupler_bits=4, bias_bits=8).quantise(bqm)
    assert q.scale == pytest.approx(7 / 2.0)
    assert q.bqm.quadratic["a", "b"] == -7


def test_asymmetric_range_scale():
    bqm = dimod.BQM({}, {("a", "b"): -3.0, ("b", "c"): 1.0}, 0.0, "SPIN")
    q = MachineSpec("t", coupler_range=(-2.0, 1.0), bias_range=(-4, 4)).quantise(bqm)
    assert q.scale == pytest.approx(2 / 3)
    assert q.bqm.quadratic["a", "b"] == pytest.approx(-2.0)


def test_fixed_scale_clips_and_counts():
    bqm = dimod.BQM({"a": 8.0}, {("a", "b"): 3.0}, 0.0, "SPIN")
    spec = MachineSpec("t", coupler_range=(-1, 1), bias_range=(-4, 4))
    q = spec.quantise(bqm, scale=1.0)
    assert q.num_clipped == 2
    assert q.bqm.linear["a"] == 4.0 and q.bqm.quadratic["a", "b"] == 1.0


def test_exact_spec_is_identity():
    bqm = random_bqm(6, 0.5, "BINARY", 3)
    q = MachineSpec("exact", vartype="BINARY").quantise(bqm)
    assert q.exact and q.scale == 1.0 and q.max_abs_error == 0.0
    assert q.bqm == bqm


def test_float_storage_rounding():
    bqm = dimod.BQM({}, {("a", "b"): 1.0, ("b", "c"): 1.0 + 2**-12}, 0.0, "SPIN")
    fp16 = MachineSpec("t", coefficient_dtype="float16").quantise(bqm)
    bf16 = MachineSpec("t", coefficient_dtype="bfloat16").quantise(bqm)
    assert fp16.bqm.quadratic["b", "c"] == 1.0 + 2**-10 * round(2**-2)  # 1 + 2^-12 rounds to 1
    assert bf16.bqm.quadratic["b", "c"] == 1.0
    assert bf16.max_abs_error == pytest.approx(2**-12)


def test_fit_report_capacity_and_zeroed():
    bqm = dimod.BQM({"a": 1e-6, "b": 1.0}, {("a", "b"): 1.0, ("b", "c"): -1.0}, 0.0, "SPIN")
    report = MachineSpec("tiny", capacity=2, coupler_bits=4, bias_bits=4).validate(bqm)
    assert not report.fits and not report.fits_capacity
    assert report.num_rounded_to_zero == 1
    assert "exceed the capacity of 2 by 1" in str(report)
    assert report.to_dict()["fits"] is False


def test_ground_state_survival_detected():
    # the tiny bias breaks the tie between the two ferromagnetic ground states; 2-bit biases
    # round it away, so the stored model has two ground states and one is not the original's.
    bqm = dimod.BQM({"a": 0.01}, {("a", "b"): -1.0}, 0.0, "SPIN")
    lossy = MachineSpec("lossy", coupler_bits=2, bias_bits=2).validate(bqm)
    assert lossy.ground_state_survives is False
    assert lossy.ground_state_gap == pytest.approx(0.02)
    fine = MachineSpec("fine", coupler_bits=16, bias_bits=16).validate(bqm)
    assert fine.ground_state_survives is True


def test_ground_states_match_exact_solver():
    bqm = random_bqm(8, 0.6, "BINARY", 11)
    energy, states, labels = ground_states(bqm)
    exact = dimod.ExactSolver().sample(bqm)
    assert energy == pytest.approx(exact.first.energy)
    assert np.allclose(bqm.spin.energies((states, labels)), exact.first.energy)


def test_connectivity_check():
    import networkx as nx

    spec = MachineSpec("path", graph=nx.path_graph(3))
    native = dimod.BQM({0: 1.0}, {(0, 1): 1.0}, 0.0, "SPIN")
    foreign = dimod.BQM({}, {(0, 2): 1.0}, 0.0, "SPIN")
    assert spec.validate(native).fits
    report = spec.validate(foreign)
    assert not report.fits_connectivity and "minor embedding" in str(report)


def test_clock_model():
    clock = ClockModel(seconds_per_step=1e-6, seconds_per_read=1e-3, seconds_per_call=0.5,
                       parallel_reads=4)
    assert clock.seconds(steps=1000, num_reads=10) == pytest.approx(0.5 + 3 * (1e-3 + 1e-3))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"capacity": 0}, "capacity"),
        ({"coupler_bits": 1}, "coupler_bits"),
        ({"coupler_range": (1, 2)}, "coupler_range"),
        ({"coefficient_dtype": "int4"}, "coefficient_dtype"),
    ],
)
def test_bad_spec_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MachineSpec("bad", **kwargs)


def test_unknown_preset_lists_known():
    with pytest.raises(ValueError, match="unknown machine spec 'nope'"):
        get_preset("nope")


def test_clock_model_per_spin_step():
    clock = ClockModel(seconds_per_spin_step=1e-9, parallel_reads=2)
    assert clock.seconds(steps=100, num_reads=4, num_variables=1000) == pytest.approx(2 * 1e-4)
