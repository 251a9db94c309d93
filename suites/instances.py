"""Max-cut benchmark instances: G-set files, K2000-style generated graphs, Ising conversion.

Sign convention (DESIGN.md section 4). For a graph with edge weights ``w_ij`` (total
``W = sum w_ij``) and a partition given by spins ``s`` (side ``+1`` / ``-1``),

    cut(s) = sum_(i<j) w_ij (1 - s_i s_j) / 2 = W/2 - (1/2) sum_(i<j) w_ij s_i s_j.

:func:`maxcut_bqm` builds the Ising model with ``J_ij = w_ij / 2`` and offset ``-W/2``, so
for every sample ``energy = -cut`` exactly; the coupler part alone (``energy - bqm.offset``)
gives ``cut = -(energy - bqm.offset) + W/2``. In the G-set README's form
(``E(s) = sum w_ij s_i s_j``, no halving) the same cut is ``(W - E(s)) / 2``. The BINARY
(QUBO) version of the model has the same energies (bit ``x = (s + 1) / 2``), so
``energy = -cut`` holds there too. :func:`cut_value` computes a cut directly from weights.

G-set format: first line ``n m``, then ``m`` lines ``i j w`` with 1-based vertices.
The project never ships G-set files: :func:`find_gset` looks in a directory you give, in
``$ISINGBENCH_GSET_DIR``, in ``../shared/data/gset`` next to a source checkout, and in the
user cache; :func:`download_gset` fetches a public file into the cache on request
(``$ISINGBENCH_CACHE/gset`` or ``~/.cache/isingbench/gset``).
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dimod
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

__all__ = [
    "GSET_URL",
    "GsetDownloadError",
    "MaxCutGraph",
    "MaxCutReduction",
    "bqm_to_maxcut",
    "cut_value",
    "dense_pm1_instance",
    "download_gset",
    "find_gset",
    "gset_best_known",
    "gset_best_known_table",
    "gset_cache_dir",
    "load_gset",
    "maxcut_bqm",
    "write_gset",
]

#: Where public G-set files are fetched from (``{name}`` is e.g. ``G22``).
GSET_URL = "https://web.stanford.edu/~yyye/yyye/Gset/{name}"
_GSET_NAME = re.compile(r"^G\d{1,3}$")


# --------------------------------------------------------------------------- graphs
@dataclass(frozen=True)
class MaxCutGraph:
    """An undirected weighted graph for max-cut.

    ``edges`` is ``(m, 2)`` int64 with 0-based vertices ``i < j`` (no self-loops, no
    duplicates); ``weights`` is ``(m,)`` float64.
    """

    num_nodes: int
    edges: np.ndarray
    weights: np.ndarray
    name: str = ""

    def __post_init__(self) -> None:
        edges = np.asarray(self.edges)
        weights = np.asarray(self.weights, dtype=np.float64)
        if edges.ndim != 2 or edges.shape[1] != 2 or len(edges) != len(weights):
            raise ValueError("edges must have shape (m, 2) and weights shape (m,)")
        if len(edges) and (edges.min() < 0 or edges.max() >= self.num_nodes):
            raise ValueError(f"edge endpoints must lie in [0, {self.num_nodes})")
        if np.any(edges[:, 0] == edges[:, 1]):
            raise ValueError("max-cut graphs have no self-loops")
        if not np.isfinite(weights).all():
            raise ValueError("edge weights must be finite")
        lo, hi = np.minimum(edges[:, 0], edges[:, 1]), np.maximum(edges[:, 0], edges[:, 1])
        key = lo.astype(np.int64) * self.num_nodes + hi
        if len(np.unique(key)) != len(key):
            raise ValueError("the graph has duplicate edges")
        object.__setattr__(self, "edges", np.stack([lo, hi], axis=1).astype(np.int64))
        object.__setattr__(self, "weights", weights)

    @property
    def num_edges(self) -> int:
        return int(len(self.weights))

    @property
    def total_weight(self) -> float:
        """``W``, the sum of all edge weights."""
        return float(self.weights.sum())

    def cut_value(self, sample: Any) -> float:
        """The cut of ``sample`` (see :func:`cut_value`)."""
        return cut_value(self, sample)

    def to_bqm(self, vartype: str | dimod.Vartype = "SPIN") -> dimod.BinaryQuadraticModel:
        """The model with ``energy = -cut`` (see :func:`maxcut_bqm`)."""
        return maxcut_bqm(self, vartype)

    def weight_matrix(self) -> np.ndarray:
        """The symmetric ``(n, n)`` weight matrix (dense)."""
        w = np.zeros((self.num_nodes, self.num_nodes))
        w[self.edges[:, 0], self.edges[:, 1]] = self.weights
        return w + w.T


_GSET_FIX = "replace it with an intact copy of the instance"


def _edge_rows(path: Path, lines: list[str], n: int, m: int) -> np.ndarray:
    """The ``(m, 3)`` table of ``i j w`` rows; errors name the file line."""
    table = np.empty((m, 3))
    k = 0
    for lineno, line in enumerate(lines[1:], start=2):
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        if k == m:
            raise ValueError(f"{path}: line {lineno}: more edge lines than the {m} the first "
                             f"line announces; {_GSET_FIX}")
        try:
            i, j, w = float(parts[0]), float(parts[1]), float(parts[2])
        except (IndexError, ValueError):
            raise ValueError(f"{path}: line {lineno}: expected 3 numbers 'i j w', got "
                             f"{line.strip()[:60]!r}; {_GSET_FIX}") from None
        if i != round(i) or j != round(j) or not (1 <= i <= n and 1 <= j <= n):
            raise ValueError(f"{path}: line {lineno}: vertices must be integers in [1, {n}], "
                             f"got {line.strip()[:60]!r}; {_GSET_FIX}")
        table[k] = i, j, w
        k += 1
    if k < m:
        raise ValueError(f"{path}: the first line announces {m} edges but the file has {k} "
                         f"edge lines (truncated?); {_GSET_FIX}")
    return table


def load_gset(path: str | os.PathLike) -> MaxCutGraph:
    """Read a G-set format file: ``n m`` then ``m`` lines ``i j w`` (1-based vertices).

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming the file and
    line for malformed content.
    """
    path = Path(path)
    with path.open("r", encoding="ascii", errors="replace") as handle:
        lines = handle.read().splitlines()
    header = lines[0].split() if lines else []
    if len(header) < 2 or not all(p.lstrip("-").isdigit() for p in header[:2]):
        raise ValueError(f"{path}: line 1: the first line must be 'n m' (nodes, edges), got "
                         f"{' '.join(header)[:60]!r}; {_GSET_FIX}")
    n, m = int(header[0]), int(header[1])
    if n < 1 or m < 0:
        raise ValueError(f"{path}: line 1: need n >= 1 and m >= 0, got n={n}, m={m}; "
                         f"{_GSET_FIX}")
    table = _edge_rows(path, lines, n, m)
    edges = table[:, :2].astype(np.int64) - 1
    try:
        return MaxCutGraph(n, edges, table[:, 2], name=path.stem)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}; {_GSET_FIX}") from exc


def write_gset(graph: MaxCutGraph, path: str | os.PathLike) -> Path:
    """Write ``graph`` in G-set format (1-based; integral weights written as integers)."""
    path = Path(path)
    weights = graph.weights
    integral = np.all(weights == np.round(weights))
    lines = [f"{graph.num_nodes} {graph.num_edges}"]
    for (i, j), w in zip(graph.edges + 1, weights, strict=True):
        lines.append(f"{i} {j} {int(w) if integral else repr(float(w))}")
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def dense_pm1_instance(n: int, seed: int) -> MaxCutGraph:
    """A K2000-style instance: the complete graph on ``n`` vertices, weights ±1 by ``seed``.

    Weights are i.i.d. uniform on {-1, +1} from ``numpy.random.default_rng(seed)`` in the
    order of ``numpy.triu_indices(n, 1)``. (The published K2000 instance itself is not
    reproduced; its best-known cut does not apply.)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    rows, cols = np.triu_indices(int(n), 1)
    rng = np.random.default_rng(int(seed))
    weights = 2.0 * rng.integers(0, 2, size=len(rows)) - 1.0
    return MaxCutGraph(int(n), np.stack([rows, cols], axis=1), weights,
                       name=f"K{n}-pm1-seed{seed}")


# --------------------------------------------------------------------------- conversion
def neighbourhood(graph: MaxCutGraph, size: int, start: int = 0) -> MaxCutGraph:
    """The subgraph induced by the first ``size`` vertices a breadth-first search from ``start``
    reaches (neighbours in increasing order), relabelled ``0..size-1`` in visiting order.

    Small dense-enough pieces of a G-set instance that fit a quantum annealer after embedding.
    """
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 2:
        raise ValueError(f"size must be an integer >= 2, got {size!r}")
    if not 0 <= start < graph.num_nodes:
        raise ValueError(f"start must be a vertex in [0, {graph.num_nodes}), got {start!r}")
    adjacency = sp.csr_matrix(
        (np.ones(2 * len(graph.edges)), (np.concatenate([graph.edges[:, 0], graph.edges[:, 1]]),
                                         np.concatenate([graph.edges[:, 1], graph.edges[:, 0]]))),
        shape=(graph.num_nodes, graph.num_nodes))
    adjacency.sort_indices()
    order = breadth_first_order(adjacency, start, directed=False, return_predecessors=False)
    if len(order) < size:
        raise ValueError(f"only {len(order)} vertices are reachable from {start}; asked for {size}")
    chosen = order[:size]
    relabel = np.full(graph.num_nodes, -1, dtype=np.int64)
    relabel[chosen] = np.arange(size)
    inside = (relabel[graph.edges[:, 0]] >= 0) & (relabel[graph.edges[:, 1]] >= 0)
    return MaxCutGraph(size, relabel[graph.edges[inside]], graph.weights[inside],
                       name=f"{graph.name}[{size}]")


def maxcut_bqm(graph: MaxCutGraph, vartype: str | dimod.Vartype = "SPIN"
               ) -> dimod.BinaryQuadraticModel:
    """The model of max-cut on ``graph`` with ``energy(sample) = -cut(sample)`` exactly.

    Variables are ``0..n-1``. Spin form: ``J_ij = w_ij / 2``, no linear terms, offset
    ``-W/2``; ``vartype="BINARY"`` gives the equivalent QUBO (same energies, ``x = (s+1)/2``).
    Isolated vertices are kept as variables with zero bias.
    """
    if not isinstance(graph, MaxCutGraph):
        raise TypeError(f"graph must be a MaxCutGraph, got {type(graph).__name__}")
    vartype = dimod.as_vartype(vartype)
    bqm = dimod.BinaryQuadraticModel.from_numpy_vectors(
        np.zeros(graph.num_nodes),
        (graph.edges[:, 0], graph.edges[:, 1], graph.weights / 2.0),
        -graph.total_weight / 2.0,
        dimod.SPIN,
    )
    return bqm if vartype is dimod.SPIN else bqm.change_vartype(dimod.BINARY, inplace=False)


@dataclass(frozen=True)
class MaxCutReduction:
    """A model rewritten as max-cut: ``energy(s) = energy_constant - cut(s')``.

    ``labels[k]`` is the model variable at graph vertex ``k``. With ``auxiliary`` set, the
    last vertex is an extra spin carrying the linear terms; a cut assignment ``s'`` maps back
    to the model by flipping every spin when that vertex is ``-1`` (:meth:`to_sample`).
    """

    graph: MaxCutGraph
    labels: list
    energy_constant: float
    auxiliary: bool
    vartype: dimod.Vartype

    def to_sample(self, cut_spins: Any) -> dict:
        """Map a ±1 assignment of the graph's vertices to a sample of the model."""
        s = np.asarray(cut_spins, dtype=np.int64)
        if s.shape != (self.graph.num_nodes,) or not np.isin(s, (-1, 1)).all():
            raise ValueError(f"cut_spins must be {self.graph.num_nodes} values of ±1")
        if self.auxiliary:
            s = s[:-1] * s[-1]
        if self.vartype is dimod.BINARY:
            s = (s + 1) // 2
        return dict(zip(self.labels, s.tolist(), strict=True))


def bqm_to_maxcut(bqm: dimod.BinaryQuadraticModel) -> MaxCutReduction:
    """Rewrite any SPIN/BINARY model as weighted max-cut (the converse of :func:`maxcut_bqm`).

    In spin form ``E(s) = c + sum h_i s_i + sum J_ij s_i s_j``. Edges get ``w_ij = 2 J_ij``;
    linear terms become edges ``w_i,a = 2 h_i`` to an auxiliary vertex ``a`` (added only when
    some ``h_i != 0``). Then ``E = energy_constant - cut`` with
    ``energy_constant = c + sum J_ij + sum h_i``.
    """
    if not isinstance(bqm, dimod.BinaryQuadraticModel):
        raise TypeError(f"bqm must be a dimod.BinaryQuadraticModel, got {type(bqm).__name__}")
    spin = bqm.spin if bqm.vartype is dimod.BINARY else bqm
    labels = list(spin.variables)
    h, (rows, cols, vals), offset = spin.to_numpy_vectors(variable_order=labels)
    h = np.asarray(h, dtype=np.float64)
    rows, cols, vals = (np.asarray(rows, np.int64), np.asarray(cols, np.int64),
                        np.asarray(vals, np.float64))
    keep = vals != 0
    edges = [np.stack([rows[keep], cols[keep]], axis=1)]
    weights = [2.0 * vals[keep]]
    linear = np.flatnonzero(h)
    auxiliary = bool(len(linear))
    n = len(labels)
    if auxiliary:
        edges.append(np.stack([linear, np.full(len(linear), n)], axis=1))
        weights.append(2.0 * h[linear])
    graph = MaxCutGraph(n + int(auxiliary), np.concatenate(edges), np.concatenate(weights))
    constant = float(offset) + float(vals.sum()) + float(h.sum())
    return MaxCutReduction(graph, labels, constant, auxiliary, bqm.vartype)


def _partition(sample: Any, nodes: list | None, n: int) -> np.ndarray:
    """Boolean side (value == 1) of each vertex from a ±1 or 0/1 sample."""
    if isinstance(sample, Mapping):
        order = nodes if nodes is not None else list(range(n))
        missing = [v for v in order if v not in sample]
        if missing:
            raise ValueError(f"sample lacks vertices {missing[:5]!r}")
        values = np.array([sample[v] for v in order])
    else:
        values = np.asarray(sample)
    if values.shape != (n,):
        raise ValueError(f"sample must give {n} values (one per vertex), got shape "
                         f"{values.shape}")
    present = set(np.unique(values).tolist())
    if not present <= {-1, 0, 1} or {-1, 0} <= present:
        raise ValueError("sample values must be spins (±1) or bits (0/1)")
    return values == 1


def cut_value(graph_or_weights: Any, sample: Any) -> float:
    """Total weight of the edges whose ends lie on different sides of ``sample``.

    ``graph_or_weights``: a :class:`MaxCutGraph`; an ``(n, n)`` weight array (a symmetric
    matrix counts each edge once; a non-symmetric one is read as ``W + W.T``, e.g. an upper
    triangle; the diagonal is ignored); or a :mod:`networkx` graph (edge attribute
    ``"weight"``, default 1). ``sample``: ``n`` spins (±1) or bits (0/1) in vertex order, or
    a mapping vertex → value. Spin ``+1`` and bit ``1`` are the same side, so the spin and
    QUBO samples of one assignment have the same cut.
    """
    if isinstance(graph_or_weights, MaxCutGraph):
        side = _partition(sample, None, graph_or_weights.num_nodes)
        i, j = graph_or_weights.edges.T
        return float(graph_or_weights.weights[side[i] != side[j]].sum())
    if hasattr(graph_or_weights, "edges") and hasattr(graph_or_weights, "nodes"):
        nodes = list(graph_or_weights.nodes)
        side = dict(zip(nodes, _partition(sample, nodes, len(nodes)), strict=True))
        return float(sum(d.get("weight", 1) for u, v, d in graph_or_weights.edges(data=True)
                         if u != v and side[u] != side[v]))
    w = np.asarray(graph_or_weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise TypeError("graph_or_weights must be a MaxCutGraph, a networkx graph or a square "
                        f"weight matrix, got {type(graph_or_weights).__name__}")
    if not np.allclose(w, w.T, rtol=0, atol=0):
        w = w + w.T
    side = _partition(sample, None, w.shape[0])
    return float((np.triu(w, 1) * (side[:, None] != side[None, :])).sum())


# --------------------------------------------------------------------------- G-set files
def gset_cache_dir() -> Path:
    """``$ISINGBENCH_CACHE/gset`` if the variable is set, else ``~/.cache/isingbench/gset``."""
    env = os.environ.get("ISINGBENCH_CACHE")
    return (Path(env) if env else Path.home() / ".cache" / "isingbench") / "gset"


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not _GSET_NAME.match(name):
        raise ValueError(f"a G-set name looks like 'G22', got {name!r}")
    return name


def _default_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("ISINGBENCH_GSET_DIR"):
        dirs.append(Path(os.environ["ISINGBENCH_GSET_DIR"]))
    dirs.append(Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gset")
    dirs.append(gset_cache_dir())
    return dirs


def _candidates(directory: Path, name: str) -> list[Path]:
    return [directory / f"{name}.txt", directory / name]


def find_gset(name: str, data_dir: str | os.PathLike | None = None, *,
              download: bool = False) -> Path:
    """The path of G-set instance ``name`` (e.g. ``"G22"``, file ``G22.txt`` or ``G22``).

    Looks in ``data_dir`` when given, else in ``$ISINGBENCH_GSET_DIR``, ``../shared/data/gset``
    beside the source tree and the user cache. If it is not there and ``download`` is true,
    fetches it with :func:`download_gset`; otherwise raises ``FileNotFoundError`` saying where
    it looked.
    """
    name = _check_name(name)
    dirs = [Path(data_dir)] if data_dir is not None else _default_dirs()
    for directory in dirs:
        for path in _candidates(directory, name):
            if path.is_file():
                return path
    if download:
        return download_gset(name)
    looked = ", ".join(f"{d}" + ("" if d.is_dir() else " (no such directory)") for d in dirs)
    raise FileNotFoundError(
        f"G-set instance {name} not found in {looked}; put {name}.txt in one of them, point "
        f"$ISINGBENCH_GSET_DIR or the problem's data_dir (data_dir=... in Python) at a folder "
        f"that holds it, or download it once with "
        f"python -c \"from suites.instances import download_gset; download_gset({name!r})\""
    )


class GsetDownloadError(ConnectionError):
    """A G-set file could not be downloaded (no network, or a bad answer)."""


def _fetch(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed https
        return response.read()


def download_gset(name: str, cache_dir: str | os.PathLike | None = None, *,
                  url: str | None = None, timeout: float = 30.0,
                  fetch: Callable[[str, float], bytes] | None = None) -> Path:
    """Download public G-set instance ``name`` into the cache and return its path.

    Opt-in only: nothing else in the project downloads. The file is parsed before it is
    stored (atomically, as ``<cache>/<name>.txt``); an existing cached copy is returned
    as is. Offline or on a bad answer, raises :class:`GsetDownloadError` explaining how to
    place the file by hand.
    """
    name = _check_name(name)
    directory = Path(cache_dir) if cache_dir is not None else gset_cache_dir()
    target = directory / f"{name}.txt"
    if target.is_file():
        return target
    source = url or GSET_URL.format(name=name)
    try:
        payload = (fetch or _fetch)(source, timeout)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise GsetDownloadError(
            f"could not download G-set {name} from {source} ({exc}). This machine looks "
            f"offline or the server is unreachable: copy the file by hand to {target}, or "
            f"pass data_dir= to find_gset()/load_gset() with a folder that holds it"
        ) from exc
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        try:
            load_gset(tmp)
        except ValueError as exc:
            raise GsetDownloadError(f"{source} did not return a G-set file: {exc}") from exc
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def gset_best_known_table(data_dir: str | os.PathLike) -> dict[str, int]:
    """Best-known cuts from the ``README.md`` table in ``data_dir``.

    Reads markdown table rows whose first cell is a G-set name and whose last cell starts
    with an integer (text after it, such as a remark, is ignored).
    """
    readme = Path(data_dir) / "README.md"
    if not readme.is_file():
        raise FileNotFoundError(f"no README.md with best-known cuts in {data_dir}")
    table: dict[str, int] = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not _GSET_NAME.match(cells[0]):
            continue
        match = re.match(r"^(\d+)", cells[-1].replace(",", ""))
        if match:
            table[cells[0]] = int(match.group(1))
    return table


def gset_best_known(name: str, data_dir: str | os.PathLike) -> int | None:
    """Best-known cut of ``name`` from ``data_dir/README.md``, or ``None`` if not listed."""
    return gset_best_known_table(data_dir).get(_check_name(name))
