"""The report's clocks: wall and modelled TTS99 side by side, one interval definition, and
each machine's clock source."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from suites import clocks, plots, report, summary, verdict
from tests.suites.helpers import run_tiny_suite
from tests.suites.test_verdict import _qubo


def _tts_rows(modelled: bool) -> pd.DataFrame:
    rows = []
    for problem in ("p1", "p2"):
        for machine, value in (("da", 1e-3), ("sa", 2e-3)):
            model = value / 10 if modelled and machine == "da" else math.nan
            rows.append({"problem": problem, "setting": "default", "machine": machine,
                         "num_variables": 10, "target_source": "ground_state",
                         "tts_wall_s": value, "tts_wall_low": value / 2,
                         "tts_wall_high": value * 2, "tts_model_s": model,
                         "tts_model_low": model / 2, "tts_model_high": model * 2})
    return pd.DataFrame(rows)


def test_tts_figure_puts_wall_and_modelled_side_by_side_and_labels_them():
    fig = plots.tts_wall_and_modelled(_tts_rows(modelled=True))
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 4  # two problems, two clocks each
    for wall, model in zip(axes[::2], axes[1::2], strict=True):
        assert "wall clock" in wall.get_title() and "measured" in wall.get_ylabel()
        assert "modelled hardware time" in model.get_title()
        assert "modelled" in model.get_ylabel()
        # only the machines that model hardware time appear on the modelled side
        assert [t.get_text() for t in model.get_xticklabels()] == ["da"]
    assert "not a measurement" in fig._suptitle.get_text()
    plt.close(fig)
    assert plots.tts_wall_and_modelled(_tts_rows(modelled=False)) is None


def test_all_results_and_verdict_share_one_tts_interval():
    jobs = pd.DataFrame(_qubo("sa", 30, wall=1e-3) + _qubo("da", 20, modelled=1e-5, wall=2e-3))
    qsum = summary.qubo_summary(jobs, n_boot=300)
    (v,) = verdict.verdicts(jobs, qsum, n_boot=300)
    ranked = v.ranking.set_index("machine")
    for machine in ("sa", "da"):
        row = qsum.set_index("machine").loc[machine]
        boot = verdict._instance(  # the draws the verdict's ratios use
            qsum.merge(summary.labels(jobs), on=summary.GROUP), dict(list(
                jobs.groupby(summary.GROUP))), 300, 0).boots[machine, "wall"].estimate()
        assert (row["tts_wall_low"], row["tts_wall_high"]) == (boot.low, boot.high)
        assert ranked.loc[machine, "tts_wall_low"] == row["tts_wall_low"]
    # the interval carries the spread of time between jobs: wider than at a fixed time
    sa = qsum.set_index("machine").loc["sa"]
    assert sa["tts_wall_low"] < sa["tts_wall_s"] < sa["tts_wall_high"]


def test_modelled_sentence_says_plainly_that_no_other_machine_reached_the_target():
    (v,) = verdict.verdicts(pd.DataFrame(_qubo("da", 60, modelled=1e-5)
                                         + _qubo("sb", 0, modelled=1e-6)), n_boot=300)
    assert v.sentences[1].endswith("no other machine that models hardware time reaches the "
                                   "target in any read.")
    assert "[∞, ∞]" not in v.sentences[1]
    (lucky,) = verdict.verdicts(pd.DataFrame(_qubo("da", 1, modelled=1e-5)
                                             + _qubo("sb", 0, modelled=1e-6)), n_boot=300)
    assert lucky.sentences[1].endswith("but da succeeds too rarely for the run to separate "
                                       "them.")


def _record(machine: str, spec: str, source: str | None) -> dict:
    fit = {"machine": spec, **({"clock_source": source} if source is not None else {})}
    return {"status": "ok", "job": {"machine_name": machine, "mode": "qubo"},
            "result": {"fit": fit}}


def test_machine_clocks_name_stored_and_todays_sources():
    rows = clocks.machine_clocks([_record("da", "DA1", "fitted to X"),
                                  _record("old", "sb-fpga-2k", None),
                                  {"status": "ok", "job": {"machine_name": "sa", "mode": "qubo"},
                                   "result": {"fit": None}}])
    by_name = {c.machine: c for c in rows}
    assert set(by_name) == {"da", "old"}
    assert by_name["da"].source == "fitted to X"
    assert by_name["old"].source == clocks.NOT_STORED
    assert by_name["old"].today.startswith("fitted to Tatsumura")
    assert by_name["old"].formula == "reads x (steps x (2.239 us))"
    assert "old (sb-fpga-2k): " in clocks.clocks_text(rows)


@pytest.fixture(scope="module")
def da_run(tmp_path_factory):
    machines = ("machines:\n  - machine: da\n    params: {number_iterations: 200}\n"
                "  - machine: sa\n    params: {num_sweeps: 50}")
    return run_tiny_suite(tmp_path_factory.mktemp("clocks"), "clocked",
                          {"m10": (10, 3), "m40": (14, 4)}, machines).run_dir


def test_report_names_each_machines_clock_source(da_run):
    text = report.render(report.load(da_run))
    section = text[text.index("<section id='clocks'>"):text.index("<h2>Figures</h2>")]
    da_source = "fitted to Fujitsu&#x27;s 2017 FPGA prototype"
    assert section.count(da_source) == 2  # stored with the jobs, and today's preset
    assert "<h3>tts wall and modelled</h3>" in text and "<h3>tts wall</h3>" not in text
    assert "TTS99, modelled hardware time [95% CI]" in text
    plain = report.text_report(da_run)
    assert "Clocks of the modelled hardware times:\n  da (DA2): fitted to Fujitsu" in plain
