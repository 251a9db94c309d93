"""The calibration study: quick copy end to end, and the rules behind its verdicts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from emulators import calibration as cal
from suites import metrics
from suites.spec import load_suite
from suites.studies import calibration as study


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("calibration")
    options = study.CalibrationOptions(quick=True, out=out, workers=1, n_boot=200,
                                       progress=False)
    return options, study.run(options)


def test_quick_run_compares_every_headline(quick):
    _, result = quick
    assert {c.headline.key for c in result.comparisons} == {h.key for h in cal.HEADLINES}
    assert all(c.verdict in ("reproduced", "not reproduced") for c in result.comparisons)
    instances = {b.instance for b in result.best}
    assert {"k2000", "sk-bimodal [n=12]", "sk-gaussian [n=16]",
            "lattice-bimodal [side=4]"} <= instances
    for b in result.best:  # machines with a clock in modelled time, SA on the wall clock
        assert b.clock == ("wall" if b.machine.startswith("sa-") else "model")
        assert b.tts.value >= b.t_read > 0 or math.isinf(b.tts.value)
    sb = [b for b in result.best if b.machine == "sb-fpga" and b.target == "good cut"]
    assert len(sb) == 1 and sb[0].t_read == pytest.approx(sb[0].steps * 2048**2 / 1.873e12)


def test_quick_tables_name_the_claims_and_regenerate_identically(quick):
    options, result = quick
    text = study.render(result)
    assert "quick copy" in text
    for headline in cal.HEADLINES:
        assert headline.claim in text
    assert "| instance | n | machine | clock | target | best budget |" in text
    assert study.render(study.run(options)) == text  # resumed: same stored jobs, same tables


def test_quick_copy_keeps_the_suite_shape():
    full, quick = study.suite_for(False), study.suite_for(True)
    assert [p.name for p in full.problems] == [p.name for p in quick.problems]
    assert [m.name for m in full.machines] == [m.name for m in quick.machines]
    assert len(quick.jobs()) < len(full.jobs())
    assert load_suite("calibration").name == "calibration"


def _budget(steps: float, tts: float, target: str = "best seen") -> study.BestBudget:
    return study.BestBudget("p", "spin_glass_sk", 10, "da-dense", "model", target, f"s={steps}",
                            steps, 8, 0.5, 1e-3, metrics.Estimate(tts, tts, tts), None)


def test_best_budget_is_the_lowest_tts_else_the_largest_budget():
    best, = study._best([_budget(10, 5.0), _budget(100, 2.0), _budget(1000, 2.0)])
    assert best.steps == 100
    none, = study._best([_budget(10, math.inf), _budget(1000, math.inf)])
    assert none.steps == 1000


def test_good_cut_counts_reads_within_half_a_percent_of_the_best_cut():
    g = pd.DataFrame({"energy": [-1000.0, -995.0, -994.9], "target": [-1000.0] * 3,
                      "success": [True, False, False], "status": ["ok"] * 3})
    assert list(study._successes(g, "good cut")) == [True, True, False]
    assert list(study._successes(g, "best-seen cut")) == [True, False, False]


@pytest.mark.parametrize(("value", "at_most", "ours", "verdict"), [
    (100.0, False, 51.0, "reproduced"), (100.0, False, 201.0, "not reproduced"),
    (100.0, False, 49.0, "not reproduced"), (1.0, True, 0.0, "reproduced"),
    (1.0, True, 2.5, "not reproduced"), (100.0, False, math.inf, "not reproduced"),
])
def test_reproduced_means_within_a_factor_two(value, at_most, ours, verdict):
    headline = cal.Headline("k", "claim", "DA1", "sk", "speedup", value, "aramon2019", "Q",
                            at_most=at_most)
    assert study._verdict(ours, headline) == verdict


def test_rescaled_clock_times_the_same_reads():
    b = study.BestBudget("k2000", "maxcut_dense", 2000, "sb-fpga", "model", "good cut",
                         "num_steps=100", 100, 4, 0.5, 100 * 2048**2 / 1.873e12,
                         metrics.Estimate(1.0, 1.0, 1.0), None,
                         np.array([True, False, True, False]))
    boot = study._rescaled(b, "sb-8fpga-16k", 100)
    assert boot.value == pytest.approx(metrics.tts(0.5, 100 * 16384**2 / (8 * 2.027e12)))
