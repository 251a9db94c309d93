"""A self-contained HTML report of a run: figures embedded as base64 PNG, tables inline."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from suites import clocks, fits, plots, report_tables, summary, verdict
from suites.html_table import SORT_SCRIPT
from suites.store import Results, load, write_atomic

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1320px;
       padding: 0 1em; color: #222; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 0.6em 0 1em; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; vertical-align: top; }
th { background: #f0f0f0; cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; }
th[aria-sort="descending"]::after { content: " ▼"; }
td { white-space: nowrap; }
td.name, td.error { text-align: left; }
td.name { white-space: normal; min-width: 7em; }
td.error { white-space: normal; min-width: 20em; }
td.best { font-weight: bold; }
table.fits td { text-align: center; }
td.fit-yes { background: #e8f5e9; } td.fit-no { background: #fdecea; }
td.fit-failed { background: #fff4e0; }
td .why, td .ci { color: #555; font-size: 0.85em; }
.sentence { font-size: 1.05em; line-height: 1.45; margin: 0.3em 0; }
.problem { border-left: 4px solid #4a78b5; padding: 0.1em 0 0.1em 1em; margin: 1.2em 0; }
.problem h3 { margin: 0.2em 0; }
summary { cursor: pointer; color: #355d91; }
img { max-width: 100%; border: 1px solid #ddd; margin: 0.5em 0; }
code { background: #f6f6f6; padding: 2px 4px; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
.note { color: #555; font-size: 0.9em; }
"""

#: A ranking with more rows than this starts folded (its sentences stay visible).
OPEN_RANKING_ROWS = 8

FIGURE_CAPTIONS = {
    "convergence_steps": "Median best-so-far energy against sweeps/steps (band: IQR over reads "
                         "and seeds); only machines that record traces appear.",
    "convergence_seconds": "The same against wall-clock seconds since sampling started.",
    "tts_wall_and_modelled": "Per problem, TTS99 from the measured wall time of one read "
                             "on the computer that ran the suite (left: wall clock) beside "
                             "TTS99 from the modelled hardware time of one read (right: each "
                             "machine preset's clock model, see Machine clocks; a model, not "
                             "a measurement).",
    "tts_wall": "TTS99 from the measured wall time of one read on the computer that ran the "
                "suite (wall clock; no machine of this run models hardware time).",
    "tts_vs_size": "TTS99 (wall clock) against the number of variables of each problem.",
    "residual_vs_size": "Mean relative residual energy per read against the number of "
                        "variables, per problem kind (how far from the target each machine "
                        "ends as problems grow).",
    "success_probability": "Probability that one read reaches the target.",
    "heatmap": "Success probability per machine and setting.",
    "accuracy": "Train/test accuracy of the trained networks (mean ± std over seeds).",
    "training_convergence": "Best training loss (fraction of training samples misclassified) "
                            "so far against training round, per problem and setting (median "
                            "over seeds; band: min-max).",
}


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _verdict_section(verdicts: list[verdict.Verdict], cells: list[fits.FitCell]) -> list[str]:
    specs: dict[tuple[str, str], str] = {(c.instance, c.machine): c.spec for c in cells}
    parts = ["<section id='verdict'><h2>Verdict</h2>", f"<p class='note'>{_HOW_TO_READ}</p>"]
    if not verdicts:
        parts.append("<p class='note'>(no finished job to rank)</p>")
    for v in verdicts:
        ranking = report_tables.ranking_table(
            v, {m: specs.get((v.problem, m), "") for m in v.ranking["machine"]})
        n = len(v.ranking)
        parts += [f"<div class='problem'><h3>{html.escape(v.problem)} "
                  f"<span class='note'>({html.escape(v.description)})</span></h3>",
                  *(f"<p class='sentence'>{html.escape(s)}</p>" for s in v.sentences),
                  f"<details{' open' if n <= OPEN_RANKING_ROWS else ''}><summary>Ranking of "
                  f"{n} configuration{'s' if n != 1 else ''}</summary>{ranking}</details></div>"]
    parts.append("</section>")
    return parts


def _clocks_section(machine_clocks: list[clocks.MachineClock]) -> list[str]:
    parts = ["<section id='clocks'><h2>Machine clocks</h2>", f"<p class='note'>{_CLOCKS_NOTE}</p>"]
    if machine_clocks:
        parts.append(report_tables.clocks_table(machine_clocks))
    else:
        parts.append("<p class='note'>(no machine of this run models hardware time)</p>")
    parts.append("</section>")
    return parts


def _fits_section(cells: list[fits.FitCell], has_training: bool) -> list[str]:
    parts = ["<section id='fits'><h2>Fits the machine?</h2>",
             f"<p class='note'>{_FITS_NOTE}</p>"]
    if cells:
        parts.append(report_tables.fit_table(cells))
    else:
        parts.append("<p class='note'>(no QUBO job of this run stored a FitReport)</p>")
    if has_training:
        parts.append("<p class='note'>Training jobs build their QUBOs inside the trainer and "
                     "store no FitReport; <code>isingbench validate</code> checks one.</p>")
    parts.append("</section>")
    return parts


_HOW_TO_READ = (
    "Each problem's configurations (a machine with its grid values) are ranked by TTS99 from "
    "the <b>measured wall time</b> of one read on the computer that ran the suite. TTS99 from "
    "<b>modelled hardware time</b> stands beside it for the machines that model one: those "
    "times come from each machine preset's clock model, fitted to published figures where "
    "they exist and an assumed clock otherwise (<a href='#clocks'>Machine clocks</a> names "
    "each one; <code>isingbench machines</code> lists them): a model, not a measurement. "
    "Intervals are bootstrap 95% over reads; they resample each configuration's reads "
    "together with their times per read, so they also carry the spread of time between jobs "
    "(the All results table shows the same intervals). The sentences compare the winner "
    "with the best configuration of another machine: a TTS99 ratio separates them when its "
    "interval excludes 1. When no "
    "configuration reaches the target the ranking uses the mean residual energy per read; "
    "training problems rank by test accuracy, mean ± std over seeds. Click a column header "
    "to sort.")
_FITS_NOTE = (
    "Each problem's FitReport on each machine, from the jobs' stored <code>info['fit']</code> "
    "(worst case over the jobs; hover a cell for the details). <b>yes</b>: the machine holds "
    "the model (capacity, connectivity or a minor embedding) and its stored, quantised form "
    "keeps the ground state where that was checked (small models are solved exactly); "
    "<b>no</b>: it does not, or quantisation moved the ground state; <b>failed</b>: no job "
    "finished. Below the answer: the largest coefficient error relative to the largest "
    "coefficient, coefficients rounded to zero or clipped, the longest chain of an embedding.")
_CLOCKS_NOTE = (
    "Where each machine's modelled hardware times come from: the MachineSpec its jobs ran "
    "under and the clock source stored with them (<b>fitted to</b> a published figure, or "
    "an <b>assumption</b>), and today's clock of that preset (its formula in seconds; N is the "
    "number of variables). The published figures and fits are in "
    "<code>emulators/calibration.py</code> and <code>docs/calibration.md</code>.")
_TARGETS_NOTE = (
    "Success: energy ≤ target + ε. The target column says where the target comes from: "
    "<b>best_known</b> (published value), <b>ground_state</b> (exact optimum), <b>optimum</b> "
    "(zero loss by construction), <b>given</b> (in the suite file) or <b>best_seen</b> (lowest "
    "energy any machine reached in this run). TTS99 = t_run · ln(0.01)/ln(1 − p_s); ∞ when "
    "p_s = 0.")


def render(results: Results, n_boot: int | None = None) -> str:
    """The report as an HTML string (figures are drawn and embedded)."""
    n_boot = n_boot or results.run_info.get("metrics", {}).get("bootstrap", 1000)
    qsum = summary.qubo_summary(results.jobs, n_boot=n_boot)
    tsum = summary.training_summary(results.jobs)
    figures = plots.write_figures(results, qsum, tsum)
    verdicts = verdict.verdicts(results.jobs, qsum, tsum, n_boot)
    records = fits.run_records(results)
    cells = fits.fit_cells(records, results.jobs)
    prov = results.provenance
    traced = sorted(results.jobs.loc[results.jobs.get("has_trace", False) == True,  # noqa: E712
                                     "machine"].unique()) if not results.jobs.empty else []
    untraced = sorted(set(results.jobs.get("machine", pd.Series(dtype=str))) - set(traced))
    fails = summary.failures(results.jobs)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>isingbench report: {html.escape(results.suite)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>isingbench report: {html.escape(results.suite)}</h1>",
        f"<p class='note'>run directory <code>{html.escape(str(results.path))}</code>; "
        f"started {html.escape(str(prov.get('start')))}, ended {html.escape(str(prov.get('end')))}"
        f"; git {html.escape(str(prov.get('git_commit')))}; CPU "
        f"{html.escape(str(prov.get('cpu')))} × {prov.get('cpu_count')}; GPUs: "
        f"{html.escape(', '.join(prov.get('gpus') or []) or 'none')}"
        + (f"; <b>{len(fails)} failed job{'s' if len(fails) != 1 else ''}</b> (see Failed jobs)"
           if len(fails) else "") + "</p>",
        f"<p class='note'>{_TARGETS_NOTE}</p>",
        *_verdict_section(verdicts, cells),
        *_fits_section(cells, not tsum.empty),
        *_clocks_section(clocks.machine_clocks(records)),
        "<h2>Figures</h2>",
        "<p class='note'>Machines with convergence traces: "
        f"{html.escape(', '.join(traced)) or 'none'}"
        f"; without: {html.escape(', '.join(untraced)) or 'none'}.</p>",
    ]
    for name, path in figures.items():
        parts += [f"<h3>{html.escape(name.replace('_', ' '))}</h3>",
                  f"<p class='note'>{html.escape(FIGURE_CAPTIONS.get(name, ''))}</p>",
                  _img(path, name)]
    parts.append("<h2>All results</h2>")
    if not qsum.empty:
        parts += ["<h3>QUBO benchmarks</h3>",
                  "<p class='note'>TTS99 on the wall clock (measured) and on modelled hardware "
                  "time (clock models, see Machine clocks) side by side; intervals as in the "
                  "verdict.</p>", report_tables.qubo_table(qsum)]
    if not tsum.empty:
        parts += ["<h3>Training</h3>", report_tables.training_table(tsum)]
    if "objective" in results.jobs:
        parts += ["<h3>Problem objectives (e.g. cut values; higher is better)</h3>",
                  report_tables.objectives_table(results.jobs)]
    parts += ["<h3 id='failed'>Failed jobs</h3>", report_tables.failures_table(fails),
              "<h2>Provenance</h2>",
              f"<pre>{html.escape(json.dumps(prov, indent=2, default=str))}</pre>",
              f"<script>{SORT_SCRIPT}</script>", "</body></html>"]
    return "\n".join(parts)


def text(results: Results, n_boot: int | None = None) -> str:
    """The verdict, the fits and the machine clocks of a run as plain text (what ``report
    --text`` prints)."""
    n_boot = n_boot or results.run_info.get("metrics", {}).get("bootstrap", 1000)
    verdicts = verdict.verdicts(results.jobs, n_boot=n_boot)
    records = fits.run_records(results)
    cells = fits.fit_cells(records, results.jobs)
    return "\n".join([verdict.verdict_text(verdicts, f"{results.suite} ({results.path})"),
                      fits.fits_text(cells), clocks.clocks_text(clocks.machine_clocks(records))])


def text_report(run: str | Path, out: str | Path = "results") -> str:
    """:func:`text` of a run directory or of a suite's latest run under ``out``."""
    return text(load(run, out))


def write_report(run: str | Path, out: str | Path = "results") -> Path:
    """Write ``report.html`` into the run directory; returns its path."""
    results = load(run, out)
    path = results.path / "report.html"
    write_atomic(path, render(results))
    return path
