"""The lanes kernel (reads as SIMD lanes) against exact statistics and the scalar kernel.

Both kernels run the same Metropolis chain per read with different random streams, so they
are compared in distribution: fixed-β sampling against the exact Boltzmann distribution
(chi-square), and the final energies of short anneals on G-set-like sparse models against
the scalar kernel's (Mann-Whitney U and Kolmogorov-Smirnov). Every seed is fixed, so the
tests are deterministic.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import dimod
import networkx as nx
import numba
import numpy as np
import pytest
from scipy import stats

from emulators._core.arrays import ising_arrays
from emulators._core.target import TargetStop
from emulators.annealing import SimulatedAnnealingSampler
from emulators.annealing.engine import LaneAnnealer, ScalarAnnealer, SweepPlan, anneal, lanes_fit
from emulators.annealing.kernels_lanes import LANES, seed_lanes
from emulators.annealing.schedules import default_beta_range, make_schedule
from emulators.annealing.storage import kernel_model
from suites.instances import load_gset, maxcut_bqm

GSET_DIR = Path(__file__).parents[2].parent / "shared" / "data" / "gset"


def gset_like(n: int, degree: float, signed: bool, seed: int) -> dimod.BinaryQuadraticModel:
    """Max-cut of an Erdős–Rényi graph with unit (G1-like) or ±1 (G6-like) weights."""
    graph = nx.gnp_random_graph(n, degree / (n - 1), seed=seed)
    rng = np.random.default_rng(seed)
    weights = rng.choice([-1.0, 1.0], graph.number_of_edges()) if signed else \
        np.ones(graph.number_of_edges())
    return dimod.BQM.from_ising({}, {e: 0.5 * w for e, w in zip(graph.edges, weights,
                                                                  strict=True)})


def small_sparse_model() -> dimod.BinaryQuadraticModel:
    """Ten spins on a ring with two chords, integer couplings and half-integer fields."""
    rng = np.random.default_rng(7)
    edges = [(i, (i + 1) % 10) for i in range(10)] + [(0, 5), (2, 7)]
    quadratic = {e: float(rng.integers(-2, 3)) or 1.0 for e in edges}
    linear = {i: 0.5 * float(rng.integers(-2, 3)) for i in range(10)}
    return dimod.BQM(linear, quadratic, 0.0, "SPIN")


def final_energies(runner, bqm, reads: int, sweeps: int, seed: int) -> np.ndarray:
    """Final energies (model units) of ``reads`` anneals by ``runner`` (default β range)."""
    model = kernel_model(ising_arrays(bqm, layout="sparse"))
    beta2s = 2.0 * make_schedule(default_beta_range(model.max_field,
                                                    model.smallest_coefficient),
                                 sweeps, "geometric") / model.scale
    rng = np.random.default_rng(seed)
    start = rng.choice(np.array([-1, 1], dtype=np.int8), size=(reads, model.num_variables))
    seeds = rng.integers(0, 2**63 - 1, size=reads).view(np.uint64)
    kernel = runner(model, start, seeds, TargetStop(None, reads))
    kernel.advance(beta2s, 0, sweeps)
    return ising_arrays(bqm).energies(kernel.spins())


# --------------------------------------------------------------------------- choice
def test_the_lanes_kernel_takes_sparse_integer_models_only():
    sparse_int = gset_like(200, 6, signed=True, seed=1)
    sparse_float = dimod.BQM.from_ising({}, {e: 0.3 * v for e, v in sparse_int.quadratic.items()})
    dense = dimod.generators.gnp_random_bqm(30, 0.8, "SPIN", random_state=1)
    kernels = {name: SimulatedAnnealingSampler().sample(bqm, num_reads=3, num_sweeps=5,
                                                        seed=0).info["kernel"]
               for name, bqm in (("sparse_int", sparse_int), ("sparse_float", sparse_float),
                                 ("dense", dense))}
    assert kernels == {"sparse_int": "lanes", "sparse_float": "scalar", "dense": "scalar"}
    assert not lanes_fit(kernel_model(ising_arrays(sparse_int, layout="dense")))


# --------------------------------------------------------------------------- statistics
def test_fixed_temperature_sweeps_sample_the_boltzmann_distribution():
    """8,000 reads × 60 sweeps at β = 0.6 on a 10-spin sparse model: the histogram of the
    1,024 states against the exact distribution (states expected fewer than 5 times are
    pooled), chi-square p-value above 0.001."""
    bqm = small_sparse_model()
    arrays = ising_arrays(bqm, layout="sparse")
    assert lanes_fit(kernel_model(arrays))
    beta, reads = 0.6, 8000
    rng = np.random.default_rng(11)
    start = rng.choice(np.array([-1, 1], dtype=np.int8), size=(reads, 10))
    result = anneal(arrays, rng, start, SweepPlan(60, "custom", betas=np.full(60, beta)), False)
    assert result.info["kernel"] == "lanes"
    states = np.array(list(itertools.product([-1, 1], repeat=10)), dtype=np.int8)
    weights = np.exp(-beta * (arrays.energies(states) - arrays.energies(states).min()))
    expected = reads * weights / weights.sum()
    index = ((result.spins > 0).astype(np.int64) << np.arange(9, -1, -1)).sum(axis=1)
    observed = np.bincount(index, minlength=len(states))
    rare = expected < 5
    obs = np.append(observed[~rare], observed[rare].sum())
    exp = np.append(expected[~rare], expected[rare].sum())
    assert stats.chisquare(obs, exp).pvalue > 1e-3


@pytest.mark.parametrize("signed", [False, True], ids=["unit-weights", "pm1-weights"])
def test_final_energies_follow_the_scalar_kernels_distribution(signed):
    """160 reads × 100 sweeps of each kernel on an 800-spin G-set-like model (mean degree 10):
    Mann-Whitney U and Kolmogorov-Smirnov p-values above 0.01."""
    bqm = gset_like(800, 10, signed, seed=3)
    lanes = final_energies(LaneAnnealer, bqm, 160, 100, seed=1)
    scalar = final_energies(ScalarAnnealer, bqm, 160, 100, seed=2)
    assert stats.mannwhitneyu(lanes, scalar).pvalue > 0.01
    assert stats.ks_2samp(lanes, scalar).pvalue > 0.01


@pytest.mark.slow
def test_g22_final_energies_follow_the_scalar_kernels_distribution():
    """G22 at the benchmark's budget (1,000 sweeps), 96 reads of each kernel."""
    if not (GSET_DIR / "G22.txt").is_file():
        pytest.skip(f"G22 not found in {GSET_DIR}")
    bqm = maxcut_bqm(load_gset(GSET_DIR / "G22.txt"))
    lanes = final_energies(LaneAnnealer, bqm, 96, 1000, seed=1)
    scalar = final_energies(ScalarAnnealer, bqm, 96, 1000, seed=2)
    assert stats.mannwhitneyu(lanes, scalar).pvalue > 0.01
    assert stats.ks_2samp(lanes, scalar).pvalue > 0.01


# --------------------------------------------------------------------------- bookkeeping
def test_fields_and_energies_stay_exact_in_every_lane():
    bqm = gset_like(300, 5, signed=True, seed=4)
    model = kernel_model(ising_arrays(bqm, layout="sparse"))
    n = model.num_variables
    rng = np.random.default_rng(0)
    start = rng.choice(np.array([-1, 1], dtype=np.int8), size=(21, n))  # two blocks
    kernel = LaneAnnealer(model, start, np.arange(1, 22, dtype=np.uint64), TargetStop(None, 21))
    kernel.advance(2.0 * make_schedule((0.05, 3.0), 40, "geometric") / model.scale, 0, 40)
    spins = kernel.spins()
    fields = model.fields(spins)
    lanes = kernel.fields.transpose(0, 2, 1).reshape(-1, n)[:21]
    np.testing.assert_array_equal(lanes, fields)
    np.testing.assert_array_equal(kernel.energy.ravel()[:21], model.energies(spins, fields))


def test_same_seed_same_samples_whatever_the_thread_count():
    bqm = gset_like(400, 6, signed=False, seed=5)
    sampler = SimulatedAnnealingSampler()
    first = sampler.sample(bqm, num_reads=40, num_sweeps=60, seed=9)  # three blocks
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single = sampler.sample(bqm, num_reads=40, num_sweeps=60, seed=9)
    finally:
        numba.set_num_threads(before)
    other = sampler.sample(bqm, num_reads=40, num_sweeps=60, seed=10)
    assert first.info["kernel"] == "lanes"
    np.testing.assert_array_equal(first.record.sample, single.record.sample)
    assert not np.array_equal(first.record.sample, other.record.sample)


def test_lane_streams_are_seeded_per_read_and_never_zero():
    states = seed_lanes(np.array([0, 1, 2], dtype=np.int64), 2)
    assert states.shape == (2, 4, LANES) and states.dtype == np.uint32
    assert np.all(states.any(axis=1))
    words = states.transpose(0, 2, 1).reshape(-1, 4)
    assert len({tuple(w) for w in words}) == 2 * LANES  # every lane its own stream
