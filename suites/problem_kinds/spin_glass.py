"""Spin glasses of the Digital Annealer benchmarks (Aramon et al., Front. Phys. 7:48, 2019).

Both kinds are Ising models ``E(s) = sum_(i<j) J_ij s_i s_j`` without fields, couplings drawn
from ``instance_seed``: ``bimodal`` (±1 with equal probability) or ``gaussian`` (standard
normal). No ground state is known, so the target is the exact one for tiny models under the
``auto`` policy, else the best energy any machine finds in the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dimod
import numpy as np

from suites.problems import BuiltProblem, Param, ProblemKind

COUPLINGS = ("bimodal", "gaussian")
_COUPLINGS = Param("str", "bimodal (±1) or gaussian (standard normal)", default="bimodal")
_SEED = Param("int", "seed of the couplings", default=0)


def _couplings(count: int, kind: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "bimodal":
        return rng.choice(np.array([-1.0, 1.0]), size=count)
    return rng.standard_normal(count)


def sk_bqm(n: int, couplings: str = "bimodal", seed: int = 0) -> dimod.BinaryQuadraticModel:
    """Sherrington-Kirkpatrick model: every pair of ``n`` spins coupled."""
    rows, cols = np.triu_indices(n, 1)
    return dimod.BinaryQuadraticModel.from_numpy_vectors(
        np.zeros(n), (rows, cols, _couplings(len(rows), couplings, seed)), 0.0, dimod.SPIN)


def lattice_bqm(side: int, couplings: str = "bimodal", seed: int = 0,
                periodic: bool = True) -> dimod.BinaryQuadraticModel:
    """``side x side`` square lattice, nearest neighbours coupled (a torus when
    ``periodic``); spin ``r * side + c`` sits in row ``r``, column ``c``."""
    index = np.arange(side * side).reshape(side, side)
    if periodic:
        right, down = np.roll(index, -1, axis=1), np.roll(index, -1, axis=0)
        pairs = [(index, right), (index, down)]
    else:
        pairs = [(index[:, :-1], index[:, 1:]), (index[:-1, :], index[1:, :])]
    rows = np.concatenate([a.ravel() for a, _ in pairs])
    cols = np.concatenate([b.ravel() for _, b in pairs])
    return dimod.BinaryQuadraticModel.from_numpy_vectors(
        np.zeros(side * side), (rows, cols, _couplings(len(rows), couplings, seed)), 0.0,
        dimod.SPIN)


def _check(params: Mapping[str, Any], size_key: str, smallest: int) -> None:
    if params.get(size_key, smallest) < smallest:
        raise ValueError(f"{size_key} must be >= {smallest}, got {params[size_key]}")
    if params.get("couplings", "bimodal") not in COUPLINGS:
        raise ValueError(f"couplings must be one of {COUPLINGS}, got {params['couplings']!r}")
    if params.get("instance_seed", 0) < 0:
        raise ValueError("instance_seed must be >= 0")


class SKSpinGlass(ProblemKind):
    """A fully connected (Sherrington-Kirkpatrick) spin glass of ``n`` spins."""

    description = "fully connected SK spin glass, bimodal or Gaussian couplings (Aramon 2019)"
    params = {
        "n": Param("int", "number of spins (>= 2)", required=True),
        "couplings": _COUPLINGS,
        "instance_seed": _SEED,
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        _check(params, "n", 2)

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        bqm = sk_bqm(params["n"], params["couplings"], params["instance_seed"])
        return BuiltProblem(bqm=bqm, info={"family": "sk", "couplings": params["couplings"]})


class LatticeSpinGlass(ProblemKind):
    """A 2D ``side x side`` spin glass with nearest-neighbour couplings (toroidal by default)."""

    description = "2D square-lattice spin glass (toroidal), bimodal or Gaussian (Aramon 2019)"
    params = {
        "side": Param("int", "spins per row and column (>= 3)", required=True),
        "couplings": _COUPLINGS,
        "periodic": Param("bool", "wrap around (a torus) or open boundaries", default=True),
        "instance_seed": _SEED,
    }

    def check_params(self, params: Mapping[str, Any]) -> None:
        _check(params, "side", 3)

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        bqm = lattice_bqm(params["side"], params["couplings"], params["instance_seed"],
                          params["periodic"])
        return BuiltProblem(bqm=bqm, info={"family": "lattice", "couplings": params["couplings"],
                                           "periodic": params["periodic"]})
