"""Metrics against hand-worked cases (DESIGN.md section 3)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from suites import metrics


def test_success_uses_target_plus_epsilon():
    e = [-10.0, -10.0 + 5e-7, -9.999, -11.0]
    assert metrics.successes(e, -10.0, epsilon=1e-6).tolist() == [True, True, False, True]
    # relative epsilon: 1e-3 * 10 = 0.01 tolerance
    assert metrics.successes(e, -10.0, epsilon=0.0, epsilon_rel=1e-3).tolist() == [
        True, True, True, True]
    with pytest.raises(ValueError, match="finite"):
        metrics.successes(e, float("nan"))


def test_success_probability():
    assert metrics.success_probability([True, False, False, True]) == 0.5
    assert math.isnan(metrics.success_probability([]))


@pytest.mark.parametrize(
    ("p_s", "t_run", "expected"),
    [
        (0.0, 1.0, math.inf),                                  # never succeeds
        (1.0, 2.0, 2.0),                                       # every read succeeds
        (0.99, 3.0, 3.0),                                      # boundary: one read is enough
        (0.5, 1.0, math.log(0.01) / math.log(0.5)),            # = 6.6439
        (0.1, 0.002, 0.002 * math.log(0.01) / math.log(0.9)),  # = 0.08742 (43.709 reads)
    ],
)
def test_tts99_worked_examples(p_s, t_run, expected):
    assert metrics.tts(p_s, t_run) == pytest.approx(expected)


def test_tts99_numbers_by_hand():
    assert metrics.tts(0.5, 1.0) == pytest.approx(6.643856, rel=1e-6)
    assert metrics.tts(0.1, 0.002) == pytest.approx(0.0874174, rel=1e-5)
    with pytest.raises(ValueError):
        metrics.tts(1.5, 1.0)


def test_residual_energy():
    np.testing.assert_allclose(metrics.residual_energy([-9.0, -10.0, -8.0], -10.0),
                               [0.1, 0.0, 0.2])
    assert np.isnan(metrics.residual_energy([1.0], 0.0)).all()


def test_bootstrap_all_success_and_all_failure():
    ps = metrics.success_probability_ci([True] * 20)
    assert (ps.value, ps.low, ps.high) == (1.0, 1.0, 1.0)
    t = metrics.tts_ci([True] * 20, t_run=0.5)
    assert (t.value, t.low, t.high) == (0.5, 0.5, 0.5)
    t0 = metrics.tts_ci([False] * 20, t_run=0.5)
    assert t0.value == t0.low == t0.high == math.inf
    p0 = metrics.success_probability_ci([False] * 20)
    assert (p0.value, p0.low, p0.high) == (0.0, 0.0, 0.0)


def test_bootstrap_interval_mixed_is_seeded_and_brackets_the_estimate():
    s = [True] * 5 + [False] * 15  # p_s = 0.25
    a = metrics.success_probability_ci(s, n_boot=2000, seed=3)
    b = metrics.success_probability_ci(s, n_boot=2000, seed=3)
    assert a == b
    assert a.value == 0.25
    assert 0.0 <= a.low < 0.25 < a.high <= 0.6
    # binomial standard error sqrt(.25 * .75 / 20) = 0.097: the 95% interval spans ~ +-0.19
    assert 0.3 < a.high - a.low < 0.45
    t = metrics.tts_ci(s, t_run=1.0, n_boot=2000, seed=3)
    assert t.value == pytest.approx(math.log(0.01) / math.log(0.75))
    assert t.low < t.value < t.high
    # resamples with no success give an infinite upper bound only if they are > 2.5% of them
    assert math.isfinite(t.high)


def test_bootstrap_upper_bound_is_infinite_when_successes_are_rare():
    s = [True] + [False] * 39  # P(resample has no success) = (39/40)^40 = 36%
    t = metrics.tts_ci(s, t_run=1.0, n_boot=1000, seed=0)
    assert math.isfinite(t.value) and t.high == math.inf


def test_convergence_vs_steps_quartiles():
    best = np.array([[3.0, 2.0, 1.0], [5.0, 4.0, 1.0], [4.0, 3.0, 2.0]])
    q25, med, q75 = metrics.convergence_vs_steps(best)
    np.testing.assert_allclose(med, [4.0, 3.0, 1.0])
    np.testing.assert_allclose(q25, [3.5, 2.5, 1.0])
    np.testing.assert_allclose(q75, [4.5, 3.5, 1.5])
    with pytest.raises(ValueError):
        metrics.convergence_vs_steps(np.zeros(3))


def test_best_so_far_at_is_a_step_function():
    times = np.array([1.0, 2.0, 4.0])
    best = np.array([[5.0, 3.0, 1.0]])
    grid = np.array([0.5, 1.0, 1.5, 2.0, 3.9, 4.0, 10.0])
    out = metrics.best_so_far_at(times, best, grid)
    np.testing.assert_array_equal(out[0, 1:], [5.0, 5.0, 3.0, 3.0, 1.0, 1.0])
    assert np.isnan(out[0, 0])


def test_convergence_vs_seconds_pools_runs_with_different_clocks():
    curves = [(np.array([1.0, 2.0]), np.array([[2.0, 1.0]])),
              (np.array([1.5, 3.0]), np.array([[4.0, 0.0]]))]
    grid, q25, med, q75 = metrics.convergence_vs_seconds(curves, num_points=5)
    assert grid[0] == pytest.approx(1.0) and grid[-1] == pytest.approx(3.0)
    assert med[0] == pytest.approx(2.0)        # only the first run has started at t = 1
    assert med[-1] == pytest.approx(0.5)       # median of 1 and 0 at t = 3
    assert np.all(q25[np.isfinite(q25)] <= q75[np.isfinite(q75)])


def test_mean_std():
    m, s = metrics.mean_std([0.8, 0.9, 1.0])
    assert m == pytest.approx(0.9) and s == pytest.approx(0.1)
    assert metrics.mean_std([0.7]) == (0.7, 0.0)
    assert all(math.isnan(v) for v in metrics.mean_std([]))


def test_convergence_vs_steps_treats_unrecorded_checkpoints_as_missing():
    best = np.array([[np.inf, 5.0, 3.0], [np.inf, np.inf, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value" from inf - inf
        q25, med, q75 = metrics.convergence_vs_steps(best)
    assert np.isnan(med[0]) and med[1] == 5.0 and med[2] == 2.0
    assert np.isnan(q25[0]) and np.isnan(q75[0])
