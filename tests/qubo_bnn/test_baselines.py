"""Float STE baseline of the same binary architecture."""

from __future__ import annotations

import numpy as np
import pytest

from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.ste import loss_and_gradients, train_ste


def _teacher(sizes, n, seed):
    rng = np.random.default_rng(seed)
    t = BinaryNetwork.layered(sizes, rng=rng)
    x = rng.choice([-1, 1], size=(n, sizes[0])).astype(np.int8)
    return x, t.predict_class(x)


def test_learns_linearly_separable_rule():
    rng = np.random.default_rng(0)
    x = rng.choice([-1, 1], size=(200, 9))
    y = (x[:, :5].sum(axis=1) > 0).astype(int)  # majority of 5 inputs
    res = train_ste(x, y, (3,), epochs=60, seed=0)
    assert res.train_accuracy >= 0.85  # ±1 weights cannot ignore the 4 noise inputs
    assert res.network.layer_sizes == [9, 3, 1]
    assert np.mean(res.network.predict_class(x) == y) == pytest.approx(res.train_accuracy)


def test_multiclass_and_loss_decreases():
    x, y = _teacher([10, 6, 3], 150, 1)
    res = train_ste(x, y, (6,), epochs=40, seed=1)
    assert res.network.n_outputs == 3
    assert res.train_accuracy > 0.5  # chance about 1/3
    assert res.loss_history[-1] < res.loss_history[0]


def test_output_gradient_matches_finite_differences():
    # the output layer has no STE in its own weights' forward map except sign(W); check the
    # gradient with respect to the (binarised) output weights through the scaled logit
    rng = np.random.default_rng(2)
    x = rng.choice([-1.0, 1.0], size=(8, 5))
    y = rng.integers(0, 3, size=8)
    Ws = [rng.uniform(-1, 1, size=(4, 5)), rng.uniform(-1, 1, size=(3, 4))]
    loss, grads = loss_and_gradients(Ws, x, y, 3)
    hidden = np.where(x @ np.where(Ws[0] >= 0, 1.0, -1.0).T >= 0, 1.0, -1.0)
    Wb = np.where(Ws[1] >= 0, 1.0, -1.0)

    def f(wb):
        z = hidden @ wb.T / 2.0
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return -np.mean(np.log(p[np.arange(8), y]))

    assert f(Wb) == pytest.approx(loss)
    eps = 1e-6
    num = np.zeros_like(Wb)
    for i in range(3):
        for j in range(4):
            d = np.zeros_like(Wb)
            d[i, j] = eps
            num[i, j] = (f(Wb + d) - f(Wb - d)) / (2 * eps)
    assert np.allclose(grads[1], num * (np.abs(Ws[1]) <= 1), atol=1e-6)


def test_seed_reproducible():
    x, y = _teacher([6, 3, 1], 50, 3)
    a = train_ste(x, y, (3,), epochs=5, seed=4)
    b = train_ste(x, y, (3,), epochs=5, seed=4)
    assert a.network == b.network


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"X": np.zeros((3, 2))}, "X must"),
        ({"y": np.array([0, -1, 1])}, "y must"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"hidden_layers": (0,)}, "hidden_layers"),
    ],
)
def test_bad_arguments(kw, match):
    args = {"X": np.array([[1, -1], [-1, 1], [1, 1]]), "y": np.array([0, 1, 0])}
    args.update(kw)
    X, y = args.pop("X"), args.pop("y")
    with pytest.raises(ValueError, match=match):
        train_ste(X, y, **args)
