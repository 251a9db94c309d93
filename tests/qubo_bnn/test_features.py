"""Tests of the frozen random convolutional features (qubo_bnn.layerwise.features)."""

import numpy as np
import pytest
from scipy.signal import correlate2d
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from qubo_bnn.layerwise.features import RandomConvFeatures


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(1)
    return rng.random((40, 8, 8))


@pytest.mark.parametrize("d", [1, 5, 16, 30])
def test_output_has_the_chosen_dimension(images, d):
    z = RandomConvFeatures(d).fit(images).transform(images)
    assert z.shape == (40, d)
    assert np.all(np.isfinite(z))


@pytest.mark.parametrize("pooling", ["max", "mean"])
def test_features_are_pooled_relu_responses_of_the_filters(images, pooling):
    f = RandomConvFeatures(8, kernel_size=3, pool_grid=2, pooling=pooling, standardise=False)
    z = f.fit(images).transform(images[:3])
    reduce = np.max if pooling == "max" else np.mean
    for n in range(3):
        for j in range(8):
            filt, cell = divmod(j, 4)
            response = np.maximum(correlate2d(images[n], f.filters_[filt], mode="valid"), 0)
            r, c = divmod(cell, 2)
            block = response[3 * r : 3 * r + 3, 3 * c : 3 * c + 3]  # 6x6 map, 2x2 grid
            assert z[n, j] == pytest.approx(reduce(block), rel=1e-5, abs=1e-6)


def test_standardisation_is_fitted_on_training_data_only(images):
    train, test = images[:30], images[30:]
    z_train = RandomConvFeatures(12, random_state=3).fit(train).transform(train)
    np.testing.assert_allclose(z_train.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(z_train.std(axis=0), 1, atol=1e-6)
    raw = RandomConvFeatures(12, random_state=3, standardise=False).fit(train)
    raw_train, raw_test = raw.transform(train), raw.transform(test)
    expected = (raw_test - raw_train.mean(axis=0)) / raw_train.std(axis=0)
    z_test = RandomConvFeatures(12, random_state=3).fit(train).transform(test)
    np.testing.assert_allclose(z_test, expected, rtol=1e-6, atol=1e-6)


def test_filters_are_seeded_frozen_and_zero_mean(images):
    a = RandomConvFeatures(10, random_state=5).fit(images)
    b = RandomConvFeatures(10, random_state=5).fit(images[::-1])
    c = RandomConvFeatures(10, random_state=6).fit(images)
    np.testing.assert_array_equal(a.filters_, b.filters_)
    assert not np.allclose(a.filters_, c.filters_)
    np.testing.assert_allclose(a.filters_.sum(axis=(1, 2)), 0, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(a.filters_, axis=(1, 2)), 1, rtol=1e-6)


def test_flat_and_image_inputs_agree_and_batching_does_not_matter(images):
    flat = images.reshape(40, 64)
    a = RandomConvFeatures(9).fit(images).transform(images)
    b = RandomConvFeatures(9, batch_size=7).fit(flat).transform(flat)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    rect = RandomConvFeatures(4, image_shape=(4, 16)).fit(flat)
    assert rect.transform(flat).shape == (40, 4)


def test_sklearn_conventions(images):
    f = RandomConvFeatures(6, kernel_size=2)
    assert clone(f).get_params()["kernel_size"] == 2
    with pytest.raises(NotFittedError):
        f.transform(images)


@pytest.mark.parametrize(
    ("params", "x", "error", "match"),
    [
        ({"n_features": 0}, None, ValueError, "n_features"),
        ({"n_features": 2.5}, None, TypeError, "n_features"),
        ({"pooling": "median"}, None, ValueError, "pooling"),
        ({"kernel_size": 9}, None, ValueError, "kernel_size"),
        ({"pool_grid": 7}, None, ValueError, "pool_grid"),
        ({}, np.zeros((3, 10)), ValueError, "image_shape"),
        ({"image_shape": (3, 3)}, np.zeros((3, 10)), ValueError, "image_shape"),
        ({}, np.zeros((3,)), ValueError, "Expected 2D array"),
    ],
)
def test_bad_arguments_are_named(images, params, x, error, match):
    with pytest.raises(error, match=match):
        RandomConvFeatures(**params).fit(images if x is None else x)


def test_transform_refuses_other_image_shapes(images):
    f = RandomConvFeatures(4).fit(images)
    with pytest.raises(ValueError, match="fitted on"):
        f.transform(np.zeros((2, 9, 9)))
