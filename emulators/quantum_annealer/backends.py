"""Sampling backends of the quantum-annealer emulator.

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

Both take the model as arrays over qubit indices ``0..n-1`` and return ``(reads, n)`` int8
spins in read order.
"""

from __future__ import annotations

import math

import dimod
import numpy as np
import scipy.sparse as sp
from dwave.samplers import PathIntegralAnnealingSampler, SimulatedAnnealingSampler

from emulators.quantum_annealer.kernels_cpu import sqa_trotter
from emulators.quantum_annealer.physics import AnnealSchedule

__all__ = ["BACKENDS", "run_backend"]

#: Names accepted by ``backend=``.
BACKENDS = ("sqa", "sqa-trotter", "classical")


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


def run_backend(
    backend: str,
    h: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    j: np.ndarray,
    *,
    num_reads: int,
    num_sweeps: int,
    schedule: AnnealSchedule,
    seed: int,
) -> np.ndarray:
    """Sample the Ising model ``(h, J)`` (hardware units) with ``backend``.

    ``seed`` must lie in ``[1, 2**31 - 1]`` (the dwave-samplers generators take 32 bits).
    """
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
