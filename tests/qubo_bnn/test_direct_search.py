"""Direct-search reference: incremental annealing over ±1 weights."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qubo_bnn.whole_network.direct_search import anneal_weights
from qubo_bnn.whole_network.layers import LayerShape, errors_of, forward_layers
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.options import DirectSearchOptions


def _teacher_data(sizes, n, seed, bias=False):
    rng = np.random.default_rng(seed)
    teacher = BinaryNetwork.layered(sizes, bias=bias, rng=rng)
    x = rng.choice([-1, 1], size=(n, sizes[0])).astype(np.int8)
    return teacher, x, teacher.predict_class(x)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.booleans(), st.sampled_from([[5, 3, 1], [4, 3, 2, 3]]))
def test_forward_layers_matches_binary_network(seed, bias, sizes):
    teacher, x, _ = _teacher_data(sizes, 7, seed, bias)
    mats, biases = teacher.to_arrays()
    cols = [np.column_stack([m, b]) for m, b in zip(mats, biases, strict=True)] if bias else mats
    shape = LayerShape.build(sizes, bias)
    z, a = forward_layers(shape, shape.join(cols), x)
    z_ref = teacher.preactivations(x)
    assert np.array_equal(np.concatenate(z, axis=1), z_ref)
    assert errors_of(x, teacher.predict_class(x), cols, bias) == 0


@pytest.mark.parametrize("sizes", [[6, 3, 1], [5, 3, 3]])
def test_finds_zero_loss_teacher(sizes):
    _, x, y = _teacher_data(sizes, 40, 1)
    res = anneal_weights(x, y, sizes, DirectSearchOptions(num_reads=2, num_sweeps=400), seed=3)
    assert res.errors == 0
    assert errors_of(x, y, res.weights, False) == 0
    assert res.accuracy == 1.0


def test_reported_errors_match_forward_pass_deeper_net_with_bias():
    rng = np.random.default_rng(5)
    x = rng.choice([-1, 1], size=(30, 6)).astype(np.int8)
    y = rng.integers(0, 2, size=30)  # random labels: errors usually stay > 0
    res = anneal_weights(x, y, LayerShape.build([6, 3, 2, 1], bias=True),
                         DirectSearchOptions(num_reads=1, num_sweeps=200), seed=0)
    assert res.errors == errors_of(x, y, res.weights, True)
    assert res.errors_per_read.min() == res.errors


def test_matches_exhaustive_minimum_on_tiny_network():
    rng = np.random.default_rng(2)
    x = rng.choice([-1, 1], size=(12, 3)).astype(np.int8)
    y = rng.integers(0, 2, size=12)
    sizes = [3, 2, 1]
    best = min(
        errors_of(x, y, [np.array(w[:6]).reshape(2, 3), np.array(w[6:]).reshape(1, 2)], False)
        for w in itertools.product([-1, 1], repeat=8)
    )
    res = anneal_weights(x, y, sizes, DirectSearchOptions(num_reads=3, num_sweeps=300), seed=1)
    assert res.errors == best


def test_seed_reproducible_and_initial_weights_used():
    _, x, y = _teacher_data([6, 3, 1], 25, 4)
    a = anneal_weights(x, y, [6, 3, 1], DirectSearchOptions(num_reads=1, num_sweeps=50), seed=9)
    b = anneal_weights(x, y, [6, 3, 1], DirectSearchOptions(num_reads=1, num_sweeps=50), seed=9)
    assert all(np.array_equal(p, q) for p, q in zip(a.weights, b.weights, strict=True))
    c = anneal_weights(x, y, BinaryNetwork.from_arrays(a.weights),
                       DirectSearchOptions(num_sweeps=1, beta_range=(1e3, 1e3), num_reads=1),
                       seed=0)
    assert c.errors <= a.errors


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": np.zeros((4, 3))}, "only -1 and"),
        ({"sizes": [4, 2, 1]}, "features"),
        ({"y": np.array([0, 1, 2, 0])}, "class indices"),
        ({"num_reads": 0}, "num_reads"),
        ({"num_sweeps": 1.5}, "num_sweeps"),
        ({"beta_range": (2.0, 1.0)}, "beta_range"),
        ({"sizes": [3]}, "sizes"),
    ],
)
def test_bad_arguments(kwargs, match):
    args = {"x": np.ones((4, 3), dtype=int), "y": np.array([0, 1, 0, 1]), "sizes": [3, 2, 1]}
    args.update(kwargs)
    x, y, sizes = args.pop("x"), args.pop("y"), args.pop("sizes")
    with pytest.raises(ValueError, match=match):
        anneal_weights(x, y, sizes, DirectSearchOptions(**args))
