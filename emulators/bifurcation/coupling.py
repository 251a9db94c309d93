"""The coupling matrix the SB and parallel-flip kernels work on, and the facts derived from it:
RMS coupling, largest eigenvalue, default β range, greedy colouring."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from emulators._core.arrays import IsingArrays

__all__ = [
    "Coupling",
    "beta_range",
    "colour_classes",
    "coupling_rms",
    "largest_eigenvalue",
    "model_coupling",
]


class Coupling:
    """The coupling matrix (dense array or CSR), fields and offset a kernel works on.

    With ``auxiliary=True`` an extra spin (the last) carries the fields as couplings
    ``J[i, n] = h[i]``; a state is read back by multiplying it by that spin's value
    (the model is invariant under flipping every spin once the fields are couplings).
    """

    def __init__(self, arrays: IsingArrays, auxiliary: bool = False) -> None:
        n = arrays.num_variables
        matrix = arrays.coupling_matrix()
        h = np.asarray(arrays.h, dtype=np.float64)
        self.auxiliary = bool(auxiliary and np.any(h != 0))
        if self.auxiliary:
            column = h.reshape(-1, 1)
            if sp.issparse(matrix):
                matrix = sp.bmat([[matrix, sp.csr_matrix(column)],
                                  [sp.csr_matrix(column.T), None]], format="csr")
            else:
                matrix = np.block([[matrix, column], [column.T, np.zeros((1, 1))]])
            h = np.zeros(n + 1)
        if sp.issparse(matrix):
            matrix = sp.csr_matrix(matrix, dtype=np.float64)
            matrix.sort_indices()
        self.matrix = matrix
        self.h = h
        self.offset = float(arrays.offset)
        self.num_spins = n + 1 if self.auxiliary else n
        self.num_variables = n

    def read_back(self, states: np.ndarray) -> np.ndarray:
        """States over the model's variables (undo the auxiliary spin)."""
        states = np.asarray(states, dtype=np.int8)
        if not self.auxiliary:
            return states
        return (states[:, :-1] * states[:, -1:]).astype(np.int8)

    def abs_row_sums(self) -> np.ndarray:
        if sp.issparse(self.matrix):
            return np.asarray(abs(self.matrix).sum(axis=1)).ravel()
        return np.abs(self.matrix).sum(axis=1)

    def nonzero_values(self) -> np.ndarray:
        values = self.matrix.data if sp.issparse(self.matrix) else self.matrix.ravel()
        return values[values != 0]


def coupling_rms(coupling: Coupling) -> float:
    """σ = RMS of the off-diagonal couplings over all ``i != j`` (zeros included)."""
    n = coupling.num_spins
    if n < 2:
        return 0.0
    total = float(np.sum(coupling.nonzero_values() ** 2))
    return math.sqrt(total / (n * (n - 1)))


def model_coupling(arrays: IsingArrays, fields: str) -> Coupling:
    """The :class:`Coupling` for ``fields`` = ``"direct"`` or ``"auxiliary"``."""
    return Coupling(arrays, auxiliary=fields == "auxiliary")


def largest_eigenvalue(coupling: Coupling, which: str = "LA") -> float:
    """The largest algebraic (``which="LA"``) or largest-magnitude (``"LM"``, returned as
    its absolute value) eigenvalue of ``J``."""
    n = coupling.num_spins
    matrix = coupling.matrix
    if n <= 400:
        dense = matrix.toarray() if sp.issparse(matrix) else matrix
        values = np.linalg.eigvalsh(dense)
        return float(values[-1] if which == "LA" else np.abs(values).max())
    if not np.any(coupling.nonzero_values()):
        return 0.0
    start = np.random.default_rng(0).standard_normal(n)
    value = spla.eigsh(matrix, k=1, which=which, v0=start, tol=1e-3,
                       return_eigenvectors=False)
    return float(value[0] if which == "LA" else abs(value[0]))


def beta_range(coupling: Coupling) -> tuple[float, float]:
    """Hot and cold inverse temperatures (the rule dwave-samplers uses by default).

    Hot: the largest possible single-flip energy rise is accepted with probability 1/2.
    Cold: the smallest non-zero rise is accepted with probability 1/100.
    """
    h = np.abs(coupling.h)
    biggest = float(np.max(2.0 * (coupling.abs_row_sums() + h), initial=0.0))
    values = np.abs(np.concatenate([coupling.nonzero_values(), h[h != 0]]))
    if biggest == 0 or len(values) == 0:
        return 1.0, 1.0
    smallest = 2.0 * float(values.min())
    return math.log(2) / biggest, max(math.log(100) / smallest, math.log(2) / biggest)


def colour_classes(coupling: Coupling) -> list[np.ndarray]:
    """Greedy (largest-first) colouring of the coupling graph: spins of one colour share no
    coupler, so they can be updated at once."""
    matrix = coupling.matrix
    coo = sp.coo_matrix(matrix) if sp.issparse(matrix) else sp.coo_matrix(matrix != 0)
    graph = nx.Graph()
    graph.add_nodes_from(range(coupling.num_spins))
    graph.add_edges_from((int(i), int(j)) for i, j in zip(coo.row, coo.col, strict=True)
                         if i < j)
    colours = nx.greedy_color(graph, strategy="largest_first")
    count = max(colours.values()) + 1
    members: list[list[int]] = [[] for _ in range(count)]
    for node, colour in colours.items():
        members[colour].append(node)
    return [np.asarray(sorted(m), dtype=np.int64) for m in members]
