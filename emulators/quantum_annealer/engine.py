"""Backend dispatch of the quantum-annealer emulator, and the model as it is programmed.

:func:`program` turns a model into :class:`HardwareModel` arrays the way the QPU takes it
(``auto_scale`` into the ranges, or a range check; Gaussian control errors drawn once per
call); :func:`run_backend` anneals those arrays with one of the backends:

* ``"sqa"`` — simulated quantum annealing: continuous-time path-integral Monte Carlo of the
  transverse-field Ising model along :class:`~.physics.AnnealSchedule`, using
  :class:`dwave.samplers.PathIntegralAnnealingSampler` (``beta_schedule_type="custom"`` with
  per-sweep problem and driver fields). Samples are the classical projection of the
  worldlines at the end (``s = 1``).
* ``"sqa-trotter"`` — our discrete-time (Suzuki–Trotter, ``schedule.trotter_slices``
  replicas) SQA kernel in numba (:mod:`.kernels_cpu`), same schedule and fields; much cheaper
  per sweep than the continuous-time sampler on large graphs (see the benchmark).
* ``"classical"`` — a cheap stand-in: Metropolis simulated annealing
  (:class:`dwave.samplers.SimulatedAnnealingSampler`) with a geometric inverse-temperature
  ramp ending at the schedule's effective ``B(1) / (2 k_B T)``, visiting spins in random
  order (a fixed sweep order lets zero-cost domain walls travel in lockstep, e.g. on rings).

Every backend takes the model as arrays over qubit indices ``0..n-1`` and returns
``(reads, n)`` int8 spins in read order.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import dimod
import numpy as np
import scipy.sparse as sp
from dwave.samplers import PathIntegralAnnealingSampler, SimulatedAnnealingSampler

from emulators._core.arrays import as_spin
from emulators.quantum_annealer.kernels_cpu import sqa_trotter
from emulators.quantum_annealer.physics import (
    AnnealSchedule,
    apply_control_errors,
    auto_scale_factor,
    check_in_ranges,
)

__all__ = ["BACKENDS", "HardwareModel", "program", "run_backend"]

#: Names accepted by ``backend=``.
BACKENDS = ("sqa", "sqa-trotter", "classical")


class HardwareModel(NamedTuple):
    """A spin model over qubit indices ``0..n-1`` in hardware units: fields ``h`` and the
    couplers ``(rows[k], cols[k])`` of strength ``j[k]``."""

    h: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    j: np.ndarray


def program(bqm: dimod.BinaryQuadraticModel, spec: Any, *, auto_scale: bool, h_noise: float,
            j_noise: float, rng: np.random.Generator) -> tuple[list, HardwareModel, float]:
    """``(labels, programmed model, auto-scale factor)`` of ``bqm`` on ``spec``.

    ``auto_scale=True`` multiplies ``h`` and ``J`` by the largest common factor that keeps them
    in ``spec.bias_range``/``spec.coupler_range``; ``False`` refuses values outside
    ``bias_range``/``extended_j_range``. Then the control errors are added (one draw).
    """
    spin = as_spin(bqm)
    labels = list(spin.variables)
    h, (rows, cols, j), _ = spin.to_numpy_vectors(variable_order=labels)
    if auto_scale:
        scale = auto_scale_factor(h, j, spec.bias_range, spec.coupler_range)
    else:
        check_in_ranges(h, j, spec.bias_range, spec.extended_j_range)
        scale = 1.0
    h_hw, j_hw = apply_control_errors(h * scale, j * scale, h_noise, j_noise, rng)
    return labels, HardwareModel(h_hw, rows, cols, j_hw), scale


def _model(h: np.ndarray, rows: np.ndarray, cols: np.ndarray, j: np.ndarray
           ) -> dimod.BinaryQuadraticModel:
    return dimod.BinaryQuadraticModel.from_numpy_vectors(
        np.asarray(h, dtype=float), (rows, cols, np.asarray(j, dtype=float)), 0.0, dimod.SPIN,
        variable_order=range(len(h)),
    )


def _spins(sampleset: dimod.SampleSet, n: int) -> np.ndarray:
    order = [sampleset.variables.index(v) for v in range(n)]
    return np.ascontiguousarray(sampleset.record.sample[:, order], dtype=np.int8)


def _hot_beta(h: np.ndarray, rows: np.ndarray, cols: np.ndarray, j: np.ndarray) -> float:
    """Inverse temperature at which the stiffest spin flips with probability about 1/2."""
    field = np.abs(np.asarray(h, dtype=float)).copy()
    np.add.at(field, rows, np.abs(j))
    np.add.at(field, cols, np.abs(j))
    top = float(field.max(initial=0.0))
    return math.log(2.0) / (2.0 * top) if top > 0 else 0.01


def run_backend(backend: str, model: HardwareModel, *, num_reads: int, num_sweeps: int,
                schedule: AnnealSchedule, seed: int) -> np.ndarray:
    """Sample the Ising model ``model`` (hardware units) with ``backend``.

    ``seed`` must lie in ``[1, 2**31 - 1]`` (the dwave-samplers generators take 32 bits).
    """
    h, rows, cols, j = model
    n = len(h)
    bqm = _model(h, rows, cols, j)
    if backend == "sqa":
        problem, driver = schedule.fields(num_sweeps)
        result = PathIntegralAnnealingSampler().sample(
            bqm, num_reads=num_reads, beta_schedule_type="custom", Hp_field=problem,
            Hd_field=driver, num_sweeps_per_beta=1, seed=seed,
        )
    elif backend == "sqa-trotter":
        problem, driver = schedule.fields(num_sweeps)
        matrix = sp.csr_matrix((np.concatenate([j, j]), (np.concatenate([rows, cols]),
                                                         np.concatenate([cols, rows]))),
                               shape=(n, n))
        matrix.sum_duplicates()
        seeds = np.random.default_rng(seed).integers(0, 2**32 - 1, size=num_reads)
        return sqa_trotter(h, matrix.indptr, matrix.indices, matrix.data, problem, driver,
                           schedule.trotter_slices, seeds)
    elif backend == "classical":
        final = schedule.final_beta
        hot = min(_hot_beta(h, rows, cols, j), final / 10.0)
        result = SimulatedAnnealingSampler().sample(
            bqm, num_reads=num_reads, num_sweeps=num_sweeps, beta_range=(hot, final),
            beta_schedule_type="geometric", seed=seed, randomize_order=True,
        )
    else:  # the public boundary checks the name; this guards internal misuse
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    return _spins(result, n)
