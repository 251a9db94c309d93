"""Discrete-time (Trotter) simulated quantum annealing kernel (numba, CPU).

The transverse-field Ising model at inverse temperature β is mapped onto ``P`` coupled
classical replicas (Suzuki–Trotter). With the per-sweep fields of
:meth:`~.physics.AnnealSchedule.fields` — ``problem = β·B(s)/2`` and ``driver = β·A(s)/2`` —
the action of a configuration ``s[p, i]`` is::

    S = Σ_p [ (problem / P) · E(s[p]) − J⊥ Σ_i s[p, i] s[p+1, i] ],
    J⊥ = ½ · ln coth(driver / P)          (periodic in p)

and configurations are sampled with weight ``exp(−S)``. One sweep = one Metropolis pass
over every spin of every slice (slice by slice, sites in order), then ``n`` whole-worldline flips
at random sites
(all slices of one spin at once, which leaves the Trotter term unchanged and keeps the
dynamics ergodic once ``J⊥`` is large late in the anneal). The read-out is slice 0.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["MAX_TROTTER_COUPLING", "sqa_trotter", "trotter_coupling"]

#: ``J⊥`` used when the driver has vanished (slices are then locked; only worldline moves act).
MAX_TROTTER_COUPLING = 30.0


def trotter_coupling(driver: np.ndarray, num_slices: int) -> np.ndarray:
    """``J⊥ = ½ ln coth(driver / P)`` per sweep, capped at :data:`MAX_TROTTER_COUPLING`."""
    x = np.asarray(driver, dtype=np.float64) / num_slices
    out = np.full(x.shape, MAX_TROTTER_COUPLING)
    live = x > 1e-12
    out[live] = np.minimum(0.5 * np.log(1.0 / np.tanh(x[live])), MAX_TROTTER_COUPLING)
    return out


@numba.njit(cache=True)
def _one_read(h, indptr, indices, data, problem, coupling, num_slices, seed, out):
    np.random.seed(seed)
    n = h.shape[0]
    p_count = num_slices
    spins = np.empty((p_count, n), dtype=np.int8)
    for p in range(p_count):
        for i in range(n):
            spins[p, i] = 1 if np.random.random() < 0.5 else -1
    fields = np.empty((p_count, n), dtype=np.float64)
    for p in range(p_count):
        for i in range(n):
            f = h[i]
            for k in range(indptr[i], indptr[i + 1]):
                f += data[k] * spins[p, indices[k]]
            fields[p, i] = f
    for sweep in range(problem.shape[0]):
        a = problem[sweep] / p_count
        jp = coupling[sweep]
        for p in range(p_count):
            up_slice = (p + 1) % p_count
            down_slice = (p - 1 + p_count) % p_count
            for i in range(n):
                s = spins[p, i]
                delta = -2.0 * s * (a * fields[p, i]
                                    - jp * (spins[up_slice, i] + spins[down_slice, i]))
                if delta <= 0.0 or np.random.random() < math.exp(-delta):
                    spins[p, i] = -s
                    step = -2.0 * s
                    for k in range(indptr[i], indptr[i + 1]):
                        fields[p, indices[k]] += step * data[k]
        for _ in range(n):
            i = np.random.randint(0, n)
            delta = 0.0
            for p in range(p_count):
                delta += spins[p, i] * fields[p, i]
            delta *= -2.0 * a
            if delta <= 0.0 or np.random.random() < math.exp(-delta):
                for p in range(p_count):
                    s = spins[p, i]
                    spins[p, i] = -s
                    step = -2.0 * s
                    for k in range(indptr[i], indptr[i + 1]):
                        fields[p, indices[k]] += step * data[k]
    for i in range(n):
        out[i] = spins[0, i]


@numba.njit(cache=True)
def _all_reads(h, indptr, indices, data, problem, coupling, num_slices, seeds, out):
    for r in range(seeds.shape[0]):
        _one_read(h, indptr, indices, data, problem, coupling, num_slices, seeds[r], out[r])


def sqa_trotter(
    h: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    problem: np.ndarray,
    driver: np.ndarray,
    num_slices: int,
    seeds: np.ndarray,
) -> np.ndarray:
    """``(len(seeds), n)`` int8 spins, one read per seed (CSR couplings, both directions)."""
    n = len(h)
    out = np.empty((len(seeds), n), dtype=np.int8)
    _all_reads(
        np.ascontiguousarray(h, dtype=np.float64),
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(indices, dtype=np.int64),
        np.ascontiguousarray(data, dtype=np.float64),
        np.ascontiguousarray(problem, dtype=np.float64),
        trotter_coupling(driver, num_slices),
        int(num_slices),
        np.ascontiguousarray(seeds, dtype=np.int64) % (2**32 - 1),
        out,
    )
    return out
