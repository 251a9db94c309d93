"""The estimators inside scikit-learn's tools (Pipeline, cross_val_score, GridSearchCV), and
the layer-wise head on raw 0..16 digits (issue 17)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from qubo_bnn import LayerwiseQuboClassifier, QuboBNNClassifier, RandomConvFeatures

FAST = {"num_reads": 1, "num_sweeps": 50}


@pytest.fixture(scope="module")
def digits38():
    """150 raw (0..16) 8x8 digits, 3 against 8."""
    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, (3, 8))
    return X[keep][:150], y[keep][:150]


def test_bnn_in_pipeline_and_cross_val_score(digits38):
    X, y = digits38
    pipe = make_pipeline(MinMaxScaler(), QuboBNNClassifier(rounds=3, sample_kwargs=FAST,
                                                           random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8  # chance is 0.5


def test_bnn_in_grid_search(digits38):
    X, y = digits38
    search = GridSearchCV(QuboBNNClassifier(rounds=2, sample_kwargs=FAST, random_state=0),
                          {"hidden_layers": [(2,), (4,)]}, cv=2).fit(X, y)
    assert search.best_params_["hidden_layers"] in [(2,), (4,)]
    assert search.best_estimator_.network_.layer_sizes[1] == search.best_params_[
        "hidden_layers"][0]
    assert search.score(X, y) > 0.8


def test_head_on_conv_features_in_pipeline_cross_val_score_and_grid_search(digits38):
    X, y = digits38
    pipe = make_pipeline(RandomConvFeatures(16, random_state=0),
                         LayerwiseQuboClassifier(4, iterations=3, sample_kwargs=FAST,
                                                 random_state=0))
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.8
    search = GridSearchCV(pipe, {"layerwisequboclassifier__bits": [2, 4]}, cv=2).fit(X, y)
    assert search.best_params_["layerwisequboclassifier__bits"] in (2, 4)
    assert search.best_estimator_[-1].n_features_in_ == 16


@pytest.fixture(scope="module")
def raw_digits_subset():
    """600 raw 0..16 digits, all ten classes, split 70/30 (not stratified, random_state=0)."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X[:600], y[:600], test_size=0.3, random_state=0)


def test_head_standardises_raw_pixels_and_warns_when_it_never_leaves_the_start(
    raw_digits_subset,
):
    Xtr, Xte, ytr, yte = raw_digits_subset
    common = {"iterations": 5, "sample_kwargs": FAST, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        head = LayerwiseQuboClassifier(6, **common).fit(Xtr, ytr)
    assert head.score(Xte, yte) > 0.85
    moved = head.feature_scale_ != 1.0
    assert moved.sum() > 50  # every pixel that is not constant (0) is standardised
    np.testing.assert_allclose(head.feature_mean_[moved], Xtr.mean(0)[moved])
    with pytest.warns(ConvergenceWarning, match="all-zero start.*standardise=True"):
        raw = LayerwiseQuboClassifier(6, standardise=False, **common).fit(Xtr, ytr)
    assert raw.best_iteration_ == 0 and raw.score(Xte, yte) < 0.2


def test_head_standardisation_leaves_unit_scale_features_alone():
    """±1, [0, 1] and standardised features are used exactly as they are (so seeded results
    on them do not change); others are standardised."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=(40, 2))
    X = np.hstack([rng.choice([-1.0, 1.0], size=(40, 3)), rng.random((40, 2)),
                   (z - z.mean(0)) / z.std(0), 5.0 * rng.normal(size=(40, 1))])
    y = (X[:, 0] + X[:, 7] > 0).astype(int)
    head = LayerwiseQuboClassifier(3, iterations=2, sample_kwargs=FAST, random_state=0)
    head.fit(X, y)
    np.testing.assert_array_equal(head.feature_mean_[:7], 0.0)
    np.testing.assert_array_equal(head.feature_scale_[:7], 1.0)
    assert head.feature_mean_[7] == pytest.approx(X[:, 7].mean())
    assert head.feature_scale_[7] == pytest.approx(X[:, 7].std())
    every = LayerwiseQuboClassifier(3, standardise=True, iterations=2).fit(X, y)
    np.testing.assert_allclose(every.feature_mean_, X.mean(0))
    np.testing.assert_allclose(every.feature_scale_, X.std(0))


@pytest.mark.slow
def test_head_defaults_on_raw_digits_reach_093():
    """Issue 17: defaults (seeded) on scikit-learn's raw digits, 70/30 split (``random_state=0``,
    not stratified); the README's example. About 20 s on 2 shared cores."""
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0)
    assert LayerwiseQuboClassifier(random_state=0).fit(Xtr, ytr).score(Xte, yte) >= 0.93


def test_head_takes_image_stacks_through_its_features():
    """The three-d-array tag follows the features transformer (a bad ``features`` object is
    refused by ``fit``, not by the tags)."""
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.utils import get_tags

    flatten = FunctionTransformer(lambda X: np.asarray(X).reshape(len(X), -1))
    assert get_tags(LayerwiseQuboClassifier(features=RandomConvFeatures())).input_tags \
        .three_d_array
    assert not get_tags(LayerwiseQuboClassifier(features=flatten)).input_tags.three_d_array
    assert not get_tags(LayerwiseQuboClassifier(features=object())).input_tags.three_d_array
    images, y = load_digits(return_X_y=True)
    images = images[:60].reshape(-1, 8, 8) / 16.0
    head = LayerwiseQuboClassifier(3, features=RandomConvFeatures(8), iterations=2,
                                   sample_kwargs=FAST, random_state=0).fit(images, y[:60])
    assert head.predict(images).shape == (60,) and head.n_features_in_ == 64
