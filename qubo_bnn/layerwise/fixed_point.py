"""K-bit fixed-point encodings of real weight vectors (DESIGN.md section 6.3).

A weight vector ``w`` of length ``n`` is written with ``K`` bits per entry as

    w = o + E b,    E = blockdiag(Δ_i [1, 2, 4, ..., 2^(K-1)]),

with ``o = centre - r`` and ``Δ = 2 r / (2^K - 1)``: the ``2^K`` grid points of entry ``i`` run
evenly from ``centre_i - r_i`` to ``centre_i + r_i``. Bit ``k`` of entry ``i`` sits at position
``i * K + k`` of the bit vector (least significant bit first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Largest number of bits per weight; keeps grid indices exact in int64 and float64.
MAX_BITS = 52


def _as_float_vector(value, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be array-like of real numbers, got {type(value).__name__}"
        ) from exc
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


@dataclass(frozen=True, eq=False)
class FixedPointGrid:
    """A K-bit fixed-point grid for ``n`` real numbers.

    Parameters
    ----------
    centre:
        Centre of each entry's range, shape ``(n,)``.
    radius:
        Half-width of the range, a positive scalar or shape ``(n,)``.
    bits:
        Bits per entry ``K`` (1 to :data:`MAX_BITS`).
    """

    centre: np.ndarray
    radius: np.ndarray
    bits: int

    def __init__(self, centre, radius, bits: int):
        if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)):
            raise TypeError(f"bits must be an int, got {type(bits).__name__}")
        if not 1 <= int(bits) <= MAX_BITS:
            raise ValueError(f"bits must lie in [1, {MAX_BITS}], got {bits}")
        centre = _as_float_vector(centre, "centre")
        if centre.ndim != 1:
            raise ValueError(f"centre must be a 1-D array, got shape {centre.shape}")
        radius = _as_float_vector(radius, "radius")
        if np.any(radius <= 0):
            raise ValueError("radius must be positive")
        try:
            radius = np.broadcast_to(radius, centre.shape).astype(float)
        except ValueError as exc:
            raise ValueError(
                f"radius of shape {radius.shape} does not match centre of shape {centre.shape}"
            ) from exc
        object.__setattr__(self, "centre", centre.copy())
        object.__setattr__(self, "radius", radius)
        object.__setattr__(self, "bits", int(bits))

    @property
    def size(self) -> int:
        """Number of encoded entries ``n``."""
        return int(self.centre.shape[0])

    @property
    def num_bits(self) -> int:
        """Length of the bit vector, ``n * K``."""
        return self.size * self.bits

    @property
    def levels(self) -> int:
        """Number of grid points per entry, ``2^K``."""
        return 1 << self.bits

    @property
    def step(self) -> np.ndarray:
        """Grid spacing ``Δ = 2 r / (2^K - 1)`` per entry."""
        return 2.0 * self.radius / (self.levels - 1)

    @property
    def offset(self) -> np.ndarray:
        """Lowest grid point ``o = centre - r`` per entry."""
        return self.centre - self.radius

    @property
    def powers(self) -> np.ndarray:
        """Place values ``[1, 2, ..., 2^(K-1)]``."""
        return np.ldexp(1.0, np.arange(self.bits))

    @property
    def scales(self) -> np.ndarray:
        """Value of every bit, ``Δ_i 2^k`` at position ``i*K + k`` (the nonzeros of ``E``)."""
        return np.outer(self.step, self.powers).ravel()

    def matrix(self) -> np.ndarray:
        """The dense encoding matrix ``E`` of shape ``(n, n*K)``."""
        e = np.zeros((self.size, self.num_bits))
        rows = np.repeat(np.arange(self.size), self.bits)
        e[rows, np.arange(self.num_bits)] = self.scales
        return e

    def decode(self, bits) -> np.ndarray:
        """Weights ``o + E b`` for bit vectors ``b`` of shape ``(..., n*K)``."""
        b = np.asarray(bits)
        if b.shape[-1:] != (self.num_bits,):
            raise ValueError(
                f"bits must have last dimension {self.num_bits}, got shape {b.shape}"
            )
        if not np.all((b == 0) | (b == 1)):
            raise ValueError("bits must contain only 0 and 1")
        ints = b.reshape(*b.shape[:-1], self.size, self.bits).astype(float) @ self.powers
        return self.offset + ints * self.step

    def index(self, values) -> np.ndarray:
        """Integer grid index (0 .. 2^K - 1) nearest to each value, clipped to the range."""
        v = self._check_values(values)
        m = np.rint((v - self.offset) / self.step)
        return np.clip(m, 0, self.levels - 1).astype(np.int64)

    def encode(self, values) -> np.ndarray:
        """Bits of the grid point nearest to ``values`` (shape ``(..., n)``), clipped to range."""
        m = self.index(values)
        shifts = np.arange(self.bits, dtype=np.int64)
        b = (m[..., None] >> shifts) & 1
        return b.reshape(*m.shape[:-1], self.num_bits).astype(np.int8)

    def quantise(self, values) -> np.ndarray:
        """The grid point nearest to ``values`` (``decode(encode(values))``)."""
        return self.offset + self.index(values) * self.step

    def _check_values(self, values) -> np.ndarray:
        v = np.asarray(values, dtype=float)
        if v.shape[-1:] != (self.size,):
            raise ValueError(f"values must have last dimension {self.size}, got shape {v.shape}")
        if not np.all(np.isfinite(v)):
            raise ValueError("values must be finite")
        return v


def grid_on_point(point, radius, bits: int) -> FixedPointGrid:
    """A grid of half-width ``radius`` around ``point`` that contains ``point`` exactly.

    With an odd number of intervals (``2^K - 1``) a grid centred on ``point`` never contains it;
    this one is centred half a step above, so ``point`` is grid index ``2^(K-1) - 1``
    (our choice: it makes the current iterate representable, see
    :mod:`qubo_bnn.layerwise.formulation`).
    """
    point = _as_float_vector(point, "point")
    if point.ndim != 1:
        raise ValueError(f"point must be a 1-D array, got shape {point.shape}")
    radius_arr = _as_float_vector(radius, "radius")
    if np.any(radius_arr <= 0):
        raise ValueError("radius must be positive")
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)):
        raise TypeError(f"bits must be an int, got {type(bits).__name__}")
    if not 1 <= int(bits) <= MAX_BITS:
        raise ValueError(f"bits must lie in [1, {MAX_BITS}], got {bits}")
    step = 2.0 * radius_arr / ((1 << int(bits)) - 1)
    return FixedPointGrid(point + 0.5 * step, radius_arr, int(bits))
