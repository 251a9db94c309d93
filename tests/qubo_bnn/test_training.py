"""Unit-wise QUBO scheme, hidden targets, unit QUBOs, exact batches."""

from __future__ import annotations

import itertools

import dimod
import numpy as np
import pytest
from dwave.samplers import SimulatedAnnealingSampler
from hypothesis import given, settings
from hypothesis import strategies as st

from qubo_bnn.datasets import load_digits_binary
from qubo_bnn.whole_network.exact_batches import train_exact_batches
from qubo_bnn.whole_network.layer_solve import margin_values
from qubo_bnn.whole_network.layers import LayerShape, errors_of
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.options import ExactBatchOptions, UnitwiseOptions
from qubo_bnn.whole_network.targets import EXHAUSTIVE_MAX, hidden_targets
from qubo_bnn.whole_network.unit_qubo import block_bqm, spin_energy, unit_ising, unit_ising_values
from qubo_bnn.whole_network.unitwise import prototype_weights, train_unitwise

SA = SimulatedAnnealingSampler()
FAST = {"num_reads": 4, "num_sweeps": 200}


def _surrogate(x, t, c, m, pull, w):
    z = x @ w
    return float(np.sum(c * (t * z - m) ** 2) / c.sum() - pull @ w)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 7), st.floats(0.5, 6.0))
def test_unit_qubo_energy_equals_surrogate(seed, n, m):
    rng = np.random.default_rng(seed)
    x = rng.choice([-1, 1], size=(9, n))
    t = rng.choice([-1, 1], size=9)
    c = rng.random(9) + 0.1
    pull = rng.normal(size=n)
    h, coupling, off = unit_ising(x, t, c, m, pull)
    w = rng.choice([-1, 1], size=(5, n))
    expected = [_surrogate(x, t, c, m, pull, row) for row in w]
    assert np.allclose(spin_energy(h, coupling, off, w), expected)
    # the BINARY block BQM gives the same energies (two blocks side by side)
    bqm = block_bqm([(h, coupling, off), (h, coupling, off)])
    bits = (np.concatenate([w, w[::-1]], axis=1) + 1) // 2
    both = expected + np.array(expected[::-1])
    assert bqm.vartype is dimod.BINARY
    assert np.allclose(bqm.energies((bits, list(range(2 * n)))), both)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 7))
def test_unit_qubo_with_target_values_equals_surrogate(seed, n):
    rng = np.random.default_rng(seed)
    x = rng.choice([-1, 1], size=(9, n))
    v = rng.normal(scale=4.0, size=9)
    c = rng.random(9) + 0.1
    pull = rng.normal(size=n)
    h, coupling, off = unit_ising_values(x, v, c, pull)
    w = rng.choice([-1, 1], size=(5, n))
    expected = [float(np.sum(c * (x @ row - v) ** 2) / c.sum() - pull @ row) for row in w]
    assert np.allclose(spin_energy(h, coupling, off, w), expected)
    # with v = t * m it is the one-vs-rest energy of unit_ising
    t = rng.choice([-1, 1], size=9)
    a = spin_energy(*unit_ising_values(x, 2.5 * t, c, pull), w)
    b = spin_energy(*unit_ising(x, t, c, 2.5, pull), w)
    assert np.allclose(a, b)


def test_margin_values_bound_the_true_class_against_the_best_other():
    z = np.array([[4, 2, 0], [0, 6, 2], [2, 2, 8]])
    y = np.array([0, 0, 2])
    v0, d0 = margin_values(z, y, 0, 2.0)
    assert list(d0) == [1, 1, -1]
    assert list(v0) == [2 + 2, 6 + 2, 8 - 2]  # beat the best other / stay below the true one
    v2, d2 = margin_values(z, y, 2, 2.0)
    assert list(d2) == [-1, -1, 1] and list(v2) == [4 - 2, 0 - 2, 2 + 2]


def test_unit_qubo_rejects_zero_weights():
    with pytest.raises(ValueError, match="sample_weight"):
        unit_ising(np.ones((2, 2)), np.ones(2), np.zeros(2), 1.0)


def _exhaustive_reference(a, z, w_next, goal, graded=False):
    """Brute force over all patterns: min (error, cost); graded: error + gap when wrong."""
    out = []
    for s in range(a.shape[0]):
        best = None
        for pat in itertools.product([-1, 1], repeat=a.shape[1]):
            pat = np.array(pat)
            zn = w_next @ pat
            pred = int(zn[0] >= 0) if zn.size == 1 else int(np.argmax(zn))
            err = int(pred != goal[s])
            if graded and err:
                err += int(np.max(zn) - zn[goal[s]])
            cost = float(np.sum((pat != a[s]) * (np.abs(z[s]) + 1)))
            key = (err, cost)
            if best is None or key < best[0]:
                best = (key, pat)
        out.append(best[0])
    return out


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 5), st.sampled_from([1, 3]))
def test_hidden_targets_are_optimal(seed, n, m):
    rng = np.random.default_rng(seed)
    a = rng.choice([-1, 1], size=(6, n))
    z = rng.integers(0, 5, size=(6, n)) * a
    w_next = rng.choice([-1, 1], size=(m, n))
    goal = rng.integers(0, max(m, 2), size=6)
    t = hidden_targets(a, z, w_next, None, goal)
    ref = _exhaustive_reference(a, z, w_next, goal)
    for s in range(6):
        zn = w_next @ t[s]
        pred = int(zn[0] >= 0) if m == 1 else int(np.argmax(zn))
        cost = float(np.sum((t[s] != a[s]) * (np.abs(z[s]) + 1)))
        assert (int(pred != goal[s]), cost) == ref[s]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 5))
def test_graded_hidden_targets_are_optimal(seed, n):
    rng = np.random.default_rng(seed)
    a = rng.choice([-1, 1], size=(6, n))
    z = rng.integers(0, 5, size=(6, n)) * a
    w_next = rng.choice([-1, 1], size=(4, n))
    goal = rng.integers(0, 4, size=6)
    t = hidden_targets(a, z, w_next, None, goal, graded=True)
    ref = _exhaustive_reference(a, z, w_next, goal, graded=True)
    for s in range(6):
        zn = w_next @ t[s]
        err = int(np.argmax(zn) != goal[s])
        err += int(np.max(zn) - zn[goal[s]]) if err else 0
        cost = float(np.sum((t[s] != a[s]) * (np.abs(z[s]) + 1)))
        assert (err, cost) == ref[s]


def test_graded_greedy_targets_close_the_gap():
    rng = np.random.default_rng(5)
    n = EXHAUSTIVE_MAX + 6
    a = rng.choice([-1, 1], size=(80, n))
    w_next = rng.choice([-1, 1], size=(10, n))
    goal = rng.integers(0, 10, size=80)

    def gap(p):
        zn = p @ w_next.T
        return np.max(zn, axis=1) - zn[np.arange(80), goal]

    plain = hidden_targets(a, a, w_next, None, goal)
    graded = hidden_targets(a, a, w_next, None, goal, graded=True, max_flips=8)
    assert np.sum(gap(graded)) < np.sum(gap(plain))
    assert np.sum(np.argmax(graded @ w_next.T, axis=1) != goal) <= np.sum(
        np.argmax(plain @ w_next.T, axis=1) != goal)


def test_hidden_targets_keep_right_samples_and_respect_dropout():
    rng = np.random.default_rng(0)
    a = rng.choice([-1, 1], size=(20, 4))
    w_next = np.array([[1, 1, 1, -1]])
    pred = (a @ w_next.T >= 0).astype(int)[:, 0]
    t = hidden_targets(a, a * 3, w_next, None, pred)
    assert np.array_equal(t, a)  # already right: nothing changes
    keep = np.array([True, False, True, True])
    t2 = hidden_targets(a, a * 3, w_next, None, 1 - pred, keep)
    assert np.array_equal(t2[:, 1], a[:, 1])  # dropped unit never changes


def test_greedy_targets_for_wide_layers_improve_downstream():
    rng = np.random.default_rng(1)
    n = EXHAUSTIVE_MAX + 4
    a = rng.choice([-1, 1], size=(50, n))
    w_next = rng.choice([-1, 1], size=(3, n))
    goal = rng.integers(0, 3, size=50)
    t = hidden_targets(a, a, w_next, None, goal)
    before = np.sum(np.argmax(a @ w_next.T, axis=1) != goal)
    after = np.sum(np.argmax(t @ w_next.T, axis=1) != goal)
    assert after < before


def _teacher(sizes, n, seed):
    rng = np.random.default_rng(seed)
    teacher = BinaryNetwork.layered(sizes, rng=rng)
    x = rng.choice([-1, 1], size=(n, sizes[0])).astype(np.int8)
    return x, teacher.predict_class(x)


def test_unitwise_learns_teacher_and_history_is_monotone():
    x, y = _teacher([12, 3, 1], 120, 2)
    res = train_unitwise(x, y, [12, 3, 1], SA, UnitwiseOptions(rounds=15, accept_temperature=0.0),
                         sample_kwargs=FAST, seed=0)
    errs = [row["train_errors"] for row in res.history]
    assert all(b <= a for a, b in zip(errs, errs[1:], strict=False))  # acceptance rule
    assert res.errors == errors_of(x, y, res.weights, False)
    assert res.errors <= 0.2 * len(y)
    assert res.sampler_calls >= 2 and res.sampler_seconds > 0
    assert max(res.qubo_sizes) == 3 * 12  # hidden layer: one block per unit, fan-in each


class _RandomSampler(dimod.Sampler):
    """Ignores the model: uniformly random bits (a machine that solves nothing)."""

    parameters = {"num_reads": [], "seed": []}
    properties = {}

    def sample(self, bqm, num_reads=1, seed=None, **_):
        rng = np.random.default_rng(seed)
        arr = rng.integers(0, 2, size=(num_reads, bqm.num_variables))
        return dimod.SampleSet.from_samples_bqm((arr, list(bqm.variables)), bqm)


def test_the_sampler_matters():
    x, y = _teacher([16, 4, 1], 150, 3)
    good = train_unitwise(x, y, [16, 4, 1], SA, UnitwiseOptions(rounds=8), sample_kwargs=FAST,
                          seed=1)
    bad = train_unitwise(x, y, [16, 4, 1], _RandomSampler(), UnitwiseOptions(rounds=8),
                         sample_kwargs={"num_reads": 4}, seed=1)
    assert good.errors < bad.errors


@pytest.mark.parametrize("kw", [{"margin": 6.0}, {"dropout": 0.5}])
def test_regularisers_change_the_result(kw):
    x, y = _teacher([12, 4, 1], 80, 4)
    base = train_unitwise(x, y, [12, 4, 1], SA, UnitwiseOptions(rounds=4), sample_kwargs=FAST,
                          seed=5)
    reg = train_unitwise(x, y, [12, 4, 1], SA, UnitwiseOptions(rounds=4, **kw),
                         sample_kwargs=FAST, seed=5)
    assert any(not np.array_equal(p, q) for p, q in zip(base.weights, reg.weights, strict=True))
    if "dropout" in kw:
        assert reg.sampler_calls > base.sampler_calls  # subnetwork solves happen


def test_unitwise_multiclass_and_bias():
    x, y = _teacher([10, 5, 3], 90, 6)
    res = train_unitwise(x, y, LayerShape.build([10, 5, 3], bias=True), SA,
                         UnitwiseOptions(rounds=6), sample_kwargs=FAST, seed=0)
    assert res.weights[0].shape == (5, 11) and res.weights[1].shape == (3, 6)
    assert res.errors == errors_of(x, y, res.weights, True)
    assert res.errors < 0.6 * len(y)  # chance is 2/3


def test_multiclass_margin_targets_beat_one_vs_rest_and_the_sampler_matters():
    d = load_digits_binary(None, 4, seed=1)  # ten classes, 16-16-10
    x, y, sizes = d.X_train[:400], d.y_train[:400], [16, 16, 10]
    kw = {"sample_kwargs": FAST, "seed": 0}
    margin = train_unitwise(x, y, sizes, SA, UnitwiseOptions(rounds=15), **kw)
    ovr = train_unitwise(x, y, sizes, SA, UnitwiseOptions(rounds=15, multiclass="ovr"), **kw)
    errs = [row["train_errors"] for row in margin.history]
    assert all(b <= a for a, b in zip(errs, errs[1:], strict=False))  # no uphill moves
    assert margin.errors == errors_of(x, y, margin.weights, False)
    assert margin.errors < ovr.errors  # measured 170 vs 204 of 400
    bad = train_unitwise(x, y, sizes, _RandomSampler(), UnitwiseOptions(rounds=15),
                         sample_kwargs={"num_reads": 4}, seed=0)
    assert margin.errors < bad.errors - 20  # measured 237


def test_prototype_init_is_a_better_start_than_random():
    x, y = _teacher([16, 8, 4], 300, 9)
    shape = LayerShape.build([16, 8, 4], True)
    w = prototype_weights(shape, x, y, np.random.default_rng(0))
    assert [m.shape for m in w] == [(8, 17), (4, 9)]
    assert all(set(np.unique(m)) <= {-1, 1} for m in w)
    rnd = shape.split(np.random.default_rng(0).choice([-1, 1], size=shape.num_weights))
    assert errors_of(x, y, w, True) < errors_of(x, y, rnd, True)
    res = train_unitwise(x, y, shape, SA, UnitwiseOptions(init="prototype", rounds=3),
                         sample_kwargs=FAST, seed=0)
    assert res.errors <= errors_of(x, y, w, True)


def test_default_start_is_the_prototype_with_several_outputs_only():
    def first_round(x, y, sizes, **kw):
        res = train_unitwise(x, y, LayerShape.build(sizes, bias=True), SA,
                             UnitwiseOptions(rounds=1, **kw), sample_kwargs=FAST, seed=3)
        return res.history[0]["train_loss"]

    x, y = _teacher([16, 8, 4], 200, 9)
    assert first_round(x, y, [16, 8, 4]) == first_round(x, y, [16, 8, 4], init="prototype")
    assert first_round(x, y, [16, 8, 4]) != first_round(x, y, [16, 8, 4], init="given")
    x1, y1 = _teacher([16, 8, 1], 200, 9)
    assert first_round(x1, y1, [16, 8, 1]) == first_round(x1, y1, [16, 8, 1], init="given")


def test_exact_batches_accepts_only_non_increasing_loss():
    x, y = _teacher([6, 2, 1], 30, 7)
    start = BinaryNetwork.layered([6, 2, 1], rng=1)
    e0 = int(np.sum(start.predict_class(x) != y))
    net, res = train_exact_batches(x, y, start, SA, ExactBatchOptions(rounds=5, batch_size=3),
                                   sample_kwargs={"num_reads": 4, "num_sweeps": 300}, seed=0)
    errs = [row["train_errors"] for row in res.history]
    assert errs[0] <= e0 and all(b <= a for a, b in zip(errs, errs[1:], strict=False))
    assert res.errors == int(np.sum(net.predict_class(x) != y))
    assert all(row["qubo_variables"] > 14 for row in res.history)  # auxiliaries present
