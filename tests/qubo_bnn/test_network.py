"""BinaryNetwork: construction, DAG checks, forward passes (packed == numpy), conversions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qubo_bnn.whole_network.network import BinaryNetwork, pack_pm1


@st.composite
def random_dags(draw, max_inputs=9, max_neurons=6):
    """Random DAG: neuron j takes edges from a random non-empty subset of earlier nodes."""
    n_in = draw(st.integers(1, max_inputs))
    n_neu = draw(st.integers(1, max_neurons))
    edges = []
    for j in range(n_neu):
        node = n_in + j
        srcs = draw(st.sets(st.integers(0, node - 1), min_size=1, max_size=min(node, 8)))
        edges += [(s, node) for s in sorted(srcs)]
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**31 - 1))
    return BinaryNetwork.from_edges(n_in, n_neu, edges, bias=bias, rng=seed), seed


def reference_forward(net: BinaryNetwork, X: np.ndarray):
    """Slow scalar forward pass straight from the edge list."""
    S = X.shape[0]
    z = np.zeros((S, net.n_neurons), dtype=np.int64)
    a = np.zeros((S, net.n_neurons), dtype=np.int64)
    for s in range(S):
        val = {i: int(X[s, i]) for i in range(net.n_inputs)}
        for j in net.order:
            tot = 0 if net.biases is None else int(net.biases[j])
            for (src, dst), w in zip(net.edges, net.weights, strict=True):
                if dst == net.n_inputs + j:
                    tot += int(w) * val[int(src)]
            z[s, j] = tot
            a[s, j] = 1 if tot >= 0 else -1
            val[net.n_inputs + j] = a[s, j]
    return z, a


@settings(max_examples=40, deadline=None)
@given(random_dags(), st.integers(1, 20))
def test_packed_forward_matches_numpy_and_reference(dag, n_samples):
    net, seed = dag
    X = np.random.default_rng(seed).choice([-1, 1], size=(n_samples, net.n_inputs))
    z_p, a_p = net.forward_with_preactivations(X, method="packed")
    z_n, a_n = net.forward_with_preactivations(X, method="numpy")
    z_r, a_r = reference_forward(net, X)
    np.testing.assert_array_equal(z_p, z_n)
    np.testing.assert_array_equal(a_p, a_n)
    np.testing.assert_array_equal(z_p, z_r)
    np.testing.assert_array_equal(a_p, a_r)


def test_packed_forward_many_words():
    net = BinaryNetwork.layered([150, 7, 3], bias=True, rng=3)
    X = np.random.default_rng(0).choice([-1, 1], size=(64, 150))
    for m in ("packed", "numpy"):
        assert net.preactivations(X, method=m).shape == (64, 10)
    np.testing.assert_array_equal(net.preactivations(X), net.preactivations(X, method="numpy"))


def test_sign_of_zero_is_plus_one():
    net = BinaryNetwork.layered([2, 1], weights=[np.array([[1, -1]])])
    z, a = net.forward_with_preactivations(np.array([[1, 1], [1, -1], [-1, 1]]))
    np.testing.assert_array_equal(z[:, 0], [0, 2, -2])
    np.testing.assert_array_equal(a[:, 0], [1, 1, -1])


def test_layered_edge_order_and_arrays_roundtrip():
    rng = np.random.default_rng(1)
    mats = [rng.choice([-1, 1], size=(3, 4)), rng.choice([-1, 1], size=(2, 3))]
    biases = [rng.choice([-1, 1], size=3), rng.choice([-1, 1], size=2)]
    net = BinaryNetwork.from_arrays(mats, biases)
    np.testing.assert_array_equal(net.weights, np.concatenate([m.ravel() for m in mats]))
    back, bback = net.to_arrays()
    for a, b in zip(back, mats, strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(bback, biases, strict=True):
        np.testing.assert_array_equal(a, b)
    assert net.layer_sizes == [4, 3, 2]
    assert net.n_outputs == 2
    np.testing.assert_array_equal(net.outputs, [3, 4])
    # matches a dense numpy evaluation
    X = rng.choice([-1, 1], size=(10, 4))
    h = np.where(X @ mats[0].T + biases[0] >= 0, 1, -1)
    o = np.where(h @ mats[1].T + biases[1] >= 0, 1, -1)
    np.testing.assert_array_equal(net.predict(X), o)


def test_from_edges_reorders_weights_to_edge_order():
    edges = [(2, 3), (0, 2), (1, 2), (0, 3)]
    net = BinaryNetwork.from_edges(2, 2, edges, weights=[1, -1, 1, -1])
    assert net.edges.tolist() == [[0, 2], [1, 2], [0, 3], [2, 3]]
    assert net.weights.tolist() == [-1, 1, -1, 1]
    assert net.outputs.tolist() == [1]


def test_skip_connections_and_outputs():
    # input 0,1 -> n0 -> n1, with a skip edge input 0 -> n1
    net = BinaryNetwork.from_edges(2, 2, [(0, 2), (1, 2), (2, 3), (0, 3)], weights=[1, 1, 1, 1])
    X = np.array([[1, 1], [-1, -1], [1, -1]])
    np.testing.assert_array_equal(net.predict(X)[:, 0], [1, -1, 1])


def test_topological_order_given_out_of_order():
    # neuron 0 depends on neuron 1
    net = BinaryNetwork.from_edges(1, 2, [(0, 2), (2, 1), (0, 1)])
    assert net.order.tolist() == [1, 0]
    X = np.array([[1], [-1]])
    np.testing.assert_array_equal(net.forward(X), net.forward(X, method="numpy"))


def test_cycle_refused_with_named_cycle():
    with pytest.raises(ValueError, match=r"cycle: neuron 1 \(node 3\) -> neuron 2 \(node 4\)"):
        BinaryNetwork.from_edges(2, 3, [(0, 2), (2, 3), (3, 4), (4, 3)])
    with pytest.raises(ValueError, match="cycle"):
        BinaryNetwork.from_edges(1, 1, [(0, 1), (1, 1)])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_inputs": 2, "n_neurons": 1, "edges": [(0, 5)]}, "outside"),
        ({"n_inputs": 2, "n_neurons": 1, "edges": [(0, 1)]}, "ends at input"),
        ({"n_inputs": 2, "n_neurons": 2, "edges": [(0, 2)]}, "no incoming edge"),
        ({"n_inputs": 2, "n_neurons": 1, "edges": [(0, 2), (0, 2)]}, "duplicate"),
        ({"n_inputs": 2, "n_neurons": 1, "edges": [(0, 2)], "weights": [0]}, "-1 and \\+1"),
        ({"n_inputs": 0, "n_neurons": 1, "edges": [(0, 1)]}, "n_inputs"),
    ],
)
def test_bad_graphs_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BinaryNetwork.from_edges(**kwargs)


def test_accuracy_modes():
    net = BinaryNetwork.layered([4, 3], rng=0)
    X = np.random.default_rng(2).choice([-1, 1], size=(30, 4))
    pred = net.predict(X)
    assert net.accuracy(X, pred) == 1.0
    flipped = pred.copy()
    flipped[:10, 0] *= -1
    assert net.accuracy(X, flipped) == pytest.approx(20 / 30)
    cls = net.predict_class(X)
    z = net.preactivations(X)
    np.testing.assert_array_equal(cls, np.argmax(z, axis=1))
    assert net.accuracy(X, cls) == 1.0
    with pytest.raises(ValueError, match="class labels"):
        net.accuracy(X, np.full(30, 5))
    single = BinaryNetwork.layered([4, 1], rng=0)
    assert single.accuracy(X, single.predict(X)[:, 0]) == 1.0
    with pytest.raises(ValueError, match="X must"):
        single.predict(np.zeros((2, 4)))


def test_copy_and_with_weights_are_independent():
    net = BinaryNetwork.layered([3, 2, 1], bias=True, rng=0)
    c = net.copy()
    assert c == net
    c.weights[0] *= -1
    assert c != net
    with pytest.raises(ValueError, match="biases"):
        net.with_weights(net.weights)
    with pytest.raises(ValueError, match="to_arrays"):
        BinaryNetwork.from_edges(1, 1, [(0, 1)]).to_arrays()


def test_in_place_weight_edits_are_seen_by_the_packed_pass():
    net = BinaryNetwork.layered([5, 3, 1], bias=True, rng=0)
    X = np.random.default_rng(0).choice([-1, 1], size=(20, 5))
    net.predict(X)  # fills the packed cache
    for i in range(net.n_edges):
        net.weights[i] *= -1
        np.testing.assert_array_equal(net.forward(X), net.forward(X, method="numpy"))
    net.biases[1] *= -1
    np.testing.assert_array_equal(net.forward(X), net.forward(X, method="numpy"))


def test_pack_pm1_bit_layout():
    X = np.array([[1, -1, 1] + [-1] * 62 + [1]])
    words = pack_pm1(X)
    assert words.shape == (1, 2)
    assert int(words[0, 0]) == 0b101
    assert int(words[0, 1]) == 0b10
