"""Tests of the machine-fit report for layer-wise QUBOs (qubo_bnn.layerwise.fit_check)."""

import numpy as np
import pytest

from emulators.machine import MachineSpec
from qubo_bnn.layerwise.fit_check import class_qubo, dynamic_range_bits, fit_reports


def test_class_qubo_has_d_plus_one_times_k_dense_bits():
    form = class_qubo(4, 3, n_classes=3, n_samples=30)
    assert form.bqm.num_variables == 16
    assert form.bqm.num_interactions == 16 * 15 // 2
    rng = np.random.default_rng(0)
    sample = dict(enumerate(rng.integers(0, 2, 16)))
    assert form.bqm.energy(sample) == pytest.approx(form.loss(form.decode(sample)))


def test_coupler_range_grows_by_two_bits_per_extra_bit():
    spans = [dynamic_range_bits(class_qubo(k, 3, n_classes=3, n_samples=60).bqm)
             for k in (3, 6)]
    assert spans[1] - spans[0] == pytest.approx(6.0, abs=0.5)


def test_reports_name_capacity_and_precision_limits():
    tiny = MachineSpec(name="tiny", capacity=10)
    coarse = MachineSpec(name="coarse", coupler_bits=4, bias_bits=4)
    exact = MachineSpec(name="exact")
    reports = fit_reports(6, 2, [tiny, coarse, exact], n_classes=3, n_samples=30)
    assert set(reports) == {"tiny", "coarse", "exact"}
    assert not reports["tiny"].fits and reports["tiny"].num_variables == 18
    assert reports["coarse"].fits and reports["coarse"].num_rounded_to_zero > 0
    assert reports["exact"].num_rounded_to_zero == 0
    assert reports["exact"].max_rel_error == 0


def test_given_features_are_used_and_checked():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 4)), np.arange(20) % 2
    form = class_qubo(2, 4, n_classes=2, features=x, labels=y)
    assert form.bqm.num_variables == 10
    with pytest.raises(ValueError, match="n_features"):
        class_qubo(2, 3, n_classes=2, features=x, labels=y)
    with pytest.raises(ValueError, match="labels"):
        class_qubo(2, 4, features=x)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0, 3), {}, ValueError, "bits"),
        ((2, 3.0), {}, TypeError, "n_features"),
        ((2, 3), {"n_classes": 1}, ValueError, "n_classes"),
        ((2, 3), {"cls": 10}, ValueError, "cls"),
    ],
)
def test_bad_arguments_are_named(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        class_qubo(*args, **kwargs)


def test_fit_reports_refuses_non_specs():
    with pytest.raises(TypeError, match="specs"):
        fit_reports(2, 2, [object()])
