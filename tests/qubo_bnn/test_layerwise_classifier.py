"""Tests of LayerwiseQuboClassifier and its batch solving (qubo_bnn.layerwise.classifier)."""

import dimod
import numpy as np
import pytest
from dwave.samplers import SimulatedAnnealingSampler
from sklearn.base import clone

from qubo_bnn.layerwise.classifier import LayerwiseQuboClassifier
from qubo_bnn.layerwise.features import RandomConvFeatures
from qubo_bnn.layerwise.formulation import LayerwiseProblem
from qubo_bnn.sampling import default_sampler, solve_batch


def blobs(seed=0, n=60, d=2, c=3, spread=0.6):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % c
    x = 2.0 * rng.normal(size=(c, d))[y] + spread * rng.normal(size=(n, d))
    return x, y


class BatchRecorder(dimod.Sampler):
    """ExactSolver with a ``sample_batch`` method that records its calls."""

    parameters = {}
    properties = {}

    def __init__(self):
        self.batch_calls = 0
        self.sample_calls = 0

    def sample(self, bqm, **kwargs):
        self.sample_calls += 1
        return dimod.ExactSolver().sample(bqm)

    def sample_batch(self, bqms, **kwargs):
        self.batch_calls += 1
        return [dimod.ExactSolver().sample(b) for b in bqms]


class WorstSampler(dimod.Sampler):
    """Returns the all-ones assignment: the top of every range, usually a bad step."""

    parameters = {}
    properties = {}

    def sample(self, bqm, **kwargs):
        return dimod.SampleSet.from_samples_bqm([dict.fromkeys(bqm.variables, 1)], bqm)


@pytest.mark.parametrize("guard", [True, False])
def test_exact_solves_never_increase_cross_entropy(guard):
    x, y = blobs(1)
    clf = LayerwiseQuboClassifier(3, iterations=8, sampler=dimod.ExactSolver(), radius=1.0,
                                  shrink=0.8, ridge=0.0, guard=guard, tol=0.0)
    clf.fit(x, y)
    ce = [h["cross_entropy"] for h in clf.history_]
    start = np.log(3)  # all-zero head
    assert np.all(np.diff([start, *ce]) <= 1e-12)
    assert ce[-1] < start - 0.3
    # with exact solves the guard never has to keep a class
    assert all(h["kept_classes"] == 0 for h in clf.history_)
    assert clf.score(x, y) > 0.8


def test_history_matches_the_weights_it_reports():
    x, y = blobs(2)
    clf = LayerwiseQuboClassifier(3, iterations=3, sampler=dimod.ExactSolver(), ridge=0.01,
                                  tol=0.0).fit(x, y)
    problem = LayerwiseProblem((x - clf.feature_mean_) / clf.feature_scale_, y, ridge=0.01)
    weights = np.hstack([clf.coef_, clf.intercept_[:, None]])
    assert clf.best_iteration_ == clf.n_iter_ == 3
    last = clf.history_[-1]
    assert last["objective"] == pytest.approx(problem.objective(weights))
    assert last["cross_entropy"] == pytest.approx(problem.cross_entropy(weights))
    assert last["objective"] <= last["surrogate"] + 1e-12
    assert last["train_accuracy"] == pytest.approx(clf.score(x, y))
    assert [h["radius"] for h in clf.history_] == pytest.approx([0.5, 0.45, 0.405])


def test_guard_keeps_weights_when_the_sampler_is_bad():
    x, y = blobs(3)
    guarded = LayerwiseQuboClassifier(4, iterations=4, sampler=WorstSampler(), tol=0.0,
                                      patience=10).fit(x, y)
    assert all(h["objective"] <= np.log(3) + 1e-12 for h in guarded.history_)
    assert sum(h["kept_classes"] for h in guarded.history_) > 0
    raw = LayerwiseQuboClassifier(4, iterations=4, sampler=WorstSampler(), guard=False,
                                  tol=0.0, patience=10).fit(x, y)
    objectives = [h["objective"] for h in raw.history_]
    assert max(objectives) > np.log(3)  # unguarded steps can go uphill ...
    best = min(range(4), key=objectives.__getitem__)
    # ... and the classifier keeps the best iterate (0 is the all-zero start)
    assert raw.best_iteration_ == (best + 1 if objectives[best] < np.log(3) else 0)


def test_stops_when_the_surrogate_stops_improving():
    x, y = blobs(4)
    clf = LayerwiseQuboClassifier(2, iterations=50, sampler=dimod.ExactSolver(), radius=1e-3,
                                  min_radius=1e-3, tol=1.0, patience=2).fit(x, y)
    assert clf.n_iter_ == 2


def test_batch_modes_agree_and_sample_batch_is_used():
    x, y = blobs(5)
    common = dict(iterations=3, tol=0.0, ridge=0.0)
    recorder = BatchRecorder()
    auto = LayerwiseQuboClassifier(3, sampler=recorder, **common).fit(x, y)
    assert recorder.batch_calls == 3 and recorder.sample_calls == 0
    loop = LayerwiseQuboClassifier(3, sampler=recorder, batch="loop", **common).fit(x, y)
    assert recorder.sample_calls == 9
    np.testing.assert_allclose(auto.coef_, loop.coef_)
    # union of two classes' 6-bit QUBOs: 12 variables, still exactly solvable
    x2, y2 = blobs(5, c=2)
    union = LayerwiseQuboClassifier(2, sampler=dimod.ExactSolver(), batch="union",
                                    **common).fit(x2, y2)
    separate = LayerwiseQuboClassifier(2, sampler=dimod.ExactSolver(), **common).fit(x2, y2)
    np.testing.assert_allclose(union.coef_, separate.coef_)
    # the form handed to the sampler does not change the result
    for vartype in ("BINARY", None):
        other = LayerwiseQuboClassifier(2, sampler=dimod.ExactSolver(), sample_vartype=vartype,
                                        **common).fit(x2, y2)
        np.testing.assert_allclose(other.coef_, separate.coef_)


def test_solve_batch_orders_columns_by_label_and_passes_distinct_seeds():
    bqms = [dimod.BinaryQuadraticModel({1: 1.0, 0: -1.0}, {}, 0.0, dimod.BINARY),
            dimod.BinaryQuadraticModel({0: 1.0, 1: -1.0, 2: -1.0}, {}, 0.0, dimod.BINARY)]
    seen = []

    class SeedSpy(dimod.Sampler):
        parameters = {"seed": []}
        properties = {}

        def sample(self, bqm, **kwargs):
            seen.append(kwargs["seed"])
            return dimod.ExactSolver().sample(bqm).lowest()

    reads = solve_batch(SeedSpy(), bqms, {}, seed=3)
    assert [r[0].tolist() for r in reads] == [[1, 0], [0, 1, 1]]
    assert len(set(seen)) == 2
    with pytest.raises(ValueError, match="batch"):
        solve_batch(SeedSpy(), bqms, {}, batch="parallel")
    with pytest.raises(ValueError, match="vartype"):
        solve_batch(SeedSpy(), bqms, {}, vartype="INTEGER")
    with pytest.raises(ValueError, match="empty"):
        solve_batch(SeedSpy(), [], {})


def test_simulated_annealing_learns_string_labels_with_features():
    rng = np.random.default_rng(0)
    images = np.zeros((60, 6, 6))
    images[:30, :, :3] = 1.0  # left half bright
    images[30:, :, 3:] = 1.0  # right half bright
    images += 0.3 * rng.random(images.shape)
    labels = np.array(["left"] * 30 + ["right"] * 30)
    clf = LayerwiseQuboClassifier(
        6, features=RandomConvFeatures(4, kernel_size=2), iterations=5,
        sampler=SimulatedAnnealingSampler(), sample_kwargs={"num_reads": 2, "num_sweeps": 100},
        random_state=0,
    ).fit(images, labels)
    assert list(clf.classes_) == ["left", "right"]
    assert clf.score(images, labels) == 1.0
    proba = clf.predict_proba(images)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.coef_.shape == (2, 4) and clf.intercept_.shape == (2,)
    assert clone(clf).get_params()["bits"] == 6


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"bits": 0}, ValueError, "bits"),
        ({"bits": "4"}, TypeError, "bits"),
        ({"iterations": 0}, ValueError, "iterations"),
        ({"shrink": 1.5}, ValueError, "shrink"),
        ({"radius": -1.0}, ValueError, "radius"),
        ({"batch": "parallel"}, ValueError, "batch"),
        ({"sample_vartype": "INTEGER"}, ValueError, "sample_vartype"),
        ({"sampler": object()}, TypeError, "sampler"),
        ({"features": object()}, TypeError, "features"),
        ({"sample_kwargs": [1]}, TypeError, "sample_kwargs"),
    ],
)
def test_bad_parameters_are_named(params, error, match):
    x, y = blobs()
    with pytest.raises(error, match=match):
        LayerwiseQuboClassifier(**{"sampler": dimod.ExactSolver(), **params}).fit(x, y)


def test_bad_data_is_refused():
    x, y = blobs()
    clf = LayerwiseQuboClassifier(2, sampler=dimod.ExactSolver(), iterations=1)
    with pytest.raises(ValueError, match="two classes"):
        clf.fit(x, np.zeros(len(x), dtype=int))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(x, y[:-1])
    clf.fit(x, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(np.zeros((3, 5)))


def test_default_sampler_is_the_reference_annealer():
    from emulators.annealing import SimulatedAnnealingSampler as Reference

    x, y = blobs(6)
    clf = LayerwiseQuboClassifier(4, iterations=2, sample_kwargs={"num_reads": 2,
                                                                  "num_sweeps": 50},
                                  random_state=1)
    clf.fit(x, y)
    assert clf.sampler is None and clf.n_iter_ == 2
    assert isinstance(default_sampler(), Reference)
    again = clone(clf).fit(x, y)  # seeded sampler calls: reproducible
    np.testing.assert_array_equal(again.coef_, clf.coef_)
