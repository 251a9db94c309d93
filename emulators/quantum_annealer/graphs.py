"""Hardware graphs of the emulated annealer: Pegasus, Zephyr and Chimera lattices or your own.

Facts from DESIGN.md §5.3: Pegasus P(m) has 24m(m−1) qubits (fabric only: 24m(m−1) − 8(m−1)),
Advantage is P16 (5,640 fabric qubits); Zephyr Z(m, t) has 4tm(2m+1) qubits, Advantage2 is
Z(12, 4) (4,800); Chimera C(m, n, t) has 2tmn. :func:`hardware_graph` builds the working
graph and removes broken qubits and couplers by list or at random by seed. Building P16 or
Z(12, 4) takes a noticeable fraction of a second, so the presets build theirs on first use
(see :mod:`.presets`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

try:  # dwave-graphs replaces dwave-networkx (same generators)
    import dwave.graphs as _graphs
except ImportError:  # pragma: no cover - older installs
    import dwave_networkx as _graphs

__all__ = ["TOPOLOGIES", "full_size", "hardware_graph"]

TOPOLOGIES = ("pegasus", "zephyr", "chimera")


def full_size(topology: str, shape: tuple[int, ...]) -> int:
    """Number of qubit labels in the full (not fabric-only) lattice."""
    if topology == "pegasus":
        return 24 * shape[0] * (shape[0] - 1)
    if topology == "zephyr":
        m, t = shape
        return 4 * t * m * (2 * m + 1)
    if topology == "chimera":
        m, n, t = shape
        return 2 * t * m * n
    raise ValueError(f"unknown topology {topology!r}")


def _lattice(topology: str, shape: tuple[int, ...]) -> nx.Graph:
    if topology == "pegasus":
        return _graphs.pegasus_graph(shape[0], fabric_only=True)
    if topology == "zephyr":
        return _graphs.zephyr_graph(shape[0], shape[1])
    if topology == "chimera":
        return _graphs.chimera_graph(shape[0], shape[1], shape[2])
    raise ValueError(f"topology must be one of {TOPOLOGIES} (or pass a networkx graph), got "
                     f"{topology!r}")


def _normalise_shape(topology: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        shape = (shape,)
    try:
        shape = tuple(int(x) for x in shape)
    except TypeError:
        raise TypeError(f"shape must be an int or a tuple of ints, got {shape!r}") from None
    defaults = {"pegasus": (), "zephyr": (4,), "chimera": None}
    if topology == "chimera" and len(shape) == 1:
        shape = (shape[0], shape[0], 4)
    elif topology == "chimera" and len(shape) == 2:
        shape = (*shape, 4)
    elif topology == "zephyr" and len(shape) == 1:
        shape = (*shape, *defaults["zephyr"])
    wanted = {"pegasus": 1, "zephyr": 2, "chimera": 3}[topology]
    if len(shape) != wanted or min(shape) < 1 or (topology == "pegasus" and shape[0] < 2):
        raise ValueError(f"shape {shape!r} is not a valid {topology} shape")
    return shape


def hardware_graph(
    topology: str | nx.Graph,
    shape: int | tuple[int, ...] | None = None,
    *,
    broken_qubits: Iterable | None = None,
    broken_couplers: Iterable[tuple] | None = None,
    num_broken_qubits: int = 0,
    num_broken_couplers: int = 0,
    seed: int | None = None,
) -> nx.Graph:
    """The working graph of a machine.

    ``topology`` is ``"pegasus"`` (``shape=m``; fabric-only), ``"zephyr"`` (``(m, t)``),
    ``"chimera"`` (``(m, n, t)``; ``m`` alone means ``(m, m, 4)``) or a networkx graph of
    your own. Listed ``broken_qubits``/``broken_couplers`` are removed, then
    ``num_broken_qubits``/``num_broken_couplers`` more at random (``seed``).
    """
    if isinstance(topology, nx.Graph):
        graph = nx.Graph(topology)
        graph.graph.setdefault("family", "custom")
    else:
        if topology not in TOPOLOGIES:
            raise ValueError(f"topology must be one of {TOPOLOGIES} or a networkx graph, got "
                             f"{topology!r}")
        if shape is None:
            raise ValueError(f"shape is required for a {topology} graph")
        shape = _normalise_shape(topology, shape)
        graph = _lattice(topology, shape)
        graph.graph["shape"] = shape
    for name, value in (("num_broken_qubits", num_broken_qubits),
                        ("num_broken_couplers", num_broken_couplers)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    for q in broken_qubits or ():
        if q not in graph:
            raise ValueError(f"broken qubit {q!r} is not in the graph")
        graph.remove_node(q)
    for u, v in broken_couplers or ():
        if not graph.has_edge(u, v):
            raise ValueError(f"broken coupler {(u, v)!r} is not in the graph")
        graph.remove_edge(u, v)
    rng = np.random.default_rng(seed)
    if num_broken_qubits:
        nodes = sorted(graph.nodes)
        if num_broken_qubits >= len(nodes):
            raise ValueError(f"num_broken_qubits={num_broken_qubits} leaves no working qubit")
        picks = rng.choice(len(nodes), size=num_broken_qubits, replace=False)
        graph.remove_nodes_from(nodes[i] for i in picks)
    if num_broken_couplers:
        edges = sorted(tuple(sorted(e)) for e in graph.edges)
        if num_broken_couplers > len(edges):
            raise ValueError(f"num_broken_couplers={num_broken_couplers} exceeds the "
                             f"{len(edges)} couplers")
        picks = rng.choice(len(edges), size=num_broken_couplers, replace=False)
        graph.remove_edges_from(edges[i] for i in picks)
    return graph
