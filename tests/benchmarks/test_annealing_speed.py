"""Reference annealer vs dwave-samplers: flip rate and median energy (issue 3 benchmark).

Run:
    .venv/bin/pytest tests/benchmarks/test_annealing_speed.py -m bench -s

Cases: a K2000-style dense ±1 complete graph (2,000 spins, fixed seed) and G22 (sparse, from
../shared/data/gset), 10 reads × 1,000 sweeps, the same geometric β range (our default rule)
for both samplers, in the same run. Flips attempted per second = n × sweeps × reads /
sampling time (``info["timing"]["sampling_ns"]`` of each sampler; model conversion to arrays
is preprocessing for both), from the fastest of ``ROUNDS`` calls. Ours runs with 1 and with
2 numba threads (G22 is sparse with integer weights, so ours runs the lanes kernel: 16 reads
per vector operation, one block for 10 reads, so the second thread has nothing to do).
Bars (issue 18): K2000 ≥ 10× dwave-samplers' flip rate with a median energy no worse; G22
≥ 5× per thread (ours on 1 thread) with a median cut no worse.
The median of one 10-read call is noisy, so the medians test repeats each call with eight
seeds and compares the medians of all 80 reads (see its docstring). The last test measures
what checking a ``target_energy`` costs: a target no read reaches, against no target.
"""

from __future__ import annotations

from pathlib import Path

import numba
import numpy as np
import pytest
from dwave.samplers import SimulatedAnnealingSampler as DwaveSA

from emulators._core.arrays import ising_arrays
from emulators.annealing import SimulatedAnnealingSampler
from emulators.annealing.schedules import default_beta_range
from emulators.annealing.storage import kernel_model
from suites.instances import dense_pm1_instance, load_gset, maxcut_bqm

pytestmark = pytest.mark.slow

GSET_DIR = Path(__file__).parents[2].parent / "shared" / "data" / "gset"
READS, SWEEPS, K2000_SEED = 10, 1000, 2000
#: Timed calls per sampler: the rate is taken from the fastest (least disturbed) call. A G22
#: call takes about a second, so it is repeated; a dwave-samplers call on K2000 takes ~75 s.
ROUNDS = {"K2000": 1, "G22": 5}
RUNNERS = ("dwave-samplers", "ours-1-thread", "ours-2-threads")
RESULTS: dict[str, dict[str, dict]] = {"K2000": {}, "G22": {}}
BARS = {"K2000": 10.0, "G22": 5.0}


@pytest.fixture(scope="module")
def problems():
    out = {"K2000": maxcut_bqm(dense_pm1_instance(2000, seed=K2000_SEED))}
    if (GSET_DIR / "G22.txt").is_file():
        out["G22"] = maxcut_bqm(load_gset(GSET_DIR / "G22.txt"))
    return out


def beta_range_of(bqm):
    model = kernel_model(ising_arrays(bqm))
    return default_beta_range(model.max_field, model.smallest_coefficient)


def run(runner, bqm, beta_range):
    kwargs = dict(num_reads=READS, num_sweeps=SWEEPS, beta_range=beta_range,
                  beta_schedule_type="geometric", seed=12345)
    if runner == "dwave-samplers":
        return DwaveSA().sample(bqm, **kwargs)
    return SimulatedAnnealingSampler().sample(bqm, **kwargs)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("case", ["K2000", "G22"])
def test_flip_rate(benchmark, problems, case, runner):
    if case not in problems:
        pytest.skip(f"G22 not found in {GSET_DIR}")
    bqm = problems[case]
    beta_range = beta_range_of(bqm)
    threads_before = numba.get_num_threads()
    if runner.startswith("ours"):
        threads = 1 if runner == "ours-1-thread" else 2
        if threads > numba.config.NUMBA_NUM_THREADS:
            pytest.skip(f"numba has only {numba.config.NUMBA_NUM_THREADS} thread(s)")
        numba.set_num_threads(threads)
        SimulatedAnnealingSampler().sample(bqm, num_reads=2, num_sweeps=2, seed=0)  # compile
    calls = []
    try:
        benchmark.pedantic(lambda: calls.append(run(runner, bqm, beta_range)),
                           rounds=ROUNDS[case], iterations=1)
    finally:
        numba.set_num_threads(threads_before)
    ss = calls[0]  # the seed is fixed, so every call returns the same samples
    # the samples are genuine: energies are those of the model, and cut = -energy
    np.testing.assert_allclose(ss.record.energy, bqm.energies(ss))
    seconds = min(c.info["timing"]["sampling_ns"] for c in calls) * 1e-9
    rate = bqm.num_variables * SWEEPS * READS / seconds
    median = float(np.median(ss.record.energy))
    RESULTS[case][runner] = {"rate": rate, "median": median, "seconds": seconds,
                             "mean": float(ss.record.energy.mean()),
                             "std": float(ss.record.energy.std(ddof=1))}
    benchmark.extra_info.update(flips_per_second=rate, median_energy=median,
                                sampling_seconds=seconds, beta_range=list(beta_range))
    print(f"\n{case} {runner}: {rate:,.0f} flips/s, sampling {seconds:.2f} s, "
          f"median energy {median:.1f} (cut {-median:.1f})")


@pytest.mark.parametrize("case", ["K2000", "G22"])
def test_summary(case):
    results = RESULTS[case]
    if "dwave-samplers" not in results:
        pytest.skip("run the whole file to compare")
    ref = results["dwave-samplers"]
    print(f"\n== {case}: {READS} reads x {SWEEPS} sweeps; bar >= {BARS[case]:g}x dwave-samplers")
    for runner, res in results.items():
        ratio = res["rate"] / ref["rate"]
        verdict = ""
        if runner != "dwave-samplers":
            no_worse = res["median"] <= ref["median"]
            verdict = (f"  ratio {ratio:.1f}x, median {'no worse' if no_worse else 'WORSE'}"
                       f" -> bar {'met' if ratio >= BARS[case] and no_worse else 'NOT met'}")
        print(f"{runner:>16}: {res['rate']:>14,.0f} flips/s  median {res['median']:>10.1f}"
              f"  mean {res['mean']:>10.1f} ± {res['std']:.1f} (sd){verdict}")
    # medians of 10 reads of the same algorithm differ by chance; say how much
    for runner, res in results.items():
        if runner != "dwave-samplers":
            se = np.hypot(res["std"], ref["std"]) / np.sqrt(READS)
            print(f"{runner:>16}: mean difference {res['mean'] - ref['mean']:+.1f} "
                  f"= {(res['mean'] - ref['mean']) / se:+.1f} standard errors")
    assert all(res["rate"] > 0 for res in results.values())


@pytest.mark.parametrize("case", ["K2000", "G22"])
def test_median_energy_over_independent_calls(problems, case):
    """The energy half of the bar with more than one call's worth of evidence.

    One call of 10 reads gives each sampler's median from 10 numbers, and both samplers run
    the same Metropolis algorithm, so which median is lower with one fixed seed is close to a
    coin toss. This repeats the benchmark's call (10 reads × 1,000 sweeps, same β range) with
    the seeds 1–8 for both samplers and compares the medians of all 80 reads; it also counts
    the calls in which ours had the lower-or-equal median and runs a Mann-Whitney U test.
    About 10 minutes on K2000 (dwave-samplers takes ~75 s per call there), seconds on G22.
    """
    from scipy.stats import mannwhitneyu

    if case not in problems:
        pytest.skip(f"G22 not found in {GSET_DIR}")
    bqm = problems[case]
    beta_range = beta_range_of(bqm)
    ours, theirs, wins = [], [], 0
    for seed in range(1, 9):
        kwargs = dict(num_reads=READS, num_sweeps=SWEEPS, beta_range=beta_range,
                      beta_schedule_type="geometric", seed=seed)
        a = SimulatedAnnealingSampler().sample(bqm, **kwargs).record.energy
        b = DwaveSA().sample(bqm, **kwargs).record.energy
        wins += int(np.median(a) <= np.median(b))
        ours.append(a)
        theirs.append(b)
        print(f"\nseed {seed}: median ours {np.median(a):.1f}, dwave-samplers {np.median(b):.1f}")
    ours, theirs = np.concatenate(ours), np.concatenate(theirs)
    p_value = mannwhitneyu(ours, theirs).pvalue
    no_worse = np.median(ours) <= np.median(theirs)
    print(f"{case}, {len(ours)} reads each: median ours {np.median(ours):.1f}, dwave-samplers "
          f"{np.median(theirs):.1f} ({'no worse' if no_worse else 'WORSE'}); mean ours "
          f"{ours.mean():.1f} ± {ours.std(ddof=1) / np.sqrt(len(ours)):.1f}, dwave-samplers "
          f"{theirs.mean():.1f} ± {theirs.std(ddof=1) / np.sqrt(len(theirs)):.1f} (s.e.); ours "
          f"no worse in {wins} of 8 calls; Mann-Whitney U p = {p_value:.2f}")
    assert np.isfinite(ours).all() and np.isfinite(theirs).all()


def test_target_check_costs_little(problems):
    """Ours on G22 (1 thread) with a target no read reaches against no target: the samples
    are identical and the rate ratio says what the per-sweep checks and the 64 chunks cost
    (best of ``ROUNDS`` calls each)."""
    if "G22" not in problems:
        pytest.skip(f"G22 not found in {GSET_DIR}")
    bqm = problems["G22"]
    kwargs = dict(num_reads=READS, num_sweeps=SWEEPS, beta_range=beta_range_of(bqm),
                  beta_schedule_type="geometric", seed=12345)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        sampler = SimulatedAnnealingSampler()
        sampler.sample(bqm, num_reads=2, num_sweeps=2, seed=0, target_energy=-1e9)  # compile
        plain = [sampler.sample(bqm, **kwargs) for _ in range(ROUNDS["G22"])]
        checked = [sampler.sample(bqm, target_energy=-1e9, **kwargs)
                   for _ in range(ROUNDS["G22"])]
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(plain[0].record.sample, checked[0].record.sample)
    seconds = [min(c.info["timing"]["sampling_ns"] for c in calls) * 1e-9
               for calls in (plain, checked)]
    print(f"\nG22 target check: {seconds[0]:.3f} s without, {seconds[1]:.3f} s with an "
          f"unreached target_energy ({seconds[1] / seconds[0]:.3f}x the time)")
    assert np.all(checked[0].record.stop_step == SWEEPS)
