"""A model in spin form as arrays (dense or CSR, chosen by density), and start states."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dimod
import numpy as np
import scipy.sparse as sp

from emulators._core.validation import check_choice

__all__ = [
    "DENSITY_THRESHOLD",
    "IsingArrays",
    "as_spin",
    "ising_arrays",
    "parse_initial_states",
]

#: Above this fraction of the possible couplers a model is stored densely.
DENSITY_THRESHOLD = 0.1
#: Models with at most this many variables are always stored densely.
SMALL_MODEL = 64


@dataclass(frozen=True)
class IsingArrays:
    """A model in spin form as arrays.

    Exactly one of ``dense`` (an ``(n, n)`` symmetric matrix with zero diagonal) and the CSR
    triple ``indptr``/``indices``/``data`` (both directions of each coupler) is set.
    """

    labels: list
    h: np.ndarray
    offset: float
    dense: np.ndarray | None = None
    indptr: np.ndarray | None = None
    indices: np.ndarray | None = None
    data: np.ndarray | None = None

    @property
    def num_variables(self) -> int:
        return len(self.labels)

    @property
    def is_dense(self) -> bool:
        return self.dense is not None

    @property
    def num_interactions(self) -> int:
        if self.dense is not None:
            return int(np.count_nonzero(np.triu(self.dense, 1)))
        return int(len(self.data) // 2)

    def coupling_matrix(self) -> np.ndarray | sp.csr_matrix:
        """The coupling matrix J (dense array or CSR matrix)."""
        if self.dense is not None:
            return self.dense
        n = self.num_variables
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(n, n))

    def to_dense(self) -> np.ndarray:
        """The coupling matrix as a dense array."""
        if self.dense is not None:
            return self.dense
        return self.coupling_matrix().toarray()

    def local_fields(self, spins: np.ndarray) -> np.ndarray:
        """Local fields ``h + J s`` for every row of ``spins`` (shape ``(reads, n)``)."""
        s = np.asarray(spins, dtype=np.float64)
        return self.h + np.asarray(self.coupling_matrix() @ s.T).T

    def energies(self, spins: np.ndarray) -> np.ndarray:
        """Energies of the rows of ``spins`` on this model."""
        s = np.atleast_2d(np.asarray(spins, dtype=np.float64))
        js = np.asarray(self.coupling_matrix() @ s.T).T
        return self.offset + s @ self.h + 0.5 * np.einsum("ij,ij->i", s, js)


def as_spin(bqm: dimod.BinaryQuadraticModel) -> dimod.BinaryQuadraticModel:
    """``bqm`` in SPIN form: itself if it is already, else a copy (converted in C, unlike the
    coupler-by-coupler ``bqm.spin`` view)."""
    return bqm if bqm.vartype is dimod.SPIN else bqm.change_vartype(dimod.SPIN, inplace=False)


def ising_arrays(
    bqm: dimod.BinaryQuadraticModel,
    layout: str = "auto",
    density_threshold: float = DENSITY_THRESHOLD,
) -> IsingArrays:
    """Convert ``bqm`` (SPIN or BINARY) into spin-form :class:`IsingArrays`.

    ``layout`` is ``"dense"``, ``"sparse"`` or ``"auto"`` (dense when the model has at most
    64 variables or more than ``density_threshold`` of all possible couplers).
    """
    check_choice("layout", layout, ("auto", "dense", "sparse"))
    spin = as_spin(bqm)
    labels = list(spin.variables)
    n = len(labels)
    h, (rows, cols, vals), offset = spin.to_numpy_vectors(variable_order=labels)
    h = np.ascontiguousarray(h, dtype=np.float64)
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    vals = np.asarray(vals, dtype=np.float64)
    possible = n * (n - 1) / 2
    density = len(vals) / possible if possible else 1.0
    if layout == "auto":
        layout = "dense" if n <= SMALL_MODEL or density > density_threshold else "sparse"
    if layout == "dense":
        dense = np.zeros((n, n), dtype=np.float64)
        dense[rows, cols] = vals  # a BQM holds each pair once, so plain assignment is exact
        dense[cols, rows] = vals
        return IsingArrays(labels, h, float(offset), dense=dense)
    both_r = np.concatenate([rows, cols])
    both_c = np.concatenate([cols, rows])
    both_v = np.concatenate([vals, vals])
    csr = sp.csr_matrix((both_v, (both_r, both_c)), shape=(n, n))
    csr.sum_duplicates()
    csr.sort_indices()
    return IsingArrays(
        labels,
        h,
        float(offset),
        indptr=csr.indptr.astype(np.int64),
        indices=csr.indices.astype(np.int64),
        data=csr.data.astype(np.float64),
    )


def _plain_states(initial_states: Any, labels: list) -> Any:
    """An unlabelled ``(reads, n)``/``(n,)`` array read in the model's order, labelled."""
    try:
        plain = np.asarray(initial_states)
    except ValueError as exc:
        raise TypeError(f"initial_states could not be read as samples: {exc}") from exc
    if plain.dtype == object or plain.ndim not in (1, 2):
        return initial_states
    plain = np.atleast_2d(plain)
    if plain.shape[1] != len(labels):
        raise ValueError(f"initial_states has {plain.shape[1]} columns but the model "
                         f"has {len(labels)} variables")
    return plain, labels


def parse_initial_states(
    initial_states: Any,
    bqm: dimod.BinaryQuadraticModel,
    labels: list,
    num_reads: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return a ``(num_reads, n)`` int8 spin array of start states.

    ``initial_states`` may be ``None`` (uniformly random spins), anything
    :func:`dimod.as_samples` accepts (in the model's vartype), or a SampleSet. An unlabelled
    array (``(reads, n)`` or ``(n,)``) is read in the model's variable order. Fewer states
    than reads are tiled in order; more are refused.
    """
    n = len(labels)
    if initial_states is None:
        return (2 * rng.integers(0, 2, size=(num_reads, n), dtype=np.int8) - 1).astype(np.int8)
    if isinstance(initial_states, np.ndarray | list):
        initial_states = _plain_states(initial_states, labels)
    try:
        arr, state_labels = dimod.as_samples(initial_states, labels_type=list)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"initial_states could not be read as samples: {exc}") from exc
    if set(state_labels) != set(labels):
        missing = set(labels) - set(state_labels)
        extra = set(state_labels) - set(labels)
        raise ValueError(
            f"initial_states must give every variable of the model and no others "
            f"(missing {sorted(map(repr, missing))[:5]}, unknown {sorted(map(repr, extra))[:5]})"
        )
    order = [state_labels.index(v) for v in labels] if state_labels != labels else slice(None)
    arr = np.asarray(arr)[:, order]
    allowed = (0, 1) if bqm.vartype is dimod.BINARY else (-1, 1)
    if not np.isin(arr, allowed).all():
        raise ValueError(f"initial_states must hold only {allowed} values for a {bqm.vartype.name} "
                         "model")
    if len(arr) > num_reads:
        raise ValueError(f"initial_states has {len(arr)} states but num_reads is {num_reads}")
    spins = arr.astype(np.int8) if bqm.vartype is dimod.SPIN else (2 * arr - 1).astype(np.int8)
    reps = -(-num_reads // len(spins))
    return np.ascontiguousarray(np.tile(spins, (reps, 1))[:num_reads])
