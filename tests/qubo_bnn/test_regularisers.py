"""Margin and iterative dropout-style regularisers (DESIGN.md 6.2)."""

import itertools

import numpy as np
import pytest
from dwave.samplers import SimulatedAnnealingSampler

from qubo_bnn.encoding import QuadraticTerms
from qubo_bnn.whole_network.dropout import draw_dropout, dropout_regularise, subnetwork
from qubo_bnn.whole_network.formulation import build_bnn_qubo
from qubo_bnn.whole_network.margin import margin_bound, margin_terms
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.options import DropoutOptions


def test_margin_terms_equal_minus_mu_a_z_at_all_bits():
    # z = 1 + 2 q0 - 2 q1, alpha = q2 ; and the constant-activation form
    z_idx = np.array([[0, 1]])
    z_coef = np.array([[2.0, -2.0]])
    for alpha_const in (None, 0, 1):
        qt = QuadraticTerms(3)
        if alpha_const is None:
            qt.add(margin_terms(z_idx, z_coef, np.array([1.0]), 0.7, np.array([2])))
        else:
            qt.add(margin_terms(z_idx, z_coef, np.array([1.0]), 0.7, None, [alpha_const]))
        bqm = qt.to_bqm()
        for q in itertools.product((0, 1), repeat=3):
            z = 1 + 2 * q[0] - 2 * q[1]
            alpha = q[2] if alpha_const is None else alpha_const
            assert bqm.energy(dict(enumerate(q))) == pytest.approx(-0.7 * (2 * alpha - 1) * z)


def test_margin_rewards_large_preactivations():
    net = BinaryNetwork.layered([6, 3, 1], rng=0)
    rng = np.random.default_rng(1)
    X = rng.choice([-1, 1], size=(5, 6))
    y = rng.choice([-1, 1], size=5)
    plain = build_bnn_qubo(net, X, y)
    reg = build_bnn_qubo(net, X, y, margin=0.3)
    for seed in range(5):
        other = BinaryNetwork.layered([6, 3, 1], rng=seed)
        z = other.preactivations(X)
        assert reg.loss(other) == pytest.approx(plain.loss(other) - 0.3 * np.abs(z).sum())
        assert reg.energy(reg.encode(other)) == pytest.approx(reg.loss(other))
    assert reg.info["exact_bound"] == pytest.approx(1 + margin_bound(net, 0.3))
    assert reg.info["penalty_sign"] > plain.info["penalty_sign"]


def test_margin_bound_counts_edges():
    net = BinaryNetwork.layered([4, 3, 2], bias=True, rng=0)
    # 12 input edges (1 each) + 6 neuron edges (5 each) + 5 biases
    assert margin_bound(net, 2.0) == pytest.approx(2.0 * (12 + 30 + 5))
    assert margin_bound(net, 0.0) == 0.0


def test_subnetwork_maps_back_to_full_edges():
    net = BinaryNetwork.layered([4, 3, 1], bias=True, rng=0)
    sub, edge_map, neu_map, in_map = subnetwork(net, drop_neurons=[1], drop_inputs=[2])
    assert sub.n_inputs == 3 and sub.n_neurons == 3
    assert neu_map.tolist() == [0, 2, 3] and in_map.tolist() == [0, 1, 3]
    np.testing.assert_array_equal(sub.weights, net.weights[edge_map])
    np.testing.assert_array_equal(sub.biases, net.biases[neu_map])
    full_edges = net.edges[edge_map]
    for (s, d), (fs, fd) in zip(sub.edges, full_edges, strict=True):
        s_full = in_map[s] if s < sub.n_inputs else net.n_inputs + neu_map[s - sub.n_inputs]
        d_full = net.n_inputs + neu_map[d - sub.n_inputs]
        assert (s_full, d_full) == (fs, fd)
    with pytest.raises(ValueError, match="output"):
        subnetwork(net, drop_neurons=[3])
    dag = BinaryNetwork.from_edges(2, 2, [(0, 2), (1, 3), (2, 3)])
    with pytest.raises(ValueError, match="no incoming edge"):
        subnetwork(dag, drop_inputs=[0])  # neuron 0 loses its only input


def test_draw_dropout_rates_and_validity():
    net = BinaryNetwork.layered([8, 6, 1], rng=0)
    rng = np.random.default_rng(0)
    sizes = [draw_dropout(net, 0.5, "hidden", rng)[0].size for _ in range(200)]
    assert 0 not in [6 - s for s in sizes]  # never all hidden units
    assert abs(np.mean(sizes) - 3) < 0.6
    inp = [draw_dropout(net, 0.25, "inputs", rng)[1].size for _ in range(200)]
    assert abs(np.mean(inp) - 2) < 0.5
    with pytest.raises(ValueError, match="drop"):
        draw_dropout(net, 0.5, "edges", rng)
    with pytest.raises(ValueError, match="hidden"):
        draw_dropout(BinaryNetwork.layered([3, 1], rng=0), 0.5, "hidden", rng)


@pytest.fixture(scope="module")
def digits_problem():
    from qubo_bnn.datasets import load_digits_binary

    d = load_digits_binary(size=4, seed=0)
    return d.X_train[:6], d.y_train[:6]


def test_dropout_regularise_rule(digits_problem):
    X, y = digits_problem
    net = BinaryNetwork.layered([16, 3, 1], rng=0)
    res = dropout_regularise(
        net, X, y, SimulatedAnnealingSampler(), DropoutOptions(rounds=3, rate=0.4, eta=0.5),
        sample_kwargs={"num_reads": 4, "num_sweeps": 200}, seed=1,
    )
    assert len(res.rounds) == 3
    # W_bar is the mean of the kept subnetwork weights, in [-1, 1], zero where never kept
    assert ((res.mean_weights >= -1) & (res.mean_weights <= 1)).all()
    kept = res.kept_counts[: net.n_edges]
    assert (res.mean_weights[kept == 0] == 0).all()
    assert kept.max() <= 3
    # output edges from a hidden unit are kept exactly when the unit was kept
    hidden_kept = 3 - np.array(
        [sum(j in r["dropped_neurons"] for r in res.rounds) for j in range(3)]
    )
    np.testing.assert_array_equal(kept[-3:], hidden_kept)
    np.testing.assert_allclose(res.weight_bias, -0.5 * res.mean_weights)
    # the full QUBO differs from the plain one only by -eta * W_bar . W
    plain = build_bnn_qubo(net, X, y)
    for seed in range(3):
        other = BinaryNetwork.layered([16, 3, 1], rng=seed)
        extra = -0.5 * float(res.mean_weights @ other.weights)
        assert res.formulation.loss(other) == pytest.approx(plain.loss(other) + extra)
        vec = res.formulation.encode(other)
        assert res.formulation.energy(vec) == pytest.approx(res.formulation.loss(other))


def test_dropout_reproducible_and_combinable_with_margin(digits_problem):
    X, y = digits_problem
    net = BinaryNetwork.layered([16, 2, 1], bias=True, rng=0)
    options = DropoutOptions(rounds=2, rate=0.3, eta=0.2, drop="inputs", solve=True)
    kw = dict(margin=0.1, seed=3, sample_kwargs={"num_reads": 2, "num_sweeps": 100})
    a = dropout_regularise(net, X, y, SimulatedAnnealingSampler(), options, **kw)
    b = dropout_regularise(net, X, y, SimulatedAnnealingSampler(), options, **kw)
    np.testing.assert_array_equal(a.mean_weights, b.mean_weights)
    assert a.mean_biases is not None and a.mean_biases.shape == (3,)
    assert a.formulation.info["margin"] == 0.1
    assert a.network is not None and a.network == b.network
    assert all(r["dropped_neurons"] == [] for r in a.rounds)


def test_dropout_argument_errors(digits_problem):
    X, y = digits_problem
    net = BinaryNetwork.layered([16, 2, 1], rng=0)
    sa = SimulatedAnnealingSampler()
    for kwargs, match in [
        ({"rounds": 0}, "rounds"), ({"rate": 1.0}, "rate"), ({"eta": -1}, "eta"),
    ]:
        with pytest.raises(ValueError, match=match):
            dropout_regularise(net, X, y, sa, DropoutOptions(**kwargs))
    with pytest.raises(TypeError, match="sampler"):
        dropout_regularise(net, X, y, object())


def test_tiny_problem_solved_by_annealer_reaches_min_loss():
    """The exact QUBO of a tiny problem: SA finds the network of minimum training loss."""
    net = BinaryNetwork.layered([4, 2, 1], rng=0)
    rng = np.random.default_rng(0)
    X = rng.choice([-1, 1], size=(3, 4))
    y = rng.choice([-1, 1], size=3)
    f = build_bnn_qubo(net, X, y)
    best = min(
        f.loss(net.with_weights(np.array(w))) for w in itertools.product((-1, 1), repeat=10)
    )
    ss = SimulatedAnnealingSampler().sample(f.bqm, num_reads=20, num_sweeps=2000, seed=0)
    assert ss.first.energy == pytest.approx(best)
    assert f.check(ss.first.sample).feasible
    assert f.loss(f.decode(ss.first.sample)) == pytest.approx(best)
    # every read's energy bounds the loss of its decoded network (min over auxiliaries)
    nets = f.decode_sampleset(ss)
    for net_r, e in zip(nets, ss.record.energy, strict=True):
        assert f.loss(net_r) <= e + 1e-9
