"""Spin/bit maps and QUBO penalty helpers (DESIGN.md section 6.1).

Conventions: bits ``q`` in {0, 1}, spins ``s = 2q - 1`` in {-1, +1}.

Penalty helpers work on *batches* of constraints given as integer index arrays and return
plain term arrays, so builders stay vectorised; :class:`QuadraticTerms` collects such terms and
turns them into a ``dimod.BinaryQuadraticModel`` with integer labels ``0..n-1`` in one step.

- :func:`squared_linear`: ``strength * (c + sum_i a_i q_i)^2`` expanded into QUBO terms, the
  building block of equality constraints ``sum_i a_i q_i = -c``.
- :func:`slack_coefficients` / :func:`slack_bits`: a bounded binary slack ``s in [0, M]`` with
  coefficients ``1, 2, 4, ..., 2^(k-2)`` and a last coefficient ``M - (2^(k-1) - 1)`` that caps
  the sum at ``M`` (``k = ceil(log2(M + 1))`` bits). Every value in ``[0, M]`` is reachable and
  none above it.
- :func:`and_penalty`: ``strength * (x*y - 2*x*z - 2*y*z + 3*z)``, zero iff ``z = x AND y``
  and at least ``strength`` otherwise.
"""

from __future__ import annotations

import dimod
import numpy as np
import scipy.sparse

__all__ = [
    "QuadraticTerms",
    "and_penalty",
    "bits_to_spins",
    "slack_bits",
    "slack_coefficients",
    "spins_to_bits",
    "squared_linear",
    "squared_linear_shared",
]


def spins_to_bits(spins) -> np.ndarray:
    """±1 spins -> 0/1 bits (``q = (s + 1) / 2``), int8."""
    s = np.asarray(spins)
    if s.size and not np.isin(s, (-1, 1)).all():
        raise ValueError("spins must contain only -1 and +1")
    return ((s + 1) // 2).astype(np.int8)


def bits_to_spins(bits) -> np.ndarray:
    """0/1 bits -> ±1 spins (``s = 2q - 1``), int8."""
    q = np.asarray(bits)
    if q.size and not np.isin(q, (0, 1)).all():
        raise ValueError("bits must contain only 0 and 1")
    return (2 * q.astype(np.int8) - 1).astype(np.int8)


def slack_coefficients(max_value: int) -> np.ndarray:
    """Coefficients of a bounded binary slack covering exactly ``[0, max_value]``.

    ``max_value = 0`` needs no bits (empty array); e.g. ``max_value = 8`` gives
    ``[1, 2, 4, 1]`` and ``max_value = 7`` gives ``[1, 2, 4]``.
    """
    max_value = int(max_value)
    if max_value < 0:
        raise ValueError(f"max_value must be >= 0, got {max_value}")
    if max_value == 0:
        return np.zeros(0, dtype=np.int64)
    k = int(max_value).bit_length()  # = ceil(log2(max_value + 1))
    coef = 2 ** np.arange(k, dtype=np.int64)
    coef[-1] = max_value - (2 ** (k - 1) - 1)
    return coef


def slack_bits(values, coefficients) -> np.ndarray:
    """Bits ``b`` with ``b @ coefficients == values`` for slack values in ``[0, sum(coef)]``.

    ``values`` may have any shape; the result has one more axis of length ``len(coef)``.
    Uses the top (capping) coefficient first, then plain binary for the rest.
    """
    coef = np.asarray(coefficients, dtype=np.int64)
    v = np.asarray(values, dtype=np.int64)
    top = int(coef.sum())
    if v.size and (v.min() < 0 or v.max() > top):
        raise ValueError(f"slack values must lie in [0, {top}]")
    k = coef.size
    out = np.zeros(v.shape + (k,), dtype=np.int8)
    if k == 0:
        return out
    use_top = v > (2 ** (k - 1) - 1)
    out[..., k - 1] = use_top
    rest = v - use_top * coef[-1]
    for i in range(k - 1):
        out[..., i] = (rest >> i) & 1
    return out


def squared_linear(index, coef, const, strength=1.0):
    """Expand ``strength * (const + sum_m coef[..., m] * q[index[..., m]])^2`` (batched).

    ``index``/``coef`` are ``(B, m)`` arrays (one row per constraint, distinct indices within a
    row), ``const`` is ``(B,)``; ``strength`` a scalar or ``(B,)``. Returns
    ``(lin_idx, lin_val, q_row, q_col, q_val, offset)`` with ``q^2 = q`` applied.
    """
    index = np.asarray(index, dtype=np.int64)
    coef = np.asarray(coef, dtype=np.float64)
    const = np.asarray(const, dtype=np.float64)
    if index.ndim != 2 or coef.shape != index.shape or const.shape != index.shape[:1]:
        raise ValueError("index and coef must be (B, m) and const (B,)")
    lam = np.broadcast_to(np.asarray(strength, dtype=np.float64), const.shape)
    lin_val = lam[:, None] * (coef * coef + 2.0 * const[:, None] * coef)
    iu, ju = np.triu_indices(index.shape[1], k=1)
    q_val = 2.0 * lam[:, None] * coef[:, iu] * coef[:, ju]
    offset = float(np.sum(lam * const * const))
    return (
        index.ravel(),
        lin_val.ravel(),
        index[:, iu].ravel(),
        index[:, ju].ravel(),
        q_val.ravel(),
        offset,
    )


def squared_linear_shared(shared_index, shared_coef, index, coef, const, strength=1.0):
    """:func:`squared_linear` for rows whose first columns share the same variables.

    Row ``b`` is ``const[b] + shared_coef[b] . q[shared_index] + coef[b] . q[index[b]]``:
    ``shared_index`` is ``(m1,)`` (the same variables in every row, e.g. weights) and
    ``shared_coef`` ``(B, m1)``. The shared-shared products are summed over rows with one
    matrix product, which keeps the number of emitted terms ``O(B * m1 * m2 + m1^2)`` instead
    of ``O(B * m1^2)``. ``strength`` is a scalar. Same return format as :func:`squared_linear`.
    """
    shared_index = np.asarray(shared_index, dtype=np.int64)
    A = np.asarray(shared_coef, dtype=np.float64)
    lam = float(strength)
    const = np.asarray(const, dtype=np.float64)
    lin_i, lin_v, q_r, q_c, q_v, offset = squared_linear(index, coef, const, lam)
    # shared linear: sum_b lam (a^2 + 2 c a)
    sh_lin = lam * (A * A + 2.0 * const[:, None] * A).sum(axis=0)
    gram = 2.0 * lam * (A.T @ A)
    iu, ju = np.triu_indices(shared_index.size, k=1)
    # shared x per-row cross terms: 2 lam a_p b_q
    idx = np.asarray(index, dtype=np.int64)
    cross = 2.0 * lam * A[:, :, None] * np.asarray(coef, dtype=np.float64)[:, None, :]
    rows = np.broadcast_to(shared_index[None, :, None], cross.shape)
    cols = np.broadcast_to(idx[:, None, :], cross.shape)
    return (
        np.concatenate([shared_index, lin_i]),
        np.concatenate([sh_lin, lin_v]),
        np.concatenate([shared_index[iu], q_r, rows.ravel()]),
        np.concatenate([shared_index[ju], q_c, cols.ravel()]),
        np.concatenate([gram[iu, ju], q_v, cross.ravel()]),
        offset,
    )


def and_penalty(x, y, z, strength=1.0):
    """Terms of ``strength * (x*y - 2*x*z - 2*y*z + 3*z)`` for index arrays ``x, y, z``.

    Zero exactly when ``z = x AND y``; ``>= strength`` otherwise. Returns
    ``(lin_idx, lin_val, q_row, q_col, q_val)``.
    """
    x, y, z = (np.asarray(a, dtype=np.int64).ravel() for a in (x, y, z))
    lam = np.broadcast_to(np.asarray(strength, dtype=np.float64), z.shape)
    q_row = np.concatenate([x, x, y])
    q_col = np.concatenate([y, z, z])
    q_val = np.concatenate([lam, -2.0 * lam, -2.0 * lam])
    return z, 3.0 * lam, q_row, q_col, q_val


class QuadraticTerms:
    """Accumulates linear/quadratic QUBO terms over variables ``0..n-1`` and builds a BQM.

    Duplicate entries are summed; ``(i, i)`` quadratic entries are folded into the linear
    term (``q^2 = q``).
    """

    def __init__(self, num_variables: int):
        self.num_variables = int(num_variables)
        self._lin_idx: list[np.ndarray] = []
        self._lin_val: list[np.ndarray] = []
        self._q_row: list[np.ndarray] = []
        self._q_col: list[np.ndarray] = []
        self._q_val: list[np.ndarray] = []
        self._offsets: list[float] = []

    def add_linear(self, idx, val) -> None:
        idx = np.asarray(idx, dtype=np.int64)
        val = np.broadcast_to(np.asarray(val, dtype=np.float64), idx.shape).ravel()
        idx = idx.ravel()
        self._lin_idx.append(idx)
        self._lin_val.append(val)

    def add_quadratic(self, row, col, val) -> None:
        row = np.asarray(row, dtype=np.int64)
        col = np.asarray(col, dtype=np.int64)
        val = np.broadcast_to(np.asarray(val, dtype=np.float64), row.shape).ravel()
        row, col = row.ravel(), col.ravel()
        diag = row == col
        if diag.any():
            self.add_linear(row[diag], val[diag])
            row, col, val = row[~diag], col[~diag], val[~diag]
        self._q_row.append(row)
        self._q_col.append(col)
        self._q_val.append(val)

    def add_offset(self, value: float) -> None:
        self._offsets.append(float(value))

    @property
    def offset(self) -> float:
        """The constant term: the added offsets summed one by one, in the order added."""
        total = 0.0
        for value in self._offsets:  # not sum(): Python >= 3.12 compensates float sums
            total += value
        return total

    def extend(self, other: QuadraticTerms) -> None:
        """Append every term of ``other`` (same variables) after the terms added so far."""
        if other.num_variables != self.num_variables:
            raise ValueError(
                f"cannot extend terms over {self.num_variables} variables with terms over "
                f"{other.num_variables}"
            )
        self._lin_idx.extend(other._lin_idx)
        self._lin_val.extend(other._lin_val)
        self._q_row.extend(other._q_row)
        self._q_col.extend(other._q_col)
        self._q_val.extend(other._q_val)
        self._offsets.extend(other._offsets)

    def add(self, terms) -> None:
        """Add the output of :func:`squared_linear` (6-tuple) or :func:`and_penalty` (5-tuple)."""
        self.add_linear(terms[0], terms[1])
        self.add_quadratic(terms[2], terms[3], terms[4])
        if len(terms) == 6:
            self.add_offset(terms[5])

    def arrays(self):
        """``(linear, (row, col, val), offset)`` with duplicates summed and ``row < col``."""
        n = self.num_variables
        lin_idx = np.concatenate(self._lin_idx) if self._lin_idx else np.zeros(0, np.int64)
        lin_val = np.concatenate(self._lin_val) if self._lin_val else np.zeros(0)
        linear = np.bincount(lin_idx, weights=lin_val, minlength=n).astype(np.float64)
        if self._q_row:
            r = np.concatenate(self._q_row)
            c = np.concatenate(self._q_col)
            v = np.concatenate(self._q_val)
        else:
            r = c = np.zeros(0, np.int64)
            v = np.zeros(0)
        lo, hi = np.minimum(r, c), np.maximum(r, c)
        # CSR conversion sums duplicates with a counting sort (faster than np.unique)
        mat = scipy.sparse.csr_array((v, (lo, hi)), shape=(n, n))
        mat.sum_duplicates()
        mat.eliminate_zeros()
        coo = mat.tocoo()
        return linear, (coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data), self.offset

    def to_bqm(self) -> dimod.BinaryQuadraticModel:
        """The BINARY BQM with labels ``0..n-1`` (all present, even with zero bias)."""
        linear, quad, offset = self.arrays()
        return dimod.BinaryQuadraticModel.from_numpy_vectors(
            linear, quad, offset, dimod.BINARY, variable_order=range(self.num_variables)
        )
