"""Whole-network BNN QUBO (DESIGN.md 6.1, checks 6.4)."""

import itertools

import dimod
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qubo_bnn.formulation import Formulation
from qubo_bnn.whole_network.formulation import (
    BNNFormulation,
    build_bnn_qubo,
    layered_variable_counts,
)
from qubo_bnn.whole_network.network import BinaryNetwork


@st.composite
def problems(draw, max_inputs=6, max_neurons=5, max_samples=5):
    """A random network (layered, or a DAG with skip connections) and random ±1 data."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    bias = draw(st.booleans())
    if draw(st.booleans()):
        sizes = [draw(st.integers(1, max_inputs))]
        sizes += draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
        net = BinaryNetwork.layered(sizes, bias=bias, rng=rng)
    else:
        n_in = draw(st.integers(1, max_inputs))
        n_neu = draw(st.integers(1, max_neurons))
        edges = []
        for j in range(n_neu):
            node = n_in + j
            k = draw(st.integers(1, min(node, 5)))
            srcs = rng.choice(node, size=k, replace=False)
            edges += [(int(s), node) for s in srcs]
        net = BinaryNetwork.from_edges(n_in, n_neu, edges, bias=bias, rng=rng)
    S = draw(st.integers(1, max_samples))
    X = rng.choice([-1, 1], size=(S, net.n_inputs))
    y = rng.choice([-1, 1], size=(S, net.n_outputs))
    return net, X, y, rng


def _aux_labels(f: BNNFormulation) -> list:
    return f.variables["activation"] + f.variables["product"] + f.variables["slack"]


@settings(max_examples=60, deadline=None)
@given(problems(), st.sampled_from([0.0, 0.5, 2.0]), st.booleans())
def test_forward_pass_is_feasible_and_energy_equals_loss(prob, margin, pull):
    net, X, y, rng = prob
    n_w = net.n_edges + (net.n_neurons if net.has_bias else 0)
    h = rng.normal(size=n_w) if pull else None
    f = build_bnn_qubo(net, X, y, margin=margin, weight_bias=h)
    assert isinstance(f, Formulation)
    assert f.info["exact"] and f.info["penalty_gap"] > 0
    for _ in range(3):
        other = net.with_weights(
            rng.choice([-1, 1], size=net.n_edges),
            None if not net.has_bias else rng.choice([-1, 1], size=net.n_neurons),
        )
        vec = f.encode(other)
        report = f.check(vec)
        assert report.feasible and report.penalty == 0
        expected = f.zero_one_loss(other) - margin * np.abs(other.preactivations(X)).sum()
        if pull:
            spins = np.concatenate([other.weights, other.biases if net.has_bias else []])
            expected += h @ spins
        assert f.loss(other) == pytest.approx(expected)
        assert f.energy(vec) == pytest.approx(f.loss(other), abs=1e-6)
        assert f.bqm.energy(dict(enumerate(vec.tolist()))) == pytest.approx(f.loss(other))
        assert f.decode(vec) == other
        assert f.decode(dict(enumerate(vec.tolist()))) == other


@settings(max_examples=40, deadline=None)
@given(problems(), st.sampled_from([0.0, 0.5]))
def test_hard_labels_feasible_when_fitted(prob, margin):
    net, X, _, _ = prob
    y = net.predict(X)  # labels the network fits exactly
    f = build_bnn_qubo(net, X, y, loss="hard", margin=margin)
    assert f.counts["activation"] == X.shape[0] * (net.n_neurons - net.n_outputs)
    vec = f.encode(net)
    assert f.check(vec).feasible
    assert f.energy(vec) == pytest.approx(f.loss(net))
    assert f.loss(net) == pytest.approx(-margin * np.abs(net.preactivations(X)).sum())
    # a network that misfits some label has no feasible assignment: its best energy is higher
    y_bad = y.copy()
    y_bad[0, 0] *= -1
    g = build_bnn_qubo(net, X, y_bad, loss="hard", margin=margin)
    assert not g.check(g.encode(net)).feasible


@settings(max_examples=40, deadline=None)
@given(problems(), st.sampled_from([0.0, 1.0]), st.sampled_from(["zero_one", "hard"]))
def test_single_auxiliary_flip_costs_at_least_the_gap(prob, margin, loss):
    net, X, y, _ = prob
    if loss == "hard":
        y = net.predict(X)
    f = build_bnn_qubo(net, X, y, margin=margin, loss=loss)
    vec = f.encode(net)
    e0 = f.energy(vec)
    aux = np.asarray(_aux_labels(f), dtype=np.int64)
    if aux.size == 0:
        return
    flips = np.repeat(vec[None, :], aux.size, axis=0)
    flips[np.arange(aux.size), aux] ^= 1
    energies = f.bqm.energies((flips, range(f.num_variables)))
    assert (energies - e0 >= f.info["penalty_gap"] - 1e-9).all()
    for row in flips[:5]:
        assert not f.check(row).feasible


def _brute_force_min(bqm: dimod.BinaryQuadraticModel) -> float:
    n = bqm.num_variables
    assert n <= 20
    lin, (r, c, v), off = bqm.to_numpy_vectors(variable_order=range(n))
    states = ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.float64)
    e = off + states @ lin + np.einsum("sk,sk,k->s", states[:, r], states[:, c], v)
    return float(e.min())


def _min_loss_over_weights(f: BNNFormulation, net: BinaryNetwork) -> float:
    n_b = net.n_neurons if net.has_bias else 0
    best = np.inf
    for bits in itertools.product((-1, 1), repeat=net.n_edges + n_b):
        bits = np.array(bits)
        cand = net.with_weights(bits[: net.n_edges], bits[net.n_edges :] if n_b else None)
        best = min(best, f.loss(cand))
    return best


TINY = [
    ("2-1-1", lambda: BinaryNetwork.layered([2, 1, 1], rng=0), 3),
    ("2-1-1 bias", lambda: BinaryNetwork.layered([2, 1, 1], bias=True, rng=0), 2),
    ("skip DAG", lambda: BinaryNetwork.from_edges(2, 2, [(0, 2), (1, 2), (2, 3), (0, 3)]), 2),
    ("2-2 two outputs", lambda: BinaryNetwork.layered([2, 2], rng=0), 2),
    ("3-1", lambda: BinaryNetwork.layered([3, 1], rng=0), 5),
]


@pytest.mark.parametrize("name, make, S", TINY, ids=[t[0] for t in TINY])
@pytest.mark.parametrize("margin", [0.0, 0.5])
@pytest.mark.parametrize("data_seed", [0, 1])
def test_exact_minimum_equals_min_loss_over_weights(name, make, S, margin, data_seed):
    net = make()
    rng = np.random.default_rng(data_seed)
    X = rng.choice([-1, 1], size=(S, net.n_inputs))
    y = rng.choice([-1, 1], size=(S, net.n_outputs))
    f = build_bnn_qubo(net, X, y, margin=margin)
    assert f.num_variables <= 20, f.counts
    assert _brute_force_min(f.bqm) == pytest.approx(_min_loss_over_weights(f, net))


@pytest.mark.parametrize("data_seed", range(4))
def test_exact_minimum_hard_labels(data_seed):
    net = BinaryNetwork.layered([2, 1, 1], rng=0)
    rng = np.random.default_rng(data_seed)
    X = rng.choice([-1, 1], size=(3, 2))
    y = rng.choice([-1, 1], size=3)
    f = build_bnn_qubo(net, X, y, loss="hard")
    fits = any(
        f.zero_one_loss(net.with_weights(np.array(w))) == 0
        for w in itertools.product((-1, 1), repeat=3)
    )
    e_min = _brute_force_min(f.bqm)
    assert (e_min == 0) == fits
    if not fits:
        assert e_min >= f.info["penalty_gap"]


@pytest.mark.parametrize(
    "sizes, S", [([16, 4, 1], 10), ([64, 4, 1], 3), ([5, 3, 2, 2], 4), ([7, 1], 2), ([1, 1], 1)]
)
def test_variable_counts_match_design_formula(sizes, S):
    net = BinaryNetwork.layered(sizes, rng=0)
    rng = np.random.default_rng(0)
    X = rng.choice([-1, 1], size=(S, sizes[0]))
    y = rng.choice([-1, 1], size=(S, sizes[-1]))
    f = build_bnn_qubo(net, X, y)
    assert f.counts == layered_variable_counts(sizes, S)
    assert f.num_variables == sum(f.counts.values())
    if sizes == [16, 4, 1]:
        assert f.counts == {"weight": 68, "activation": 50, "product": 40, "slack": 180}
        assert f.num_variables == 338


def test_penalty_defaults_and_overrides():
    net = BinaryNetwork.layered([4, 2, 2], rng=0)
    X = np.ones((3, 4), dtype=int)
    y = -np.ones((3, 2), dtype=int)
    f = build_bnn_qubo(net, X, y)
    assert f.info["exact_bound"] == 2  # one unit of loss per output
    assert f.info["penalty_sign"] == f.info["penalty_product"] == 3
    g = build_bnn_qubo(net, X, y, margin=0.25)
    # Zmax: hidden 4 input edges each, outputs 2 neuron edges each (5 per edge)
    assert g.info["exact_bound"] == pytest.approx(2 + 0.25 * (2 * 4 + 2 * 2 * 5))
    h = build_bnn_qubo(net, X, y, penalty={"sign": 1.5, "product": 7})
    assert h.info["penalty_sign"] == 1.5 and h.info["penalty_product"] == 7
    assert not h.info["exact"]
    assert build_bnn_qubo(net, X, y, penalty=5).info["penalty_gap"] == 3


def test_with_weight_bias_equals_rebuild():
    net = BinaryNetwork.layered([3, 2, 1], bias=True, rng=0)
    rng = np.random.default_rng(4)
    X = rng.choice([-1, 1], size=(4, 3))
    y = rng.choice([-1, 1], size=4)
    h1 = rng.normal(size=net.n_edges)
    h2 = rng.normal(size=net.n_edges + net.n_neurons)
    f1 = build_bnn_qubo(net, X, y, weight_bias=h1)
    f2 = f1.with_weight_bias(h2)
    ref = build_bnn_qubo(net, X, y, weight_bias=h2)
    states = rng.integers(0, 2, size=(50, f1.num_variables))
    np.testing.assert_allclose(
        f2.bqm.energies((states, range(f2.num_variables))),
        ref.bqm.energies((states, range(ref.num_variables))),
    )
    f0 = f2.with_weight_bias(None)
    plain = build_bnn_qubo(net, X, y)
    np.testing.assert_allclose(
        f0.bqm.energies((states, range(f0.num_variables))),
        plain.bqm.energies((states, range(plain.num_variables))),
    )


def test_qubo_and_ising_energies_agree_up_to_offset():
    net = BinaryNetwork.layered([4, 2, 1], rng=1)
    rng = np.random.default_rng(5)
    X = rng.choice([-1, 1], size=(3, 4))
    f = build_bnn_qubo(net, X, rng.choice([-1, 1], size=3), margin=0.5)
    ising = f.bqm.change_vartype(dimod.SPIN, inplace=False)
    states = rng.integers(0, 2, size=(20, f.num_variables))
    np.testing.assert_allclose(
        f.bqm.energies((states, range(f.num_variables))),
        ising.energies((2 * states - 1, range(f.num_variables))),
    )


@pytest.mark.parametrize("w6", [-1, 1])
def test_check_reports_the_broken_constraints(w6):
    net = BinaryNetwork.layered([3, 2, 1], rng=2)
    weights = net.weights.copy()
    weights[6] = w6
    net = net.with_weights(weights)
    rng = np.random.default_rng(6)
    X = rng.choice([-1, 1], size=(4, 3))
    f = build_bnn_qubo(net, X, rng.choice([-1, 1], size=4))
    vec = f.encode(net)
    a = f.activation_index[2, 0]  # sample 2, hidden neuron 0
    vec[a] ^= 1
    report = f.check(vec)
    assert (2, 0) in report.violations["sign"]
    # u = w AND alpha of edge hidden0 -> output (edge position 6) breaks iff that w is 1
    expected = [(2, 6)] if net.weights[6] == 1 else []
    assert report.violations["product"] == expected
    assert f.energy(vec) == pytest.approx(f.loss(net) + report.penalty)


def test_build_time_is_reported_and_small():
    net = BinaryNetwork.layered([64, 4, 1], rng=0)
    rng = np.random.default_rng(0)
    f = build_bnn_qubo(net, rng.choice([-1, 1], size=(40, 64)), rng.choice([-1, 1], size=40))
    assert f.info["build_seconds"] < 5.0
    assert f.info["num_interactions"] == f.bqm.num_interactions


def test_layer_sizes_accepted_as_topology():
    rng = np.random.default_rng(0)
    f = build_bnn_qubo([3, 2, 1], rng.choice([-1, 1], size=(2, 3)), [1, -1])
    assert f.topology.layer_sizes == [3, 2, 1]


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"X": np.zeros((2, 3))}, ValueError, "X must contain"),
        ({"X": np.ones((2, 4))}, ValueError, "X must have shape"),
        ({"y": [0, 1]}, ValueError, "y must contain"),
        ({"y": [1, 1, 1]}, ValueError, "rows"),
        ({"loss": "hinge"}, ValueError, "loss"),
        ({"penalty": -1}, ValueError, "penalty"),
        ({"penalty": {"and": 2}}, ValueError, "penalty keys"),
        ({"penalty": "big"}, TypeError, "penalty"),
        ({"margin": -0.1}, ValueError, "margin"),
        ({"weight_bias": np.ones(3)}, ValueError, "weight_bias"),
        ({"network_topology": "3-2-1"}, TypeError, "network_topology"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    args = {"network_topology": BinaryNetwork.layered([3, 2, 1], rng=0),
            "X": np.ones((2, 3)), "y": [1, -1]}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        build_bnn_qubo(args.pop("network_topology"), args.pop("X"), args.pop("y"), **args)


def test_decode_and_loss_reject_foreign_inputs():
    f = build_bnn_qubo(BinaryNetwork.layered([3, 2, 1], rng=0), np.ones((2, 3)), [1, -1])
    with pytest.raises(ValueError, match="entries"):
        f.decode(np.zeros(3))
    with pytest.raises(ValueError, match="0 or 1"):
        f.decode(np.full(f.num_variables, 2))
    with pytest.raises(ValueError, match="topology"):
        f.loss(BinaryNetwork.layered([3, 1], rng=0))
    with pytest.raises(TypeError, match="BinaryNetwork"):
        f.loss(np.ones(8))


def test_sample_array_follows_labels_not_column_order():
    net = BinaryNetwork.layered([3, 2, 1], rng=0)
    rng = np.random.default_rng(7)
    X = rng.choice([-1, 1], size=(3, 3))
    f = build_bnn_qubo(net, X, rng.choice([-1, 1], size=3))
    vecs = np.stack([f.encode(BinaryNetwork.layered([3, 2, 1], rng=s)) for s in range(4)])
    perm = rng.permutation(f.num_variables)
    ss = dimod.SampleSet.from_samples_bqm((vecs[:, perm], perm.tolist()), f.bqm)
    np.testing.assert_array_equal(f.sample_array(ss), vecs)
    nets = f.decode_sampleset(ss)
    assert [n == BinaryNetwork.layered([3, 2, 1], rng=s) for s, n in enumerate(nets)] == [True] * 4
    np.testing.assert_allclose(ss.record.energy, [f.loss(n) for n in nets])
