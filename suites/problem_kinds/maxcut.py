"""Max-cut problems: generated dense ±1 instances and G-set files (via :mod:`suites.instances`).

Models are built with ``energy = -cut`` (:func:`suites.instances.maxcut_bqm`), so the cut of
every read is stored next to its energy and the target cut converts to a target energy.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from suites.instances import (
    dense_pm1_instance,
    find_gset,
    gset_best_known,
    load_gset,
    maxcut_bqm,
    neighbourhood,
)
from suites.problems import BuiltProblem, InstanceReader, Param, ProblemKind

_VARTYPES = ("SPIN", "BINARY")


def _check_vartype(params: Mapping[str, Any]) -> None:
    if params.get("vartype", "SPIN") not in _VARTYPES:
        raise ValueError(f"vartype must be one of {_VARTYPES}, got {params['vartype']!r}")


def _gset_file(params: Mapping[str, Any]) -> list[tuple[Path, InstanceReader]]:
    """The G-set file a problem names, read with :func:`load_gset` at validation."""
    if "instance" not in params:
        return []
    return [(find_gset(params["instance"], params.get("data_dir")), load_gset)]


class DenseMaxCut(ProblemKind):
    """K2000-style max-cut: complete graph on ``n`` vertices, ±1 weights from ``instance_seed``.

    No best-known value applies, so the target is the best cut any machine finds in the run
    (or an exact ground state for tiny ``n`` under the ``auto`` policy).
    """

    description = "generated dense ±1 max-cut instance (complete graph, K2000-style)"
    params = {
        "n": Param("int", "number of vertices (>= 2)", required=True),
        "instance_seed": Param("int", "seed of the ±1 weights", default=0),
        "vartype": Param("str", "model form: SPIN (Ising) or BINARY (QUBO)", default="SPIN"),
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        if params.get("n", 2) < 2:
            raise ValueError(f"n must be >= 2, got {params['n']}")
        if params.get("instance_seed", 0) < 0:
            raise ValueError("instance_seed must be >= 0")
        _check_vartype(params)

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        graph = dense_pm1_instance(params["n"], params["instance_seed"])
        return BuiltProblem(
            bqm=maxcut_bqm(graph, params["vartype"]), objective=("cut", 0.0, -1.0),
            info={"instance": graph.name, "num_edges": graph.num_edges},
        )


class GsetMaxCut(ProblemKind):
    """A G-set instance read from ``data_dir`` (or the default search path of
    :func:`suites.instances.find_gset`: ``$ISINGBENCH_GSET_DIR``, ``../shared/data/gset`` beside
    the source tree, the user cache). The target is the best-known cut listed in the
    directory's ``README.md`` when there is one."""

    description = "G-set max-cut instance from a directory you name (best-known cut as target)"
    params = {
        "instance": Param("str", "instance name, e.g. G11", required=True),
        "data_dir": Param("path", "directory holding G<k>.txt (and README.md with best cuts)"),
        "vartype": Param("str", "model form: SPIN (Ising) or BINARY (QUBO)", default="SPIN"),
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        _check_vartype(params)

    def instance_files(self, params: Mapping[str, Any]) -> list[tuple[Path, InstanceReader]]:
        return _gset_file(params)

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        path = find_gset(params["instance"], params.get("data_dir"))
        graph = load_gset(path)
        try:
            best = gset_best_known(params["instance"], path.parent)
        except FileNotFoundError:
            best = None
        return BuiltProblem(
            bqm=maxcut_bqm(graph, params["vartype"]),
            target_energy=None if best is None else -float(best),
            target_source=None if best is None else "best_known",
            objective=("cut", 0.0, -1.0),
            info={"instance": graph.name, "num_edges": graph.num_edges, "file": str(path),
                  "best_known_cut": best},
        )


class GsetNeighbourhood(ProblemKind):
    """The subgraph of a G-set instance induced by a breadth-first neighbourhood of ``size``
    vertices from ``start`` (:func:`suites.instances.neighbourhood`): pieces small enough to
    embed on a quantum annealer. No best-known cut applies; under the ``auto`` target policy
    pieces of at most 20 vertices get the exact ground state, larger ones the best cut any
    machine finds in the run."""

    description = "breadth-first neighbourhood of a G-set instance (embeddable max-cut pieces)"
    params = {
        "instance": Param("str", "instance name, e.g. G1", required=True),
        "size": Param("int", "number of vertices of the neighbourhood (>= 2)", required=True),
        "start": Param("int", "vertex the breadth-first search starts from (0-based)", default=0),
        "data_dir": Param("path", "directory holding G<k>.txt"),
        "vartype": Param("str", "model form: SPIN (Ising) or BINARY (QUBO)", default="SPIN"),
    }

    def instance_files(self, params: Mapping[str, Any]) -> list[tuple[Path, InstanceReader]]:
        return _gset_file(params)

    def check_params(self, params: Mapping[str, Any]) -> None:
        if params.get("size", 2) < 2:
            raise ValueError(f"size must be >= 2, got {params['size']}")
        if params.get("start", 0) < 0:
            raise ValueError("start must be >= 0")
        _check_vartype(params)

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        path = find_gset(params["instance"], params.get("data_dir"))
        graph = neighbourhood(load_gset(path), params["size"], params.get("start", 0))
        return BuiltProblem(
            bqm=maxcut_bqm(graph, params["vartype"]), objective=("cut", 0.0, -1.0),
            info={"instance": graph.name, "num_edges": graph.num_edges, "file": str(path)},
        )
