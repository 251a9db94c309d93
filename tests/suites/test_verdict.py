"""Verdict sentences on constructed results: clear winner, overlap, nobody succeeds, training."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from suites import verdict
from suites.verdict import TTSBoot, tts_ratio

TARGET = -10.0


def _qubo(machine: str, successes: int, reads: int = 60, wall: float = 1e-3,
          modelled: float | None = None, miss: float = 1.0, target: float = TARGET,
          setting: dict | None = None, problem: str = "p", jobs: int = 3,
          source: str = "ground_state") -> list[dict]:
    """Tidy rows of ``jobs`` jobs with ``reads`` reads in all, the first ``successes`` at the
    target, the others ``miss`` above it; each job's wall time per read differs by 10%."""
    setting = setting or {}
    label = ", ".join(f"{k}={v}" for k, v in sorted(setting.items())) or "default"
    rows = []
    for i in range(reads):
        job = i % jobs
        base = target if math.isfinite(target) else TARGET  # no target: energies still exist
        energy = base if i < successes else base + miss
        rows.append({
            "job_id": f"{problem}-{machine}-{label}-{job}", "problem": problem, "mode": "qubo",
            "machine": machine, "setting": label, "status": "ok", "seed": job, "read": i,
            "problem_params": json.dumps({}), "sample_params": json.dumps(setting),
            **{f"set_{k}": v for k, v in setting.items()},
            "num_variables": 10, "has_trace": False, "energy": energy, "target": target,
            "target_source": source, "success": bool(i < successes),
            "residual": (energy - target) / abs(target) if math.isfinite(target) and target
            else math.nan,
            "wall_s": wall * (1 + 0.1 * job),
            "modelled_s": modelled if modelled is not None else math.nan,
        })
    return rows


def _train(machine: str, test: list[float], train: float = 0.95, problem: str = "t") -> list:
    return [{"job_id": f"{problem}-{machine}-{i}", "problem": problem, "mode": "train",
             "machine": machine, "setting": "default", "status": "ok", "seed": i, "read": 0,
             "problem_params": "{}", "sample_params": "{}", "num_variables": math.nan,
             "has_trace": False, "train_accuracy": train, "test_accuracy": acc, "wall_s": 1.0}
            for i, acc in enumerate(test)]


def _verdicts(*groups: list[dict]) -> list[verdict.Verdict]:
    jobs = pd.DataFrame([row for g in groups for row in g])
    return verdict.verdicts(jobs, n_boot=400)


def test_tts_ratio_divides_independent_replicates():
    top = TTSBoot(1.0, np.array([1.0, 1.0, 2.0, np.inf]))
    other = TTSBoot(3.0, np.array([3.0, np.inf, 6.0, np.inf]))
    est = tts_ratio(top, other)
    # replicates 3, inf, 3 and 1 (neither side succeeded): nearest-rank 2.5% and 97.5%
    assert (est.value, est.low, est.high) == (3.0, 1.0, math.inf)


def test_clear_winner_is_separated_by_a_computed_ratio_interval():
    (v,) = _verdicts(_qubo("sb", 60), _qubo("da", 20))
    assert v.basis == "tts" and v.winner == "sb"
    assert list(v.ranking["config"]) == ["sb", "da"] and list(v.ranking["rank"]) == [1, 2]
    sentence = v.sentences[0]
    assert sentence.startswith("sb reaches the ground state in every read (60)")
    # TTS99(da) = t · ln 0.01 / ln(2/3) at the same time per read: 11.4× sb's one read
    expected = math.log(0.01) / math.log(2 / 3)
    match = sentence.split("is ")[-1]
    assert match.startswith(f"{expected:.3g}× [") and "lower than that of da" in sentence
    low = float(match.split("[")[1].split(",")[0])
    assert 1 < low < expected
    assert "excludes 1, so the run separates them" in sentence
    assert len(v.sentences) == 1  # no machine models hardware time: no second sentence


def test_overlapping_intervals_are_not_a_separation():
    (v,) = _verdicts(_qubo("sa", 30), _qubo("pfa", 27))
    assert v.winner == "sa"
    assert "lower than that of pfa" in v.sentences[0]
    assert "includes 1, so this run does not separate them" in v.sentences[0]


def test_nobody_succeeds_ranks_by_residual_energy():
    (v,) = _verdicts(_qubo("da", 0, miss=3.0), _qubo("sa", 0, miss=1.0))
    assert v.basis == "residual" and v.winner == "sa"
    first, second = v.sentences
    assert first.startswith("No configuration reaches the ground state in any read (TTS99 is "
                            "∞ for all), so they are ranked by the mean relative residual")
    assert "sa 10.0 [10.0, 10.0] %, against 30.0 [30.0, 30.0] % for da" in first
    assert second == ("The difference of the means is 20.0 [20.0, 20.0] %; the 95% interval "
                      "excludes 0, so the run separates them.")


def test_no_target_ranks_by_mean_energy():
    (v,) = _verdicts(_qubo("sa", 0, target=math.nan, source="missing"),
                     _qubo("da", 0, target=math.nan, miss=2.0, source="missing"))
    assert v.basis == "energy" and v.target == "no target"
    assert v.winner == "sa"
    assert v.sentences[0].startswith("This problem has no target energy, so configurations are "
                                     "ranked by the mean energy per read: sa -9.00 [-9.00, -9.00]")
    assert "includes 0" not in v.sentences[1] and "excludes 0" in v.sentences[1]


def test_single_machine_and_modelled_time_and_ties():
    (single,) = _verdicts(_qubo("da", 30, modelled=1e-4))
    assert "nothing else ran on this problem" in single.sentences[0]
    assert single.sentences[1].startswith("On modelled hardware time (the machine presets' "
                                          "assumed clocks, not a measurement), da is the only")
    (tie,) = _verdicts(_qubo("a", 30), _qubo("b", 30))
    # mean time per read 1.1 ms (jobs at 1, 1.1, 1.2 ms) × ln 0.01 / ln 0.5
    tts = 1.1 * math.log(0.01) / math.log(0.5)
    assert tie.sentences[0].startswith(f"a and b tie at TTS99 (wall clock) {tts:.3g} [")
    assert list(tie.ranking["rank"]) == [1, 1]


def test_modelled_time_compares_the_machines_that_model_it():
    (v,) = _verdicts(_qubo("sa", 60, wall=1e-4), _qubo("da", 50, modelled=1e-5),
                     _qubo("sb", 20, modelled=1e-5))
    assert v.winner == "sa"
    assert v.sentences[1].startswith("On modelled hardware time (the machine presets' assumed "
                                     "clocks, not a measurement), da leads: its TTS99 (modelled "
                                     "hardware time")
    assert "lower than that of sb; the 95% interval excludes 1" in v.sentences[1]


def test_machine_settings_are_configurations_and_runner_up_is_another_machine():
    (v,) = _verdicts(_qubo("sa", 60, setting={"num_sweeps": 100}),
                     _qubo("sa", 55, setting={"num_sweeps": 10}), _qubo("da", 10))
    assert list(v.ranking["config"]) == ["sa (num_sweeps=100)", "sa (num_sweeps=10)", "da"]
    assert "lower than that of da;" in v.sentences[0]


@pytest.mark.parametrize(("other", "words"), [
    ([0.80, 0.81, 0.79], "the mean ± std ranges do not overlap."),
    ([0.89, 0.93, 0.90], "the mean ± std ranges overlap, so the seeds do not separate them."),
])
def test_training_problem_ranks_by_test_accuracy(other, words):
    (v,) = _verdicts(_train("sa", [0.90, 0.91, 0.92]), _train("da", other))
    assert v.mode == "train" and v.basis == "accuracy" and v.winner == "sa"
    assert v.sentences[0].startswith("sa reaches the highest test accuracy, 0.910 ± 0.0100 over "
                                     "3 seeds, against ")
    assert v.sentences[0].endswith(words)


def test_failed_jobs_are_counted_in_the_verdict():
    failed = _qubo("da", 0, reads=1, jobs=1)
    failed[0].update(status="error", energy=math.nan, success=False)
    (v,) = _verdicts(_qubo("sa", 30), failed)
    assert v.sentences[-1] == "1 job failed (see Failed jobs)."


def test_a_problem_whose_jobs_all_failed_says_so():
    failed = _qubo("da", 0, reads=2, jobs=2, target=math.nan, source="missing")
    for row in failed:
        row.update(status="error", energy=math.nan, success=False)
    (v,) = _verdicts(failed)
    assert v.basis == "none" and v.winner is None
    assert v.sentences == ["No job of this problem finished.", "2 jobs failed (see Failed jobs)."]


def test_verdict_text_lists_every_problem():
    vs = _verdicts(_qubo("sb", 60), _qubo("da", 20), _train("sa", [0.9, 0.91]))
    text = verdict.verdict_text(vs, "demo")
    assert text.splitlines()[0] == "Verdict: demo"
    assert "p (10 variables; target: ground state)" in text
    assert "t (training; ranked by test accuracy)" in text
    assert all(f"  {s}" in text for v in vs for s in v.sentences)


def test_a_lone_success_does_not_separate_the_winner():
    (lucky,) = _verdicts(_qubo("sb", 1), _qubo("da", 0))
    assert lucky.sentences[0].endswith(
        "no other machine reaches the target in any read, and the 95% interval includes 1, so "
        "this run does not separate them (TTS99 ratio to da [1.00, ∞]).")
    (sure,) = _verdicts(_qubo("sb", 60), _qubo("da", 0))
    assert sure.sentences[0].endswith("the 95% interval excludes 1, so the run separates them "
                                      "(TTS99 ratio to da [∞, ∞]).")
