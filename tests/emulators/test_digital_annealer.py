"""Tests of the Digital Annealer emulator (emulators/digital_annealer)."""

from __future__ import annotations

import itertools
import math

import dimod
import numba
import numpy as np
import pytest
from scipy import stats

from emulators._core.arrays import ising_arrays
from emulators._core.devices import require_cupy
from emulators.digital_annealer import DA1, DigitalAnnealerSampler, kernels_cpu, kernels_xp
from emulators.digital_annealer.engine import Engine, ExchangePlan
from emulators.digital_annealer.presets import user_spec
from emulators.machine import get_preset


# --------------------------------------------------------------------------- helpers
def random_qubo(n: int, seed: int, density: float = 1.0) -> dimod.BinaryQuadraticModel:
    """A random QUBO with float coefficients (so quantisation has work to do)."""
    rng = np.random.default_rng(seed)
    bqm = dimod.BinaryQuadraticModel("BINARY")
    for i in range(n):
        bqm.add_variable(i, rng.normal())
    for i, j in itertools.combinations(range(n), 2):
        if rng.random() < density:
            bqm.add_interaction(i, j, rng.normal())
    return bqm


def kernel_state(arrays, spins, seed: int = 0, offset: float = 0.0) -> dict:
    spins = np.array(spins, dtype=np.int8, copy=True)  # the kernels work in place
    energy = arrays.energies(spins)
    rows = len(spins)
    return {
        "spins": spins, "fields": np.ascontiguousarray(arrays.local_fields(spins)),
        "energy": energy, "offset": np.full(rows, offset), "best_energy": energy.copy(),
        "best_spins": spins.copy(),
        "rng_state": kernels_cpu.seed_states(np.random.default_rng(seed).integers(
            0, 2**62, rows)),
    }


def coupling(arrays) -> tuple:
    empty = np.zeros(1, dtype=np.int64)
    if arrays.is_dense:
        return arrays.dense, empty, empty, np.zeros(1), True
    return np.zeros((1, 1)), arrays.indptr, arrays.indices, arrays.data, False


def run_cpu(arrays, st, steps, temperature, single=False, offset_rate=0.0):
    kernels_cpu.anneal(kernels_cpu.RowState(**st), kernels_cpu.Couplings(*coupling(arrays)), 0,
                       steps, np.array([temperature]), 1 << 40, offset_rate, single)


def flip_probabilities(arrays, start, temperature, offset=0.0, single=False):
    """Exact probabilities that one step flips bit i (last entry: no flip)."""
    f = arrays.local_fields(start[None])[0]
    de = -2.0 * start * f
    p = np.minimum(1.0, np.exp(-(de - offset) / temperature))
    n = len(p)
    if single:
        probs = p / n
    else:
        probs = np.zeros(n)
        for i in range(n):
            others = [j for j in range(n) if j != i]
            for accepted in itertools.product([0, 1], repeat=n - 1):
                w = np.prod([p[j] if a else 1 - p[j] for j, a in zip(others, accepted,
                                                                       strict=True)])
                probs[i] += p[i] * w / (1 + sum(accepted))
    return np.append(probs, 1.0 - probs.sum())


def observed_flips(start, finals):
    changed = finals != start
    counts = changed.sum(axis=0).astype(float)
    return np.append(counts, (~changed.any(axis=1)).sum())


def assert_fits(observed, expected, level=1e-3):
    """Chi-square goodness of fit; outcomes with probability 0 must never occur."""
    impossible = expected == 0
    assert observed[impossible].sum() == 0
    assert stats.chisquare(observed[~impossible], expected[~impossible]).pvalue > level


TINY = dimod.BQM({0: 0.5, 1: -1.0, 2: 0.0, 3: 1.5},
                 {(0, 1): 1.0, (1, 2): -2.0, (2, 3): 0.5, (0, 3): -1.0}, 0.0, "SPIN")
TINY_START = np.array([1, -1, 1, 1], dtype=np.int8)


# --------------------------------------------------------------------------- presets / fit
def test_presets_registered_with_machine_facts():
    da1, da2, da3 = (get_preset(name) for name in ("DA1", "DA2", "DA3"))
    assert (da1.capacity, da1.coupler_bits, da1.bias_bits) == (1024, 16, 26)
    assert (da2.capacity, da2.coupler_bits, da2.bias_bits) == (8192, 64, 64)
    assert da3.capacity == 100_000
    for spec in (da1, da2, da3):
        assert spec.vartype is dimod.BINARY
        assert spec.clock.seconds_per_step > 0 and "assumption" in spec.clock.assumption


def test_quantised_integer_coefficients_fit_declared_bits():
    bqm = random_qubo(30, seed=1)
    stored = DA1.quantise(bqm).bqm
    assert stored.vartype is dimod.BINARY
    lin = np.array(list(stored.linear.values()))
    quad = np.array(list(stored.quadratic.values()))
    for values, bits in ((lin, 26), (quad, 16)):
        assert np.array_equal(values, np.round(values))
        assert np.abs(values).max() <= 2 ** (bits - 1) - 1
    # one global factor: the largest coefficient class fills its range exactly
    scale = DA1.quantise(bqm).scale
    assert math.isclose(max(np.abs(quad).max() / (2**15 - 1), np.abs(lin).max() / (2**25 - 1)),
                        1.0)
    ss = DigitalAnnealerSampler("DA1").sample(bqm, num_reads=2, number_iterations=200, seed=0)
    assert ss.info["fit"].scale == scale
    # the sampler's quantised energies are the stored model's (scaled) energies
    samples = dimod.as_samples(ss)
    assert np.allclose(ss.record.quantised_energy, stored.energies(samples))


def test_over_capacity_is_refused_with_the_excess():
    spec = user_spec("tiny", capacity=10)
    with pytest.raises(ValueError, match=r"13 variables .* at most 10 \(3 too many\)"):
        DigitalAnnealerSampler(spec).sample(random_qubo(13, seed=0), num_reads=1)


# --------------------------------------------------------------------------- energies, optimum
def test_energies_match_the_model_and_kernel_bookkeeping_is_exact():
    bqm = random_qubo(40, seed=2, density=0.3)
    ss = DigitalAnnealerSampler("DA1").sample(bqm, num_reads=4, number_iterations=500, seed=5)
    assert np.allclose(ss.record.energy, bqm.energies(ss))
    # integer model: incremental energies and fields equal recomputed ones exactly
    arrays = ising_arrays(DA1.quantise(bqm).bqm)
    start = np.random.default_rng(0).choice([-1, 1], size=(3, 40)).astype(np.int8)
    st = kernel_state(arrays, start)
    run_cpu(arrays, st, 300, temperature=float(np.abs(arrays.h).max()))
    assert np.array_equal(st["energy"], arrays.energies(st["spins"]))
    assert np.array_equal(st["fields"], arrays.local_fields(st["spins"]))
    assert np.array_equal(st["best_energy"], arrays.energies(st["best_spins"]))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("mode", ["annealing", "replica_exchange"])
def test_finds_exact_ground_state_of_small_models(seed, mode):
    bqm = random_qubo(14 + seed, seed=seed)
    ground = dimod.ExactSolver().sample(bqm).first.energy
    extra = {"number_replicas": 8} if mode == "replica_exchange" else {}
    ss = DigitalAnnealerSampler("DA1").sample(bqm, num_reads=4, number_iterations=3000,
                                              mode=mode, seed=seed, **extra)
    assert math.isclose(ss.first.energy, ground, rel_tol=1e-9, abs_tol=1e-9)


def test_64_bit_preset_keeps_ties_and_finds_ground_state():
    """DA2's 64-bit grid exceeds float64's mantissa: ties must not turn into noise-sized
    temperatures, and the ground state must still be found."""
    bqm = dimod.generators.ran_r(3, 14, seed=2).change_vartype("BINARY", inplace=False)
    ground = dimod.ExactSolver().sample(bqm).first.energy
    ss = DigitalAnnealerSampler("DA2").sample(bqm, num_reads=4, number_iterations=2000, seed=1)
    assert ss.info["fit"].scale > 2.0**53
    assert ss.info["temperature_end"] > 0.1  # in model units: integer couplings of size 1..3
    assert ss.first.energy == ground


def test_sparse_layout_finds_ground_state():
    bqm = dimod.generators.ran_r(1, (16, [(i, (i + 1) % 16) for i in range(16)]), seed=3)
    ground = dimod.ExactSolver().sample(bqm).first.energy
    ss = DigitalAnnealerSampler(None).sample(bqm, num_reads=3, number_iterations=2000, seed=1)
    assert ss.first.energy == ground


def test_decomposition_solves_a_model_over_capacity():
    bqm = random_qubo(16, seed=4)
    ground = dimod.ExactSolver().sample(bqm).first.energy
    spec = user_spec("half", capacity=8)
    ss = DigitalAnnealerSampler(spec).sample(bqm, num_reads=4, number_iterations=1000,
                                             decomposition=True, seed=2)
    assert ss.info["decomposition_rounds"] >= 1
    assert math.isclose(ss.first.energy, ground, rel_tol=1e-9)
    assert np.allclose(ss.record.energy, bqm.energies(ss))


# --------------------------------------------------------------------------- the step rule
def test_single_candidate_without_offset_is_single_flip_metropolis():
    """With ``trial="single"`` and offset 0 each step picks one bit uniformly and accepts it
    with min(1, exp(-dE/T)): one step from a fixed state flips bit i with probability
    (1/n) min(1, exp(-dE_i/T)). Checked by a chi-square test over 40,000 independent runs."""
    arrays = ising_arrays(TINY, layout="dense")
    rows, temperature = 40_000, 1.3
    st = kernel_state(arrays, np.tile(TINY_START, (rows, 1)), seed=11)
    run_cpu(arrays, st, 1, temperature, single=True)
    expected = flip_probabilities(arrays, TINY_START, temperature, single=True) * rows
    observed = observed_flips(TINY_START, st["spins"])
    assert_fits(observed, expected)
    # and the rule is not the parallel one (which flips far more often here)
    parallel = flip_probabilities(arrays, TINY_START, temperature)
    assert abs(parallel[-1] - expected[-1] / rows) > 0.1


@pytest.mark.parametrize("offset", [0.0, 1.5])
@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_parallel_trial_step_matches_exact_transition_probabilities(offset, layout):
    """Every bit tried with min(1, exp(-(dE - E_off)/T)), one accepted bit uniformly:
    P(flip i) = p_i * E[1 / (1 + #other accepted)], enumerated exactly."""
    arrays = ising_arrays(TINY, layout=layout)
    rows, temperature = 40_000, 1.3
    st = kernel_state(arrays, np.tile(TINY_START, (rows, 1)), seed=12, offset=offset)
    run_cpu(arrays, st, 1, temperature)
    expected = flip_probabilities(arrays, TINY_START, temperature, offset=offset) * rows
    assert_fits(observed_flips(TINY_START, st["spins"]), expected)


def test_xp_numpy_path_step_matches_exact_transition_probabilities():
    arrays = ising_arrays(TINY, layout="dense")
    rows, temperature = 40_000, 1.3
    start = np.tile(TINY_START, (rows, 1))
    for single in (False, True):
        dst = kernels_xp.to_device(np, start, arrays.local_fields(start), arrays.energies(start))
        kernels_xp.anneal(kernels_xp.Stepper(np, np.random.default_rng(3), arrays.dense, 0.0,
                                             single), dst, 0, 1, np.array([temperature]), 1)
        expected = flip_probabilities(arrays, TINY_START, temperature, single=single) * rows
        assert_fits(observed_flips(TINY_START, dst.spins), expected)


def test_dynamic_offset_grows_until_a_flip_then_resets():
    """At a local minimum with T ~ 0, nothing is accepted until E_off reaches the cheapest
    flip dE_min; the offset grows by the rate per empty step and resets after the flip."""
    bqm = dimod.BQM({}, {(0, 1): -1.0, (1, 2): -1.0, (0, 2): -1.0}, 0.0, "SPIN")
    arrays = ising_arrays(bqm, layout="dense")
    st = kernel_state(arrays, np.ones((1, 3), dtype=np.int8))
    assert np.all(-2 * st["spins"] * st["fields"] == 4.0)  # every flip costs 4
    run_cpu(arrays, st, 3, temperature=1e-9, offset_rate=1.0)
    assert st["offset"][0] == 3.0 and (st["spins"] == 1).all()
    run_cpu(arrays, st, 1, temperature=1e-9, offset_rate=1.0)  # offset 3 -> 4, still none
    assert st["offset"][0] == 4.0
    run_cpu(arrays, st, 1, temperature=1e-9, offset_rate=1.0)  # dE - E_off = 0: accepted
    assert st["offset"][0] == 0.0 and (st["spins"] == -1).sum() == 1


def test_temperature_schedules_reach_the_end_temperature():
    for mode in range(3):
        decay = kernels_cpu.decay_for_end(100.0, 0.5, 50, mode)
        temps = kernels_cpu.temperature_schedule(100.0, decay, 50, mode)
        assert np.all(np.diff(temps) < 0)
        assert math.isclose(temps[-1], 0.5, rel_tol=1e-6)
    bqm = random_qubo(10, seed=0)
    for mode in ("exponential", "inverse", "inverse_root"):
        ss = DigitalAnnealerSampler("DA1").sample(
            bqm, num_reads=1, number_iterations=1001, temperature_interval=10,
            temperature_start=2.0, temperature_end=0.01, temperature_mode=mode, seed=0)
        assert math.isclose(ss.info["temperature_end"], 0.01, rel_tol=1e-6)


# --------------------------------------------------------------------------- reproducibility
def test_same_seed_same_result_whatever_the_thread_count():
    bqm = random_qubo(60, seed=7)
    sampler = DigitalAnnealerSampler("DA1")
    kwargs = {"num_reads": 6, "number_iterations": 40}
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = sampler.sample(bqm, seed=9, **kwargs)
        numba.set_num_threads(before)
        many = sampler.sample(bqm, seed=9, **kwargs)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one.record.sample, many.record.sample)
    other = sampler.sample(bqm, seed=10, **kwargs)
    assert not np.array_equal(one.record.sample, other.record.sample)


def test_parallel_kernel_equals_serial_kernel_for_any_thread_count():
    """The one-thread launch (too little work to share) and every thread count agree."""
    arrays = ising_arrays(random_qubo(50, seed=3).spin)
    start = np.random.default_rng(2).choice([-1, 1], size=(5, 50)).astype(np.int8)
    temps = np.geomspace(3.0, 0.05, 10)
    finals = []
    before = numba.get_num_threads()
    try:
        for shared, threads in ((False, before), (True, 1), (True, before)):
            numba.set_num_threads(threads)
            st = kernel_state(arrays, start, seed=4)
            kernels_cpu._on_threads(
                shared, kernels_cpu._anneal_parallel, 0, 500, temps, 50, 0.5, False,
                st["spins"], st["fields"], st["energy"], st["offset"], st["best_energy"],
                st["best_spins"], st["rng_state"], *coupling(arrays))
            finals.append(np.concatenate([st["best_spins"], st["spins"]]))
        assert numba.get_num_threads() == before  # the one-thread launch restores the count
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(finals[0], finals[1]) and np.array_equal(finals[0], finals[2])


def test_xp_numpy_path_anneals_and_is_reproducible():
    bqm = random_qubo(12, seed=3)
    arrays = ising_arrays(bqm.spin, layout="dense")
    ground = dimod.ExactSolver().sample(bqm).first.energy
    start = np.random.default_rng(0).choice([-1, 1], size=(8, 12)).astype(np.int8)
    temps = kernels_cpu.temperature_schedule(3.0, kernels_cpu.decay_for_end(3.0, 0.02, 30, 0),
                                             30, 0)
    results = []
    for _ in range(2):
        dst = kernels_xp.to_device(np, start, arrays.local_fields(start),
                                   arrays.energies(start))
        kernels_xp.anneal(kernels_xp.Stepper(np, np.random.default_rng(5), arrays.dense, 0.0,
                                             False), dst, 0, 1500, temps, 50)
        assert np.allclose(dst.energy, arrays.energies(dst.spins))
        assert np.allclose(dst.best_energy, arrays.energies(dst.best_spins))
        results.append(dst.best_spins.copy())
    assert np.array_equal(*results)
    assert math.isclose(arrays.energies(results[0]).min(), ground, rel_tol=1e-9)


def test_xp_numpy_path_replica_exchange_swaps_keep_the_ladder():
    arrays = ising_arrays(random_qubo(12, seed=5).spin, layout="dense")
    runs, m = 3, 6
    start = np.random.default_rng(1).choice([-1, 1], size=(runs * m, 12)).astype(np.int8)
    dst = kernels_xp.to_device(np, start, arrays.local_fields(start), arrays.energies(start))
    ladder = np.geomspace(5.0, 0.05, m)
    row_temp = np.tile(ladder, runs)
    perm = np.arange(runs * m).reshape(runs, m)
    acc = np.zeros((runs, m - 1), dtype=np.int64)
    att = np.zeros_like(acc)
    kernels_xp.replica_exchange_rounds(
        kernels_xp.Stepper(np, np.random.default_rng(0), arrays.dense, 0.0, False), dst,
        kernels_xp.XpExchange(row_temp, perm, acc, att), 0, 20, 10)
    for r in range(runs):
        assert np.allclose(row_temp[perm[r]], ladder)  # slots keep their temperatures
        assert sorted(perm[r]) == list(range(r * m, (r + 1) * m))
    assert att.sum() > 0 and 0 < acc.sum() <= att.sum()


def test_sampler_driver_runs_the_xp_path_with_numpy():
    """The GPU driver code of the sampler, run with numpy as the array module."""
    bqm = random_qubo(12, seed=9)
    ground = dimod.ExactSolver().sample(bqm).first.energy
    arrays = ising_arrays(bqm.spin, layout="dense")
    start = np.random.default_rng(0).choice([-1, 1], size=(4, 12)).astype(np.int8)
    engine = Engine(arrays, np, np.random.default_rng(1), 0.0, False, 1.0)
    temps = np.geomspace(3.0, 0.02, 30)
    spins, trace = engine.anneal(arrays, start, temps, 50, 1500, True)
    assert math.isclose(arrays.energies(spins).min(), ground, rel_tol=1e-9)
    assert trace.step[-1] == 1500
    params = {"number_replicas": 5, "replica_exchange_interval": 10, "number_iterations": 600,
              "temperature_ladder": "adaptive"}
    spins, steps, trace, info = engine.replica_exchange(start, 3.0, 0.02, ExchangePlan(**params),
                                                        True)
    assert steps == 600 and trace.step[-1] == 600
    assert math.isclose(arrays.energies(spins).min(), ground, rel_tol=1e-9)
    assert len(info["ladder"]) == 5 and np.all(np.diff(info["ladder"]) < 0)


# --------------------------------------------------------------------------- replica exchange
@pytest.mark.slow
def test_parallel_replica_exchange_kernel_equals_serial():
    arrays = ising_arrays(random_qubo(40, seed=3).spin)
    runs, m = 3, 4
    start = np.random.default_rng(2).choice([-1, 1], size=(runs * m, 40)).astype(np.int8)
    finals = []
    for shared in (False, True):
        st = kernel_state(arrays, start, seed=4)
        row_temp = np.tile(np.geomspace(3.0, 0.05, m), runs).reshape(-1, 1)
        perm = np.arange(runs * m).reshape(runs, m)
        acc = np.zeros((runs, m - 1), dtype=np.int64)
        att = np.zeros_like(acc)
        kernels_cpu._on_threads(
            shared, kernels_cpu._exchange_parallel, 0, 30, 10, 0.0, False, row_temp, perm,
            kernels_cpu.seed_states(np.arange(runs)), acc, att, st["spins"], st["fields"],
            st["energy"], st["offset"], st["best_energy"], st["best_spins"], st["rng_state"],
            *coupling(arrays))
        finals.append((st["best_spins"].copy(), perm.copy(), acc.copy(), row_temp.copy()))
    for a, b in zip(*finals, strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("ladder", ["linear", "exponential", "adaptive"])
def test_replica_exchange_reports_ladder_and_swap_rates(ladder):
    bqm = random_qubo(24, seed=8)
    ss = DigitalAnnealerSampler("DA1").sample(
        bqm, num_reads=2, mode="replica_exchange", number_replicas=6, temperature_ladder=ladder,
        number_iterations=2000, replica_exchange_interval=20, seed=4)
    temps = ss.info["ladder"]
    assert len(temps) == 6 and np.all(np.diff(temps) < 0)
    assert math.isclose(temps[0], ss.info["temperature_start"], rel_tol=1e-9)
    assert math.isclose(temps[-1], ss.info["temperature_end"], rel_tol=1e-9)
    rates = ss.info["swap_acceptance"]
    assert rates.shape == (5,) and np.all((rates >= 0) & (rates <= 1))
    assert ss.info["timing"]["modelled_hardware_s"] == pytest.approx(2000 * 50e-9 * 2)


# --------------------------------------------------------------------------- interface
def test_trace_and_timing():
    bqm = random_qubo(24, seed=6)
    ss = DigitalAnnealerSampler("DA1").sample(bqm, number_runs=3, number_iterations=640,
                                              record_trace=True, seed=1)
    trace = ss.info["trace"]
    assert trace["step"][-1] == 640 and np.all(np.diff(trace["step"]) > 0)
    assert trace["best_energy"].shape == (3, len(trace["step"]))
    assert np.all(np.diff(trace["best_energy"], axis=1) <= 1e-9)
    # the trace ends at the returned reads' energies (rescaled from the stored model)
    stored = DA1.quantise(bqm)
    final = stored.bqm.energies(dimod.as_samples(ss)) / stored.scale
    assert np.allclose(np.sort(trace["best_energy"][:, -1]), np.sort(final))
    timing = ss.info["timing"]
    assert timing["modelled_hardware_s"] == pytest.approx(3 * 640 * DA1.clock.seconds_per_step)
    assert timing["sampling_ns"] > 0


@pytest.mark.parametrize("kwargs, error, match", [
    ({"number_iterations": 0}, ValueError, "number_iterations"),
    ({"temperature_mode": "linear"}, ValueError, "temperature_mode"),
    ({"temperature_decay": 1.5}, ValueError, "temperature_decay"),
    ({"temperature_decay": 0.1, "temperature_end": 0.1}, ValueError, "not both"),
    ({"temperature_start": 1.0, "temperature_end": 2.0}, ValueError, "temperature_end"),
    ({"temperature_mode": "inverse", "temperature_start": 10.0, "temperature_decay": 0.2},
     ValueError, "stay positive"),
    ({"temperature_end": 1e6}, ValueError, "automatic temperature_start"),
    ({"offset_increase_rate": -1.0}, ValueError, "offset_increase_rate"),
    ({"number_replicas": 1}, ValueError, "number_replicas"),
    ({"mode": "tempering"}, ValueError, "mode"),
    ({"mode": "replica_exchange", "temperature_decay": 0.1}, ValueError, "annealing.* only"),
    ({"trial": "both"}, ValueError, "trial"),
    ({"decomposition": "yes"}, TypeError, "decomposition"),
    ({"number_runs": 3, "num_reads": 4}, ValueError, "synonyms"),
    ({"number_runs": 2.5}, TypeError, "number_runs"),
    ({"annealing_time": 5}, TypeError, "annealing_time"),
])
def test_bad_arguments_raise_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        DigitalAnnealerSampler("DA1").sample(random_qubo(5, seed=0), **kwargs)


def test_gpu_backend_names_what_is_missing():
    try:
        require_cupy()
    except RuntimeError as exc:
        with pytest.raises(RuntimeError, match="cupy|CUDA"):
            DigitalAnnealerSampler("DA1").sample(random_qubo(5, seed=0), backend="gpu")
        assert "cupy" in str(exc) or "CUDA" in str(exc)
    else:
        pytest.skip("cupy and a CUDA device are present")


def test_bad_spec_is_refused():
    with pytest.raises(TypeError, match="spec"):
        DigitalAnnealerSampler(42)
    with pytest.raises(ValueError, match="unknown machine spec"):
        DigitalAnnealerSampler("DA9")


# --------------------------------------------------------------------------- GPU
@pytest.mark.gpu
def test_gpu_and_cpu_agree_statistically():
    bqm = random_qubo(64, seed=11)
    sampler = DigitalAnnealerSampler("DA1")
    kwargs = {"num_reads": 64, "number_iterations": 400, "seed": 1}
    cpu = sampler.sample(bqm, backend="cpu", **kwargs).record.energy
    gpu = sampler.sample(bqm, backend="gpu", **kwargs).record.energy
    assert stats.ks_2samp(cpu, gpu).pvalue > 1e-3
    repeat = sampler.sample(bqm, backend="gpu", **kwargs).record.energy
    assert np.array_equal(np.sort(gpu), np.sort(repeat))
