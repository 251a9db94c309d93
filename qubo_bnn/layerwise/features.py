"""Frozen random convolutional features for the layer-wise head (DESIGN.md section 6.3).

Images go through ``n_filters`` random ``kernel_size`` × ``kernel_size`` filters (valid
convolution, seeded, never trained), a ReLU, and adaptive pooling onto a ``pool_grid`` ×
``pool_grid`` grid per filter; the first ``n_features`` pooled values (filter-major order) are
kept and standardised with a mean and scale fitted on the training data only.

Inputs: a 3-D stack of images ``(n, h, w)``, or flat images ``(n, h * w)``, read with
``image_shape``; without it a square ``h = w`` when the width is a perfect square, else one row
of pixels (``1 × width``, which needs ``kernel_size=1``). scikit-learn's conventions hold:
parameters checked against ``_parameter_constraints`` when ``fit`` starts, flat inputs
validated by :func:`sklearn.utils.validation.validate_data` (``n_features_in_`` counts pixels),
``NotFittedError`` before ``fit``, output names ``randomconvfeatures0``, ... from
``get_feature_names_out``.
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

_POOLINGS = ("max", "mean")


def _pool_edges(length: int, cells: int) -> np.ndarray:
    """Start index of each of ``cells`` nearly equal, non-empty segments of ``range(length)``."""
    return np.linspace(0, length, cells + 1)[:-1].round().astype(np.intp)


class RandomConvFeatures(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Random frozen conv filters + ReLU + pooling + standardisation, to ``n_features`` columns.

    Parameters (all but ``n_features`` keyword-only)
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
        ``(height, width)`` of the images when ``X`` is given flat; ``None``: a square, or one
        row when the width is not a perfect square.
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
    image_shape_:
        ``(height, width)`` of the training images.
    n_features_in_:
        Pixels per image; ``feature_names_in_`` too, for a pandas input.
    n_features_out_:
        Output columns.
    """

    _parameter_constraints: dict = {
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "pool_grid": [Interval(Integral, 1, None, closed="left")],
        "pooling": [StrOptions(set(_POOLINGS))],
        "image_shape": [tuple, None],
        "standardise": ["boolean"],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------------ inputs
    def _images(self, X, *, reset: bool) -> np.ndarray:
        """``X`` as a float32 ``(n, h, w)`` stack, validated (``reset``: fitting)."""
        shape = None
        if not hasattr(X, "ndim"):  # lists and other array-likes
            X = np.asarray(X)
        if X.ndim == 3:
            shape = X.shape[1:]
            self._check_image_shape(shape, reset)
            X = X.reshape(X.shape[0], -1)
        flat = validate_data(self, X, reset=reset, dtype=np.float32)
        if shape is None:
            shape = self._flat_shape(flat.shape[1])
            self._check_image_shape(shape, reset)
        k = self.kernel_size
        if shape[0] < k or shape[1] < k:
            hint = "" if self.image_shape is not None else "; pass image_shape=(height, width)"
            raise ValueError(
                f"images of shape {shape} are smaller than kernel_size={k}{hint}"
            )
        out_h, out_w = shape[0] - k + 1, shape[1] - k + 1
        if out_h < self.pool_grid or out_w < self.pool_grid:
            raise ValueError(
                f"response maps of shape {(out_h, out_w)} are smaller than "
                f"pool_grid={self.pool_grid}"
            )
        return flat.reshape(flat.shape[0], *shape)

    def _check_image_shape(self, shape: tuple[int, ...], reset: bool) -> None:
        if not reset and tuple(shape) != self.image_shape_:
            raise ValueError(f"X holds images of shape {shape}, fitted on {self.image_shape_}")

    def _flat_shape(self, width: int) -> tuple[int, int]:
        """``(h, w)`` of flat images ``width`` pixels wide (see the module docstring)."""
        if self.image_shape is not None:
            shape = tuple(int(s) for s in self.image_shape)
            if len(shape) != 2 or shape[0] * shape[1] != width:
                raise ValueError(f"image_shape {self.image_shape} does not match {width} columns")
            return shape
        side = math.isqrt(width)
        return (side, side) if side * side == width else (1, width)

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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None) -> RandomConvFeatures:
        """Draw the filters and fit the standardisation on the training images ``X``."""
        images = self._images(X, reset=True)
        rng = np.random.default_rng(self.random_state)
        n_filters = math.ceil(self.n_features / self.pool_grid**2)
        filters = rng.standard_normal((n_filters, self.kernel_size, self.kernel_size))
        if self.kernel_size > 1:  # zero-mean filters respond to edges, not brightness
            filters -= filters.mean(axis=(1, 2), keepdims=True)
        filters /= np.linalg.norm(filters, axis=(1, 2), keepdims=True)
        self.filters_ = filters.astype(np.float32)
        self.image_shape_ = tuple(images.shape[1:])
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

    @property
    def _n_features_out(self) -> int:
        """Output width, for ``get_feature_names_out``."""
        return self.n_features_out_

    def transform(self, X) -> np.ndarray:
        """Features of ``X``, shape ``(n_samples, n_features)``."""
        check_is_fitted(self, "filters_")
        images = self._images(X, reset=False)
        return (self._raw_features(images) - self.mean_) / self.scale_
