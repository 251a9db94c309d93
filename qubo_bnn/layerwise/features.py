"""Frozen random convolutional features for the layer-wise head (DESIGN.md section 6.3).

Images go through ``n_filters`` random ``kernel_size`` × ``kernel_size`` filters (valid
convolution, seeded, never trained), a ReLU, and adaptive pooling onto a ``pool_grid`` ×
``pool_grid`` grid per filter; the first ``n_features`` pooled values (filter-major order) are
kept and standardised with a mean and scale fitted on the training data only.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

_POOLINGS = ("max", "mean")


def _check_int(value, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def _pool_edges(length: int, cells: int) -> np.ndarray:
    """Start index of each of ``cells`` nearly equal, non-empty segments of ``range(length)``."""
    return np.linspace(0, length, cells + 1)[:-1].round().astype(np.intp)


class RandomConvFeatures(TransformerMixin, BaseEstimator):
    """Random frozen conv filters + ReLU + pooling + standardisation, to ``n_features`` columns.

    Parameters
    ----------
    n_features:
        Output dimension ``d``. The number of filters is ``ceil(d / pool_grid**2)``.
    kernel_size:
        Side of the square filters.
    pool_grid:
        Each filter's response map is pooled onto a ``pool_grid`` × ``pool_grid`` grid.
    pooling:
        ``"max"`` or ``"mean"`` pooling.
    image_shape:
        ``(height, width)`` of the images when ``X`` is given flat; ``None`` infers a square.
    standardise:
        Subtract the training mean and divide by the training standard deviation.
    random_state:
        Seed of the filters (an int or ``None``).
    batch_size:
        Images convolved at once (bounds memory).

    Attributes
    ----------
    filters_:
        The frozen filters, shape ``(n_filters, kernel_size, kernel_size)``.
    mean_, scale_:
        Standardisation fitted on the training features.
    """

    def __init__(
        self,
        n_features: int = 64,
        *,
        kernel_size: int = 3,
        pool_grid: int = 2,
        pooling: str = "max",
        image_shape: tuple[int, int] | None = None,
        standardise: bool = True,
        random_state: int | None = 0,
        batch_size: int = 512,
    ):
        self.n_features = n_features
        self.kernel_size = kernel_size
        self.pool_grid = pool_grid
        self.pooling = pooling
        self.image_shape = image_shape
        self.standardise = standardise
        self.random_state = random_state
        self.batch_size = batch_size

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        _check_int(self.n_features, "n_features", 1)
        _check_int(self.kernel_size, "kernel_size", 1)
        _check_int(self.pool_grid, "pool_grid", 1)
        _check_int(self.batch_size, "batch_size", 1)
        if self.pooling not in _POOLINGS:
            raise ValueError(f"pooling must be one of {_POOLINGS}, got {self.pooling!r}")

    def _images(self, X) -> np.ndarray:
        try:
            arr = np.asarray(X, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise TypeError("X must be a numeric array of images") from exc
        if arr.ndim == 3:
            images = arr
        elif arr.ndim == 2:
            if self.image_shape is None:
                side = math.isqrt(arr.shape[1])
                if side * side != arr.shape[1]:
                    raise ValueError(
                        f"X has {arr.shape[1]} columns, not a square image: pass image_shape"
                    )
                shape = (side, side)
            else:
                shape = tuple(int(s) for s in self.image_shape)
                if len(shape) != 2 or shape[0] * shape[1] != arr.shape[1]:
                    raise ValueError(
                        f"image_shape {self.image_shape} does not match {arr.shape[1]} columns"
                    )
            images = arr.reshape(arr.shape[0], *shape)
        else:
            raise ValueError(f"X must be 2-D (flat images) or 3-D, got shape {arr.shape}")
        if images.shape[0] == 0:
            raise ValueError("X has no samples")
        if not np.all(np.isfinite(images)):
            raise ValueError("X must be finite")
        k = self.kernel_size
        if images.shape[1] < k or images.shape[2] < k:
            raise ValueError(f"images of shape {images.shape[1:]} are smaller than kernel_size={k}")
        out_h, out_w = images.shape[1] - k + 1, images.shape[2] - k + 1
        if out_h < self.pool_grid or out_w < self.pool_grid:
            raise ValueError(
                f"response maps of shape {(out_h, out_w)} are smaller than "
                f"pool_grid={self.pool_grid}"
            )
        return images

    # ------------------------------------------------------------------ features
    def _raw_features(self, images: np.ndarray) -> np.ndarray:
        k, g = self.kernel_size, self.pool_grid
        kernels = self.filters_.reshape(self.filters_.shape[0], k * k).T  # (k*k, F)
        out_h, out_w = images.shape[1] - k + 1, images.shape[2] - k + 1
        rows, cols = _pool_edges(out_h, g), _pool_edges(out_w, g)
        reduce = np.maximum if self.pooling == "max" else np.add
        chunks = []
        for start in range(0, images.shape[0], self.batch_size):
            batch = images[start : start + self.batch_size]
            windows = np.lib.stride_tricks.sliding_window_view(batch, (k, k), axis=(1, 2))
            maps = windows.reshape(*windows.shape[:3], k * k) @ kernels  # (B, H, W, F)
            np.maximum(maps, 0.0, out=maps)
            pooled = reduce.reduceat(reduce.reduceat(maps, rows, axis=1), cols, axis=2)
            if self.pooling == "mean":
                heights = np.diff(np.append(rows, out_h))[:, None]
                widths = np.diff(np.append(cols, out_w))[None, :]
                pooled = pooled / (heights * widths)[None, :, :, None]
            # filter-major order: all cells of filter 0, then filter 1, ...
            chunks.append(pooled.transpose(0, 3, 1, 2).reshape(batch.shape[0], -1))
        return np.concatenate(chunks)[:, : self.n_features].astype(float)

    def fit(self, X, y=None) -> RandomConvFeatures:
        """Draw the filters and fit the standardisation on the training images ``X``."""
        self._check_params()
        images = self._images(X)
        rng = np.random.default_rng(self.random_state)
        n_filters = math.ceil(self.n_features / self.pool_grid**2)
        filters = rng.standard_normal((n_filters, self.kernel_size, self.kernel_size))
        if self.kernel_size > 1:  # zero-mean filters respond to edges, not brightness
            filters -= filters.mean(axis=(1, 2), keepdims=True)
        filters /= np.linalg.norm(filters, axis=(1, 2), keepdims=True)
        self.filters_ = filters.astype(np.float32)
        self.image_shape_ = images.shape[1:]
        raw = self._raw_features(images)
        if self.standardise:
            self.mean_ = raw.mean(axis=0)
            scale = raw.std(axis=0)
            self.scale_ = np.where(scale > 1e-12, scale, 1.0)
        else:
            self.mean_ = np.zeros(raw.shape[1])
            self.scale_ = np.ones(raw.shape[1])
        self.n_features_out_ = raw.shape[1]
        return self

    def transform(self, X) -> np.ndarray:
        """Features of ``X``, shape ``(n_samples, n_features)``."""
        check_is_fitted(self, "filters_")
        images = self._images(X)
        if images.shape[1:] != self.image_shape_:
            raise ValueError(
                f"X holds images of shape {images.shape[1:]}, fitted on {self.image_shape_}"
            )
        return (self._raw_features(images) - self.mean_) / self.scale_
