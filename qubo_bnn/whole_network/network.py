"""Binary neural networks: any feed-forward DAG of sign neurons with ±1 weights.

Node numbering
--------------
A network has ``n_inputs`` data inputs and ``n_neurons`` neurons. Every node has one integer
*node id*: input ``i`` is node ``i`` and neuron ``j`` is node ``n_inputs + j``. An edge
``(src, dst)`` joins two node ids; ``dst`` must be a neuron, ``src`` an input or another neuron.

Edge order (fixed, used by :attr:`BinaryNetwork.weights` and by every QUBO builder)
----------------------------------------------------------------------------------
Edges are sorted by destination neuron index, then by source node id. For a layered network
built by :meth:`BinaryNetwork.layered` this is the row-major order of the per-layer
``(n_out, n_in)`` weight matrices, layer after layer, so ``weights`` equals
``np.concatenate([W.ravel() for W in net.to_arrays()[0]])``.

Neuron semantics
----------------
The pre-activation of neuron ``j`` is ``z_j = sum_e W_e * a_src(e) + b_j`` over its incoming
edges (``b_j = 0`` when the network has no biases) and its activation is ``sign(z_j)`` with
``sign(0) = +1``. Inputs and activations are ±1.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numba
import numpy as np

__all__ = ["BinaryNetwork", "as_network", "pack_pm1"]


def _as_pm1(name: str, values, dtype=np.int8) -> np.ndarray:
    arr = np.asarray(values)
    if arr.size and not np.isin(arr, (-1, 1)).all():
        raise ValueError(f"{name} must contain only -1 and +1")
    return arr.astype(dtype, copy=True)


class BinaryNetwork:
    """A feed-forward binary network (DAG) with ±1 weights and sign activations.

    Build one with :meth:`layered`, :meth:`from_arrays` or :meth:`from_edges`.

    Attributes
    ----------
    n_inputs, n_neurons:
        Number of data inputs and of neurons.
    edges:
        ``(n_edges, 2)`` int array of ``(src node id, dst node id)`` in the fixed edge order
        (see the module docstring).
    weights:
        ``(n_edges,)`` int8 array of ±1 weights in edge order.
    biases:
        ``(n_neurons,)`` int8 array of ±1 biases, or ``None`` for a network without biases.
    outputs:
        Neuron indices of the outputs, in output order.
    order:
        A topological order of the neuron indices (neurons given in topological order keep it).
    layer_sizes:
        ``[n_0, n_1, ..., n_L]`` for a fully connected layered network, else ``None``.
    """

    def __init__(
        self,
        n_inputs: int,
        n_neurons: int,
        edges,
        *,
        outputs: Sequence[int] | None = None,
        weights=None,
        bias: bool = False,
        biases=None,
        rng=None,
    ):
        if not isinstance(n_inputs, (int, np.integer)) or n_inputs < 1:
            raise ValueError(f"n_inputs must be a positive integer, got {n_inputs!r}")
        if not isinstance(n_neurons, (int, np.integer)) or n_neurons < 1:
            raise ValueError(f"n_neurons must be a positive integer, got {n_neurons!r}")
        self.n_inputs = int(n_inputs)
        self.n_neurons = int(n_neurons)
        sort = self._set_edges(edges)
        self.order = self._topological_order()
        self.outputs = self._check_outputs(outputs)
        rng = np.random.default_rng(rng)
        if weights is None:
            w = rng.choice(np.array([-1, 1], dtype=np.int8), size=len(self.edges))
        else:
            w = _as_pm1("weights", weights).ravel()
            if w.size != len(self.edges):
                raise ValueError(f"weights must have {len(self.edges)} entries, got {w.size}")
            w = w[sort]  # weights were given in the order of the `edges` argument
        self.weights = w.astype(np.int8)
        self.biases = None
        if bias or biases is not None:
            if biases is None:
                b = rng.choice(np.array([-1, 1], dtype=np.int8), size=self.n_neurons)
            else:
                b = _as_pm1("biases", biases).ravel()
                if b.size != self.n_neurons:
                    raise ValueError(f"biases must have {self.n_neurons} entries, got {b.size}")
            self.biases = b.astype(np.int8)
        self.layer_sizes: list[int] | None = None  # set by :meth:`layered`
        self._packed_cache = None

    def _set_edges(self, edges) -> np.ndarray:
        """Check ``edges`` and store them in the fixed edge order; returns the sorting index."""
        n_nodes = self.n_inputs + self.n_neurons
        e = np.asarray(edges, dtype=np.int64)
        if e.ndim != 2 or e.shape[1] != 2 or e.shape[0] == 0:
            raise ValueError("edges must be a non-empty sequence of (src, dst) node-id pairs")
        if (e < 0).any() or (e >= n_nodes).any():
            bad = e[((e < 0) | (e >= n_nodes)).any(axis=1)][0]
            raise ValueError(
                f"edge {tuple(bad.tolist())} has a node id outside [0, {n_nodes}); inputs are "
                f"0..{self.n_inputs - 1}, neuron j is node n_inputs + j"
            )
        into_input = e[:, 1] < self.n_inputs
        if into_input.any():
            bad = e[into_input][0]
            raise ValueError(f"edge {tuple(bad.tolist())} ends at input node {bad[1]}")
        key = e[:, 1] * n_nodes + e[:, 0]
        if np.unique(key).size != key.size:
            raise ValueError("edges contain a duplicate (src, dst) pair")
        sort = np.lexsort((e[:, 0], e[:, 1]))
        self.edges = e[sort]
        self.edges.setflags(write=False)
        fan = np.bincount(self.edges[:, 1] - self.n_inputs, minlength=self.n_neurons)
        if (fan == 0).any():
            j = int(np.flatnonzero(fan == 0)[0])
            raise ValueError(f"neuron {j} (node {self.n_inputs + j}) has no incoming edge")
        return sort

    def _check_outputs(self, outputs) -> np.ndarray:
        """The output neuron indices (default: the neurons without an outgoing edge)."""
        if outputs is None:
            has_out = np.zeros(self.n_neurons, dtype=bool)
            src_neuron = self.edges[:, 0] >= self.n_inputs
            has_out[self.edges[src_neuron, 0] - self.n_inputs] = True
            outputs = np.flatnonzero(~has_out)
        out = np.asarray(outputs, dtype=np.int64).ravel()
        if out.size == 0 or (out < 0).any() or (out >= self.n_neurons).any():
            raise ValueError(f"outputs must be neuron indices in [0, {self.n_neurons})")
        if np.unique(out).size != out.size:
            raise ValueError("outputs contain a duplicate neuron index")
        return out

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_edges(
        cls,
        n_inputs: int,
        n_neurons: int,
        edges,
        *,
        outputs: Sequence[int] | None = None,
        weights=None,
        bias: bool = False,
        biases=None,
        rng=None,
    ) -> BinaryNetwork:
        """Any DAG: ``edges`` are ``(src, dst)`` node ids (input i = i, neuron j = n_inputs + j).

        Skip connections are allowed; a cycle raises ``ValueError`` naming it. ``outputs``
        defaults to the neurons with no outgoing edge, in index order. ``weights`` (±1, in the
        order of ``edges`` as given) and ``biases`` default to random ±1 drawn from ``rng``.
        """
        return cls(
            n_inputs, n_neurons, edges, outputs=outputs, weights=weights, bias=bias,
            biases=biases, rng=rng,
        )

    @classmethod
    def layered(
        cls, sizes: Sequence[int], bias: bool = False, weights=None, rng=None, biases=None
    ) -> BinaryNetwork:
        """Fully connected layers ``sizes = [n_inputs, n_1, ..., n_L]``.

        ``weights`` may be ``None`` (random ±1 from ``rng``), a flat array in edge order, or a
        list of per-layer ``(n_out, n_in)`` matrices. ``biases`` (implies ``bias=True``) may be
        a flat array or a list of per-layer vectors.
        """
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
        edges = []
        start_prev, start = 0, sizes[0]
        for n_prev, n in zip(sizes[:-1], sizes[1:], strict=True):
            dst = np.repeat(np.arange(start, start + n), n_prev)
            src = np.tile(np.arange(start_prev, start_prev + n_prev), n)
            edges.append(np.stack([src, dst], axis=1))
            start_prev, start = start, start + n
        edges = np.concatenate(edges)
        if weights is not None and not isinstance(weights, np.ndarray) and len(weights) and (
            np.ndim(weights[0]) == 2
        ):
            if len(weights) != len(sizes) - 1:
                raise ValueError(f"weights must hold {len(sizes) - 1} layer matrices")
            for i, (W, n_prev, n) in enumerate(zip(weights, sizes[:-1], sizes[1:], strict=True)):
                if np.shape(W) != (n, n_prev):
                    raise ValueError(
                        f"weights[{i}] must have shape ({n}, {n_prev}), got {np.shape(W)}"
                    )
            weights = np.concatenate([np.asarray(W).ravel() for W in weights])
        if biases is not None and not isinstance(biases, np.ndarray) and len(biases) and (
            np.ndim(biases[0]) == 1
        ):
            biases = np.concatenate([np.asarray(b).ravel() for b in biases])
        n_neurons = sum(sizes[1:])
        outputs = np.arange(n_neurons - sizes[-1], n_neurons)
        net = cls(
            sizes[0], n_neurons, edges, outputs=outputs, weights=weights, bias=bias,
            biases=biases, rng=rng,
        )
        net.layer_sizes = sizes
        return net

    @classmethod
    def from_arrays(cls, weights: Sequence[np.ndarray], biases=None) -> BinaryNetwork:
        """Layered network from per-layer ``(n_out, n_in)`` ±1 matrices (and bias vectors)."""
        if len(weights) == 0:
            raise ValueError("weights must hold at least one layer matrix")
        mats = [np.asarray(W) for W in weights]
        if any(W.ndim != 2 for W in mats):
            raise ValueError("every weight matrix must be 2-D (n_out, n_in)")
        sizes = [mats[0].shape[1]] + [W.shape[0] for W in mats]
        for i in range(1, len(mats)):
            if mats[i].shape[1] != mats[i - 1].shape[0]:
                raise ValueError(
                    f"weights[{i}] has {mats[i].shape[1]} columns but layer {i} has "
                    f"{mats[i - 1].shape[0]} neurons"
                )
        if biases is not None:
            biases = [np.asarray(b).ravel() for b in biases]
            if len(biases) != len(mats):
                raise ValueError(f"biases must hold {len(mats)} vectors")
        return cls.layered(sizes, weights=mats, biases=biases)

    def to_arrays(self) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
        """Per-layer ``(n_out, n_in)`` weight matrices and bias vectors (``None`` if no biases).

        Only for layered networks (built by :meth:`layered` or :meth:`from_arrays`).
        """
        if self.layer_sizes is None:
            raise ValueError("to_arrays needs a layered network; this one is a general DAG")
        mats, bvecs = [], []
        pos = nb = 0
        for n_prev, n in zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True):
            mats.append(self.weights[pos : pos + n * n_prev].reshape(n, n_prev).copy())
            if self.biases is not None:
                bvecs.append(self.biases[nb : nb + n].copy())
            pos += n * n_prev
            nb += n
        return mats, (bvecs if self.biases is not None else None)

    def copy(self) -> BinaryNetwork:
        """An independent copy (same topology, weights and biases)."""
        return self.with_weights(self.weights, self.biases)

    def with_weights(self, weights, biases=None) -> BinaryNetwork:
        """Same topology with new ±1 ``weights`` (edge order) and ``biases``.

        ``biases`` is required exactly when this network has biases.
        """
        w = _as_pm1("weights", weights).ravel()
        if w.size != self.n_edges:
            raise ValueError(f"weights must have {self.n_edges} entries, got {w.size}")
        if (biases is None) != (self.biases is None):
            raise ValueError(
                "biases must be given exactly when the network has biases "
                f"(this one {'has' if self.biases is not None else 'has no'} biases)"
            )
        new = object.__new__(BinaryNetwork)
        new.__dict__.update(self.__dict__)
        new.weights = w
        if biases is not None:
            b = _as_pm1("biases", biases).ravel()
            if b.size != self.n_neurons:
                raise ValueError(f"biases must have {self.n_neurons} entries, got {b.size}")
            new.biases = b
        new._packed_cache = None
        return new

    # ------------------------------------------------------------------ structure
    @property
    def n_outputs(self) -> int:
        return int(self.outputs.size)

    @property
    def n_edges(self) -> int:
        return int(self.edges.shape[0])

    @property
    def has_bias(self) -> bool:
        return self.biases is not None

    @property
    def fan_in(self) -> np.ndarray:
        """Number of incoming edges per neuron (the bias not counted)."""
        return np.bincount(self.edges[:, 1] - self.n_inputs, minlength=self.n_neurons)

    def node_id(self, neuron: int) -> int:
        """Node id of neuron index ``neuron``."""
        return self.n_inputs + int(neuron)

    def incoming(self, neuron: int) -> np.ndarray:
        """Indices (into the edge order) of the edges entering ``neuron``."""
        return np.flatnonzero(self.edges[:, 1] == self.n_inputs + int(neuron))

    def _topological_order(self) -> np.ndarray:
        n_in, n = self.n_inputs, self.n_neurons
        nn = self.edges[self.edges[:, 0] >= n_in] - n_in
        indeg = np.bincount(nn[:, 1], minlength=n)
        succ: list[list[int]] = [[] for _ in range(n)]
        for s, d in nn.tolist():
            succ[s].append(d)
        heap = [j for j in range(n) if indeg[j] == 0]
        heapq.heapify(heap)
        order = []
        while heap:
            j = heapq.heappop(heap)
            order.append(j)
            for d in succ[j]:
                indeg[d] -= 1
                if indeg[d] == 0:
                    heapq.heappush(heap, d)
        if len(order) < n:
            raise ValueError(f"the network has a cycle: {self._find_cycle(succ, set(order))}")
        return np.asarray(order, dtype=np.int64)

    def _find_cycle(self, succ: list[list[int]], done: set[int]) -> str:
        left = [j for j in range(self.n_neurons) if j not in done]
        state = dict.fromkeys(left, 0)  # 0 unseen, 1 on stack, 2 finished
        for root in left:
            if state[root]:
                continue
            stack = [(root, iter(succ[root]))]
            path = [root]
            state[root] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                elif nxt in state and state[nxt] == 1:
                    cyc = path[path.index(nxt):] + [nxt]
                    return " -> ".join(f"neuron {j} (node {self.n_inputs + j})" for j in cyc)
                elif nxt in state and state[nxt] == 0:
                    state[nxt] = 1
                    stack.append((nxt, iter(succ[nxt])))
                    path.append(nxt)
        return "(cycle not located)"  # pragma: no cover - Kahn found one, DFS always does

    # ------------------------------------------------------------------ forward passes
    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim == 1:
            X = X[None, :]
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"X must have shape (n_samples, {self.n_inputs}), got {X.shape}")
        if X.size and not np.isin(X, (-1, 1)).all():
            raise ValueError("X must contain only -1 and +1")
        return X.astype(np.int8, copy=False)

    def preactivations(self, X, method: str = "packed") -> np.ndarray:
        """Pre-activations ``z`` of every neuron, shape ``(n_samples, n_neurons)`` (int32).

        ``method="packed"`` uses the bit-packed numba kernel (popcount of XNOR over uint64
        words); ``"numpy"`` is the plain reference implementation.
        """
        return self._forward(X, method)[0]

    def forward(self, X, method: str = "packed") -> np.ndarray:
        """Activations (±1, int8) of every neuron, shape ``(n_samples, n_neurons)``."""
        return self._forward(X, method)[1]

    def forward_with_preactivations(self, X, method: str = "packed"):
        """``(z, a)``: pre-activations (int32) and activations (int8) of every neuron."""
        return self._forward(X, method)

    def predict(self, X, method: str = "packed") -> np.ndarray:
        """Output activations, shape ``(n_samples, n_outputs)``, values ±1 (int8)."""
        return self.forward(X, method)[:, self.outputs]

    def predict_class(self, X, method: str = "packed") -> np.ndarray:
        """Class index per sample: argmax of the output pre-activations (ties: lowest index).

        With a single output, class 1 means output +1 and class 0 output -1.
        """
        z, a = self._forward(X, method)
        if self.n_outputs == 1:
            return (a[:, self.outputs[0]] > 0).astype(np.int64)
        return np.argmax(z[:, self.outputs], axis=1)

    def accuracy(self, X, y, method: str = "packed") -> float:
        """Fraction of samples classified correctly.

        ``y`` is either ±1 targets, shape ``(n_samples,)`` for one output or
        ``(n_samples, n_outputs)`` (a sample counts as correct when every output matches), or,
        for a network with several outputs, 1-D class indices in ``[0, n_outputs)`` compared
        with :meth:`predict_class` (argmax of the output pre-activations).
        """
        X = self._check_X(X)
        y = np.asarray(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"y has {y.shape[0]} rows but X has {X.shape[0]}")
        if y.ndim == 1 and self.n_outputs > 1:
            if y.size and ((y < 0).any() or (y >= self.n_outputs).any()):
                raise ValueError(f"class labels y must lie in [0, {self.n_outputs})")
            return float(np.mean(self.predict_class(X, method) == y))
        y2 = y.reshape(len(y), -1)
        if y2.shape[1] != self.n_outputs:
            raise ValueError(f"y must have {self.n_outputs} column(s), got {y2.shape[1]}")
        if y2.size and not np.isin(y2, (-1, 1)).all():
            raise ValueError("±1 targets y must contain only -1 and +1")
        return float(np.mean((self.predict(X, method) == y2).all(axis=1)))

    def _forward(self, X, method: str):
        X = self._check_X(X)
        if method == "numpy":
            return self._forward_numpy(X)
        if method == "packed":
            return self._forward_packed(X)
        raise ValueError(f"method must be 'packed' or 'numpy', got {method!r}")

    def _forward_numpy(self, X: np.ndarray):
        S = X.shape[0]
        nodes = np.empty((S, self.n_inputs + self.n_neurons), dtype=np.int32)
        nodes[:, : self.n_inputs] = X
        z = np.empty((S, self.n_neurons), dtype=np.int32)
        dst = self.edges[:, 1] - self.n_inputs
        starts = np.searchsorted(dst, np.arange(self.n_neurons + 1))
        w = self.weights.astype(np.int32)
        for j in self.order:
            sl = slice(starts[j], starts[j + 1])
            zj = nodes[:, self.edges[sl, 0]] @ w[sl]
            if self.biases is not None:
                zj = zj + int(self.biases[j])
            z[:, j] = zj
            nodes[:, self.n_inputs + j] = np.where(zj >= 0, 1, -1)
        return z, nodes[:, self.n_inputs :].astype(np.int8)

    def _packed_params(self):
        # the cache is keyed on the current weights, so in-place edits of `weights`/`biases`
        # are picked up
        cache = self._packed_cache
        if cache is not None and not (
            np.array_equal(cache[5], self.weights)
            and (self.biases is None or np.array_equal(cache[6], self.biases))
        ):
            cache = self._packed_cache = None
        if cache is None:
            n_nodes = self.n_inputs + self.n_neurons
            n_words = (n_nodes + 63) // 64
            mask = np.zeros((self.n_neurons, n_words * 64), dtype=bool)
            wbit = np.zeros((self.n_neurons, n_words * 64), dtype=bool)
            dst = self.edges[:, 1] - self.n_inputs
            mask[dst, self.edges[:, 0]] = True
            wbit[dst, self.edges[:, 0]] = self.weights > 0
            bias = (
                np.zeros(self.n_neurons, np.int32)
                if self.biases is None
                else self.biases.astype(np.int32)
            )
            self._packed_cache = (
                _pack_bits(mask),
                _pack_bits(wbit),
                self.fan_in.astype(np.int32),
                bias,
                n_words,
                self.weights.copy(),
                None if self.biases is None else self.biases.copy(),
            )
        return self._packed_cache[:5]

    def _forward_packed(self, X: np.ndarray):
        mask, wbit, fan, bias, n_words = self._packed_params()
        packed = pack_pm1(X, n_words * 64)
        z = np.empty((X.shape[0], self.n_neurons), dtype=np.int32)
        a = np.empty((X.shape[0], self.n_neurons), dtype=np.int8)
        _packed_forward_kernel(
            packed, mask, wbit, fan, bias, self.order, np.int64(self.n_inputs), z, a
        )
        return z, a

    def __repr__(self) -> str:
        shape = (
            "-".join(map(str, self.layer_sizes))
            if self.layer_sizes is not None
            else f"DAG({self.n_inputs} inputs, {self.n_neurons} neurons, {self.n_edges} edges)"
        )
        return f"BinaryNetwork({shape}, bias={self.has_bias})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, BinaryNetwork):
            return NotImplemented
        return (
            self.n_inputs == other.n_inputs
            and self.n_neurons == other.n_neurons
            and np.array_equal(self.edges, other.edges)
            and np.array_equal(self.outputs, other.outputs)
            and np.array_equal(self.weights, other.weights)
            and (self.biases is None) == (other.biases is None)
            and (self.biases is None or np.array_equal(self.biases, other.biases))
        )

    __hash__ = None


def as_network(topology) -> BinaryNetwork:
    """``topology`` itself when it is a :class:`BinaryNetwork`; for a list of layer sizes the
    fully connected layered network of those sizes (no biases, weights drawn with ``rng=0``)."""
    if isinstance(topology, BinaryNetwork):
        return topology
    if isinstance(topology, (list, tuple)) and all(
        isinstance(s, (int, np.integer)) for s in topology
    ):
        return BinaryNetwork.layered(topology, rng=0)
    raise TypeError("network_topology must be a BinaryNetwork or a list of layer sizes")


def _pack_bits(bits: np.ndarray) -> np.ndarray:
    """Pack a boolean ``(rows, 64 * n_words)`` array into ``(rows, n_words)`` uint64 words.

    Bit ``k`` of word ``w`` holds column ``64 * w + k``.
    """
    rows, cols = bits.shape
    by = np.packbits(bits, axis=1, bitorder="little")
    return np.ascontiguousarray(by).view("<u8").reshape(rows, cols // 64).astype(np.uint64)


def pack_pm1(X, n_bits: int | None = None) -> np.ndarray:
    """Pack ±1 rows into uint64 words (+1 -> bit 1), padded with zeros to ``n_bits`` bits."""
    X = np.asarray(X)
    n_bits = X.shape[1] if n_bits is None else int(n_bits)
    n_bits = ((max(n_bits, X.shape[1]) + 63) // 64) * 64
    bits = np.zeros((X.shape[0], n_bits), dtype=bool)
    bits[:, : X.shape[1]] = X > 0
    return _pack_bits(bits)


@numba.njit(cache=True, inline="always")
def _popcount64(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@numba.njit(cache=True)
def _packed_forward_kernel(packed, mask, wbit, fan, bias, order, n_inputs, z_out, a_out):
    n_samples, n_words = packed.shape
    one = np.uint64(1)
    for s in range(n_samples):
        row = packed[s].copy()
        for jj in range(order.shape[0]):
            j = order[jj]
            matches = 0
            for w in range(n_words):
                matches += _popcount64(~(row[w] ^ wbit[j, w]) & mask[j, w])
            z = 2 * np.int64(matches) - fan[j] + bias[j]
            z_out[s, j] = z
            if z >= 0:
                a_out[s, j] = 1
                node = n_inputs + j
                row[node >> 6] |= one << np.uint64(node & 63)
            else:
                a_out[s, j] = -1
