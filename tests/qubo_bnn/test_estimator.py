"""QuboBNNClassifier: scikit-learn conventions, inputs, schemes, errors."""

from __future__ import annotations

import dimod
import numpy as np
import pytest
from dwave.samplers import SimulatedAnnealingSampler
from sklearn.base import clone
from sklearn.datasets import load_digits

from qubo_bnn.whole_network.classifier import QuboBNNClassifier
from qubo_bnn.whole_network.network import BinaryNetwork

FAST = {"num_reads": 2, "num_sweeps": 100}


def _clf(**kw):
    base = {"sampler": SimulatedAnnealingSampler(), "sample_kwargs": FAST, "rounds": 4,
            "random_state": 0}
    base.update(kw)
    return QuboBNNClassifier(**base)


@pytest.fixture(scope="module")
def digits38():
    d = load_digits()
    keep = np.isin(d.target, (3, 8))
    return d.data[keep][:120], d.target[keep][:120]  # raw 0..16 pixels, labels 3/8


def test_fit_predict_score_attributes(digits38):
    X, y = digits38
    clf = _clf().fit(X, y)
    assert list(clf.classes_) == [3, 8]
    # per-feature midpoints of the training range of the 0..16 pixels; 0/1 pixels use 0.5
    real = ~np.all(np.isin(X, (0, 1)), axis=0)
    assert clf.threshold_.shape == (64,)
    np.testing.assert_array_equal(clf.threshold_[real], (X.min(0) + X.max(0))[real] / 2)
    assert set(np.unique(clf.predict(X))) <= {3, 8}
    assert clf.score(X, y) == pytest.approx(clf.train_accuracy_)
    assert clf.score(X, y) > 0.8
    assert isinstance(clf.network_, BinaryNetwork) and clf.network_.layer_sizes == [64, 4, 1]
    assert clf.history_ and "train_loss" in clf.history_[0]
    assert clf.solver_seconds_ > 0 and clf.sampler_calls_ >= 2
    assert clf.constraint_violations_ == 0 and np.isfinite(clf.best_energy_)
    assert clf.n_features_in_ == 64


def test_pm1_and_01_inputs_give_same_network():
    rng = np.random.default_rng(0)
    X01 = rng.integers(0, 2, size=(40, 6))
    y = (X01[:, 0] ^ X01[:, 1]).astype(int)
    a = _clf(hidden_layers=(3,)).fit(X01, y)
    b = _clf(hidden_layers=(3,)).fit(2 * X01 - 1, y)
    assert a.network_ == b.network_
    assert np.array_equal(a.predict(X01), b.predict(2 * X01 - 1))


def test_multiclass_one_output_per_class():
    d = load_digits()
    keep = np.isin(d.target, (0, 1, 7))
    X, y = d.data[keep][:150], d.target[keep][:150]
    clf = _clf(hidden_layers=(6,)).fit(X, y)
    assert clf.network_.n_outputs == 3
    assert clf.score(X, y) > 0.5  # chance is 1/3
    for opts in ({"multiclass": "ovr"}, {"init": "prototype", "target_flips": 6}):
        other = _clf(hidden_layers=(6,), scheme_options=opts).fit(X, y)
        assert other.score(X, y) > 0.5


def test_clone_get_set_params():
    clf = _clf(margin=2.0)
    params = clf.get_params()
    assert params["margin"] == 2.0 and params["scheme"] == "unitwise"
    c2 = clone(clf)
    assert c2.get_params()["margin"] == 2.0 and not hasattr(c2, "network_")
    c2.set_params(dropout=0.25, hidden_layers=(3, 2))
    assert c2.dropout == 0.25 and c2.hidden_layers == (3, 2)


def test_deterministic_with_random_state(digits38):
    X, y = digits38
    a = _clf().fit(X, y)
    b = _clf().fit(X, y)
    assert a.network_ == b.network_


def test_exact_scheme_with_dag_topology_and_violations_recorded():
    rng = np.random.default_rng(1)
    X = rng.choice([-1, 1], size=(20, 3))
    y = (X[:, 0] > 0).astype(int)
    # 3 inputs -> neuron 0 -> neuron 1 (output), plus a skip edge input 2 -> output
    dag = BinaryNetwork.from_edges(3, 2, [(0, 3), (1, 3), (2, 3), (3, 4), (2, 4)], rng=0)
    clf = _clf(scheme="exact", topology=dag, batch_size=3, rounds=3,
               sample_kwargs={"num_reads": 2, "num_sweeps": 200})
    clf.fit(X, y)
    assert clf.network_.n_edges == 5
    assert all("violated_constraints" in row for row in clf.history_)
    assert clf.constraint_violations_ == sum(r["violated_constraints"] for r in clf.history_)
    assert min(clf.qubo_sizes_) > 5  # the exact QUBO carries auxiliaries


def test_default_sampler_is_reference_annealer():
    from emulators.annealing import SimulatedAnnealingSampler as Ref

    rng = np.random.default_rng(2)
    X = rng.choice([-1, 1], size=(30, 4))
    y = (X[:, 1] > 0).astype(int)
    clf = QuboBNNClassifier(hidden_layers=(2,), rounds=2, sample_kwargs=FAST, random_state=0)
    clf.fit(X, y)
    assert isinstance(clf.sampler_, Ref)
    assert clf.sampler is None  # the parameter itself is left untouched


def test_verbose_progress(capsys):
    rng = np.random.default_rng(3)
    X = rng.choice([-1, 1], size=(20, 4))
    y = (X[:, 0] > 0).astype(int)
    _clf(hidden_layers=(2,), verbose=True, rounds=2).fit(X, y)
    assert "QuboBNN rounds" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kw", "exc", "match"),
    [
        ({"scheme": "magic"}, ValueError, "scheme"),
        ({"margin": -1.0}, ValueError, "margin"),
        ({"dropout": 1.0}, ValueError, "dropout"),
        ({"rounds": 0}, ValueError, "rounds"),
        ({"hidden_layers": (0,)}, ValueError, "hidden_layers"),
        ({"hidden_layers": 4}, TypeError, "hidden_layers"),
        ({"sampler": object()}, TypeError, "sampler"),
        ({"sample_kwargs": [1]}, TypeError, "sample_kwargs"),
        ({"penalty": 3.0}, ValueError, "penalty"),
        ({"topology": "64-4-1"}, TypeError, "topology"),
        ({"scheme_options": {"nope": 1}}, ValueError, "scheme_options"),
        ({"scheme_options": {"subsample": 0.0}}, ValueError, "subsample"),
        ({"scheme_options": {"multiclass": "softmax"}}, ValueError, "multiclass"),
        ({"scheme_options": {"init": "ste"}}, ValueError, "init"),
        ({"scheme_options": {"target_flips": 0}}, ValueError, "target_flips"),
        ({"scheme_options": {"class_margin": -1.0}}, ValueError, "class_margin"),
    ],
)
def test_bad_parameters_raise_clear_errors(kw, exc, match):
    X = np.array([[1, -1], [-1, 1], [1, 1], [-1, -1]])
    with pytest.raises(exc, match=match):
        _clf(**kw).fit(X, [0, 1, 0, 1])


def test_bad_data_raise_clear_errors():
    clf = _clf()
    with pytest.raises(ValueError, match="at least two classes"):
        clf.fit(np.ones((3, 2)), [1, 1, 1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(np.ones((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(np.array([[np.nan, 1.0], [0.0, 1.0]]), [0, 1])
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(np.ones((3, 2)), [0.5, 1.5, 2.5])
    fitted = _clf(hidden_layers=(2,), rounds=1).fit(np.array([[1, -1], [-1, 1]]), [0, 1])
    with pytest.raises(ValueError, match="features"):
        fitted.predict(np.ones((2, 3)))


def test_dag_with_unitwise_refused_and_topology_shape_checked():
    dag = BinaryNetwork.from_edges(2, 2, [(0, 2), (1, 2), (2, 3), (1, 3)], rng=0)
    X = np.array([[1, -1], [-1, 1], [1, 1], [-1, -1]])
    with pytest.raises(ValueError, match="layered"):
        _clf(topology=dag).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="inputs"):
        _clf(topology=BinaryNetwork.layered([3, 2, 1], rng=0)).fit(X, [0, 1, 0, 1])


def test_any_dimod_sampler_works():
    rng = np.random.default_rng(4)
    X = rng.choice([-1, 1], size=(16, 3))
    y = (X[:, 2] > 0).astype(int)
    clf = QuboBNNClassifier(hidden_layers=(2,), sampler=dimod.ExactSolver(), rounds=2,
                            sample_kwargs={}, random_state=0).fit(X, y)
    assert clf.sampler_calls_ >= 2


def test_bias_auto_follows_the_inputs():
    """``bias="auto"``: no biases on ±1 (or 0/1) inputs, biases once a feature is real-valued."""
    rng = np.random.default_rng(0)
    pm1 = np.where(rng.random((40, 6)) < 0.5, -1.0, 1.0)
    y = (pm1[:, 0] > 0).astype(int)
    fast = {"num_reads": 1, "num_sweeps": 20}
    clf = QuboBNNClassifier((2,), rounds=1, sample_kwargs=fast, random_state=0)
    assert clf.fit(pm1, y).bias_ is False
    assert not clf.network_.has_bias
    assert clf.fit((pm1 + 1) / 2, y).bias_ is False
    real = pm1 + rng.normal(scale=0.1, size=pm1.shape)
    assert clf.fit(real, y).bias_ is True
    assert clf.network_.has_bias
    assert clf.set_params(bias=False).fit(real, y).bias_ is False
