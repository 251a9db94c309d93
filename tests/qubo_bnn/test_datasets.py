"""Binarised data sets: embedded digits (used by tests) and clear offline errors for OpenML."""

import urllib.error

import numpy as np
import pytest
import sklearn.datasets

from qubo_bnn import datasets
from qubo_bnn.datasets import (
    DatasetUnavailableError,
    binarise_images,
    load_digits_binary,
    load_mnist_binary,
    one_hot_pm1,
)


def test_two_class_digits():
    d = load_digits_binary(classes=(3, 8), size=8, seed=0)
    assert d.X_train.dtype == np.int8 and d.X_train.shape[1] == 64
    assert set(np.unique(d.X_train)) <= {-1, 1}
    assert set(np.unique(d.y_train)) == {-1, 1}
    digits = sklearn.datasets.load_digits()
    n = int(np.isin(digits.target, (3, 8)).sum())
    assert len(d.y_train) + len(d.y_test) == n
    assert len(d.y_test) == pytest.approx(0.3 * n, abs=1)
    X_tr, X_te, y_tr, y_te = d  # unpackable
    assert X_tr is d.X_train and y_te is d.y_test


def test_labels_follow_classes_order():
    digits = sklearn.datasets.load_digits()
    d = load_digits_binary(classes=(8, 3), test_size=0.5, seed=1)
    # every train image must appear in the raw data with the right digit
    raw = binarise_images(digits.images, scale=16.0)
    lookup = {row.tobytes(): t for row, t in zip(raw, digits.target, strict=True)}
    for x, y in zip(d.X_train[:40], d.y_train[:40], strict=True):
        assert lookup[x.tobytes()] == (3 if y == 1 else 8)


def test_seed_changes_split_and_is_reproducible():
    a = load_digits_binary(seed=0)
    b = load_digits_binary(seed=0)
    c = load_digits_binary(seed=1)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, c.X_train)


def test_downsample_is_block_mean_then_threshold():
    imgs = np.zeros((1, 8, 8))
    imgs[0, :2, :2] = [[16, 16], [0, 0]]  # mean 8/16 = 0.5 -> +1
    imgs[0, :2, 2:4] = [[16, 0], [0, 0]]  # mean 0.25 -> -1
    out = binarise_images(imgs, scale=16.0, size=4)
    assert out.shape == (1, 16)
    assert out[0, 0] == 1 and out[0, 1] == -1
    d = load_digits_binary(size=4)
    assert d.X_train.shape[1] == 16 and d.image_shape == (4, 4)
    with pytest.raises(ValueError, match="size"):
        load_digits_binary(size=3)


def test_all_ten_classes_and_one_hot():
    d = load_digits_binary(classes=None, size=4)
    assert d.n_classes == 10
    assert set(np.unique(d.y_train)) == set(range(10))
    Y = one_hot_pm1(d.y_train, 10)
    assert Y.shape == (len(d.y_train), 10)
    assert (Y.sum(axis=1) == -8).all()
    np.testing.assert_array_equal(np.argmax(Y, axis=1), d.y_train)
    with pytest.raises(ValueError, match="labels"):
        one_hot_pm1([0, 10], 10)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"classes": (3,)}, "at least two"), ({"classes": (3, 11)}, "not in the data set"),
     ({"test_size": 1.5}, "test_size"), ({"threshold": 2.0}, "threshold")],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_digits_binary(**kwargs)


def test_offline_openml_raises_clear_error(monkeypatch, tmp_path):
    def fail(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(datasets.sklearn.datasets, "fetch_openml", fail)
    monkeypatch.setenv("ISINGBENCH_CACHE", str(tmp_path))
    with pytest.raises(DatasetUnavailableError, match="mnist_784") as info:
        load_mnist_binary(classes=(0, 1))
    msg = str(info.value)
    assert str(tmp_path) in msg and "ISINGBENCH_CACHE" in msg and "load_digits_binary" in msg


def test_openml_loader_processing(monkeypatch, tmp_path):
    """A fake OpenML bunch: standard split, class filter and binarisation."""
    n = 60_010
    data = np.broadcast_to(np.tile([0.0, 255.0], 392), (n, 784))  # no large allocation
    target = (np.arange(n) % 10).astype(str)
    seen = {}

    def fake(name, **kwargs):
        seen["name"], seen["home"] = name, kwargs["data_home"]
        return sklearn.utils.Bunch(data=data, target=target)

    monkeypatch.setattr(datasets.sklearn.datasets, "fetch_openml", fake)
    d = datasets.load_fashion_mnist_binary(
        classes=(2, 7), size=7, n_train=50, data_home=tmp_path
    )
    assert seen == {"name": "Fashion-MNIST", "home": str(tmp_path)}
    assert d.X_train.shape == (50, 49) and d.X_test.shape == (2, 49)
    assert set(np.unique(d.y_train)) <= {-1, 1}
    # 4x4 blocks over alternating 0/255 columns average to 0.5, which maps to +1
    assert (d.X_train == 1).all()
    assert np.array_equal(np.unique(d.y_test), [-1, 1])
