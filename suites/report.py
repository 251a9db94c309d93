"""A self-contained HTML report of a run: figures embedded as base64 PNG, tables inline."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from suites import plots, summary
from suites.store import Results, load, write_atomic

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; }
th { background: #f0f0f0; }
img { max-width: 100%; border: 1px solid #ddd; margin: 0.5em 0; }
code, pre { background: #f6f6f6; padding: 2px 4px; }
.note { color: #555; font-size: 0.9em; }
"""

FIGURE_CAPTIONS = {
    "convergence_steps": "Median best-so-far energy against sweeps/steps (band: IQR over reads "
                         "and seeds); only machines that record traces appear.",
    "convergence_seconds": "The same against wall-clock seconds since sampling started.",
    "tts_wall": "TTS99 from the measured wall time of one read on this computer.",
    "tts_modelled": "TTS99 from the modelled hardware time of one read (a model, not a "
                    "measurement).",
    "tts_vs_size": "TTS99 (wall time) against the number of variables of each problem.",
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


def _table(df: pd.DataFrame) -> str:
    if df.empty:
        return "<p class='note'>(none)</p>"
    return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="–",
                      border=0, escape=True)


def render(results: Results, n_boot: int | None = None) -> str:
    """The report as an HTML string (figures are drawn and embedded)."""
    n_boot = n_boot or results.run_info.get("metrics", {}).get("bootstrap", 1000)
    qsum = summary.qubo_summary(results.jobs, n_boot=n_boot)
    tsum = summary.training_summary(results.jobs)
    figures = plots.write_figures(results, qsum, tsum)
    prov = results.provenance
    traced = sorted(results.jobs.loc[results.jobs.get("has_trace", False) == True,  # noqa: E712
                                     "machine"].unique()) if not results.jobs.empty else []
    untraced = sorted(set(results.jobs.get("machine", pd.Series(dtype=str))) - set(traced))
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>isingbench report: {html.escape(results.suite)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>isingbench report: {html.escape(results.suite)}</h1>",
        f"<p class='note'>run directory <code>{html.escape(str(results.path))}</code>; "
        f"started {html.escape(str(prov.get('start')))}, ended {html.escape(str(prov.get('end')))}"
        f"; git {html.escape(str(prov.get('git_commit')))}; CPU "
        f"{html.escape(str(prov.get('cpu')))} × {prov.get('cpu_count')}; GPUs: "
        f"{html.escape(', '.join(prov.get('gpus') or []) or 'none')}</p>",
        "<p class='note'>Success: energy ≤ target + ε. The target column says where the target "
        "comes from: <b>best_known</b> (published value), <b>ground_state</b> (exact optimum), "
        "<b>optimum</b> (zero loss by construction), <b>given</b> (in the suite file) or "
        "<b>best_seen</b> (lowest energy any machine reached in this run). TTS99 = t_run · "
        "ln(0.01)/ln(1 − p_s); ∞ when p_s = 0; intervals are bootstrap 95% over reads.</p>",
        "<p class='note'>Machines with convergence traces: "
        f"{html.escape(', '.join(traced)) or 'none'}"
        f"; without: {html.escape(', '.join(untraced)) or 'none'}.</p>",
    ]
    if not qsum.empty:
        parts += ["<h2>QUBO benchmarks</h2>", _table(qsum)]
    if not tsum.empty:
        parts += ["<h2>Training</h2>", _table(tsum)]
    if "objective" in results.jobs:
        obj = results.jobs.dropna(subset=["objective"]).groupby(
            ["problem", "objective_name", "machine", "setting"]).agg(
            best=("objective", "max"), target=("target_objective", "first")).reset_index()
        parts += ["<h2>Problem objectives (e.g. cut values; higher is better)</h2>", _table(obj)]
    fails = summary.failures(results.jobs)
    parts += ["<h2>Failed jobs</h2>", _table(fails)]
    parts.append("<h2>Figures</h2>")
    for name, path in figures.items():
        parts += [f"<h3>{html.escape(name.replace('_', ' '))}</h3>",
                  f"<p class='note'>{html.escape(FIGURE_CAPTIONS.get(name, ''))}</p>",
                  _img(path, name)]
    parts += ["<h2>Provenance</h2>",
              f"<pre>{html.escape(json.dumps(prov, indent=2, default=str))}</pre>",
              "</body></html>"]
    return "\n".join(parts)


def write_report(run: str | Path, out: str | Path = "results") -> Path:
    """Write ``report.html`` into the run directory; returns its path."""
    results = load(run, out)
    path = results.path / "report.html"
    write_atomic(path, render(results))
    return path
