"""Lossless kernel storage for a spin model: exact integers when possible, float64 otherwise.

:func:`kernel_model` looks for the smallest power of two ``2**k`` (``k <= MAX_SHIFT``) that
turns every coefficient (``h`` and ``J``) into an integer. Scaling by a power of two is exact
in floating point, so when one exists the kernel works on integers — couplings as int8, int16
or int32 (the narrowest that holds the largest ``|J|``) and local fields as int16, int32 or
int64 (the narrowest that holds ``max_i |h_i| + sum_j |J_ij|``) — and the inverse
temperature is divided by ``2**k``. Nothing is rounded: a model that does not fit these rules
(non-dyadic coefficients such as 0.1, or magnitudes too large) is kept in float64. Narrow
integers make the dense row update of an accepted flip cheap (more lanes per SIMD
instruction, less memory traffic).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from emulators._core.arrays import IsingArrays
from emulators.annealing.kernels_cpu import init_fields

__all__ = ["MAX_SHIFT", "KernelModel", "kernel_model"]

#: Largest power-of-two exponent tried when looking for integer coefficients.
MAX_SHIFT = 24
#: Integer storage requires field magnitudes up to this bound (exact in float64 and int64).
_MAX_INT_FIELD = 2.0**52
#: Largest lookup table of acceptance probabilities (entries per read).
_TABLE_LIMIT = 1 << 14


@njit(cache=True)
def _dyadic_shift(values, max_shift):
    """Smallest ``k <= max_shift`` with every ``values * 2**k`` integral, or -1."""
    k = 0
    scale = 1.0
    for v in values:
        x = v * scale
        while x != np.floor(x):
            k += 1
            if k > max_shift:
                return -1
            scale *= 2.0
            x = v * scale
    return k


@njit(cache=True)
def _dense_scan(dense):
    """Row sums of ``|J|`` and the smallest non-zero ``|J_ij|`` (inf if none)."""
    n = dense.shape[0]
    out = np.zeros(n)
    smallest = np.inf
    for i in range(n):
        acc = 0.0
        for j in range(n):
            a = abs(dense[i, j])
            acc += a
            if 0.0 < a < smallest:
                smallest = a
        out[i] = acc
    return out, smallest


def _int_dtype(bound: float, choices: tuple[type, ...]) -> np.dtype | None:
    for dtype in choices:
        if bound <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return None


@dataclass(frozen=True)
class KernelModel:
    """A spin model in the form the kernels take.

    ``scale`` maps model energies to kernel energies (kernel = model × scale, a power of two;
    1 for float storage); ``offset`` is the model's constant (model units);
    ``field_bound`` bounds ``|f_i|`` in kernel units; ``smallest_coefficient`` is the smallest
    non-zero ``|h_i|`` or ``|J_ij|`` in model units (inf when every coefficient is zero).
    """

    dense: bool
    J: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    h: np.ndarray
    field_dtype: np.dtype
    scale: float
    offset: float
    field_bound: float
    smallest_coefficient: float

    @property
    def max_field(self) -> float:
        """``max_i |h_i| + sum_j |J_ij|`` in model units (bounds every ``|f_i|``)."""
        return self.field_bound / self.scale

    @property
    def num_variables(self) -> int:
        return int(self.h.shape[0])

    @property
    def is_integer(self) -> bool:
        return self.field_dtype.kind == "i"

    @property
    def coupling_dtype(self) -> np.dtype:
        return (self.J if self.dense else self.data).dtype

    @property
    def table_cap(self) -> int:
        """Largest half flip cost covered by the acceptance table (0: no table)."""
        if not self.is_integer:
            return 0
        return int(min(self.field_bound, max(self.num_variables, 256), _TABLE_LIMIT))

    def arrays(self) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The ``(dense, J, indptr, indices, data)`` head of every kernel call."""
        return self.dense, self.J, self.indptr, self.indices, self.data

    def fields(self, spins: np.ndarray) -> np.ndarray:
        """Local fields ``h + J s`` of every row of ``spins`` (kernel units and dtype)."""
        out = np.empty(spins.shape, dtype=self.field_dtype)
        init_fields(*self.arrays(), self.h, spins, out)
        return out

    def energies(self, spins: np.ndarray, fields: np.ndarray) -> np.ndarray:
        """Kernel-unit energies without offset (int64 exact for integer storage)."""
        if self.is_integer:
            s = spins.astype(np.int64)
            quad = np.einsum("ij,ij->i", s, fields.astype(np.int64) - self.h)
            return s @ self.h + quad // 2
        s = spins.astype(np.float64)
        return s @ self.h + 0.5 * np.einsum("ij,ij->i", s, fields - self.h)

    def to_model_units(self, energies: np.ndarray) -> np.ndarray:
        """Kernel energies → model energies (offset included)."""
        return np.asarray(energies, dtype=np.float64) / self.scale + self.offset

    def describe(self) -> dict[str, Any]:
        """Storage facts for ``SampleSet.info``."""
        return {
            "layout": "dense" if self.dense else "sparse",
            "coupling_dtype": str(self.coupling_dtype),
            "field_dtype": str(self.field_dtype),
            "energy_scale": self.scale,
        }


def kernel_model(arrays: IsingArrays) -> KernelModel:
    """Convert core :class:`~emulators._core.arrays.IsingArrays` into exact kernel storage."""
    n = arrays.num_variables
    h = arrays.h
    if arrays.is_dense:
        dense = np.ascontiguousarray(arrays.dense, dtype=np.float64)
        couplings = dense.ravel()
        row_sums, smallest = _dense_scan(dense)
    else:
        couplings = np.ascontiguousarray(arrays.data, dtype=np.float64)
        rows = np.repeat(np.arange(n), np.diff(arrays.indptr))
        row_sums = np.bincount(rows, weights=np.abs(couplings), minlength=n)
        nonzero = np.abs(couplings[couplings != 0])
        smallest = float(nonzero.min()) if len(nonzero) else np.inf
    nonzero_h = np.abs(h[h != 0])
    if len(nonzero_h):
        smallest = min(smallest, float(nonzero_h.min()))
    bound = float(np.max(np.abs(h) + row_sums)) if n else 0.0
    max_coupling = float(np.max(np.abs(couplings))) if len(couplings) else 0.0

    shifts = (_dyadic_shift(h, MAX_SHIFT), _dyadic_shift(couplings, MAX_SHIFT))
    shift = -1 if min(shifts) < 0 else max(shifts)
    scale = 2.0**shift if shift >= 0 else 1.0
    coupling_dtype = field_dtype = None
    if shift >= 0 and bound * scale * max(n, 1) <= _MAX_INT_FIELD:
        coupling_dtype = _int_dtype(max_coupling * scale, (np.int8, np.int16, np.int32))
        field_dtype = _int_dtype(bound * scale, (np.int16, np.int32, np.int64))
    if coupling_dtype is None or field_dtype is None:
        coupling_dtype, field_dtype, scale = np.dtype(np.float64), np.dtype(np.float64), 1.0
    integer = field_dtype.kind == "i"

    def convert(values: np.ndarray) -> np.ndarray:
        if not integer:
            return np.ascontiguousarray(values, dtype=np.float64)
        return np.ascontiguousarray(values * scale if scale != 1.0 else values,
                                    dtype=np.float64).astype(coupling_dtype)

    h_kernel = (h * scale).astype(np.int64) if integer else h.astype(np.float64)
    if arrays.is_dense:
        J = convert(dense)
        indptr = np.zeros(2, dtype=np.int32)
        indices = np.zeros(1, dtype=np.int32)
        data = np.zeros(1, dtype=coupling_dtype)
    else:
        index_dtype = np.int32 if n < 2**31 else np.int64
        J = np.zeros((1, 1), dtype=coupling_dtype)
        indptr = arrays.indptr.astype(np.int64)
        indices = arrays.indices.astype(index_dtype)
        data = convert(couplings)
    return KernelModel(
        dense=arrays.is_dense, J=J, indptr=indptr, indices=indices, data=data, h=h_kernel,
        field_dtype=field_dtype, scale=scale, offset=arrays.offset, field_bound=bound * scale,
        smallest_coefficient=float(smallest),
    )
