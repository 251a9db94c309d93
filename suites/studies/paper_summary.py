"""Markdown tables of a paper-reproduction run (issue 10), for the committed SUMMARY.md files.

``isingbench study paper_summary RUN`` (or ``python -m suites.studies.paper_summary RUN``; RUN
is a run directory, or a suite name meaning its latest run under ``--out``) prints, from the
run's job files:

* **accuracy**: test accuracy mean ± std over seeds per problem × setting (rows) and machine
  (columns), from the training jobs;
* **sampling**: per QUBO problem × setting × machine: variables, target and its source,
  success probability with its bootstrap 95% interval, TTS99 in machine steps, in wall
  seconds and in modelled hardware seconds, mean residual energy. A machine step is what
  the machine counts, its registry entry's ``step_param``: a sweep (sa, dwave-sa, pt, pfa,
  qa), one parallel trial (da) or one integration step (sb);
* **fit**: the FitReport each machine returned per problem × setting (scale, largest relative
  coefficient error, coefficients rounded to zero, whether the ground state survives
  quantisation — checked exactly for small models only, see emulators.machine.EXACT_LIMIT).

Nothing is typed in by hand: rerunning the command on the same run prints the same tables.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from suites import metrics, registry, summary
from suites.ordering import natural_order, sort_naturally
from suites.store import load, read_job_records
from suites.studies.base import Study, StudyOptions, option


def _fmt(value: float, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return f"{value:.{digits}g}"


def _markdown(df: pd.DataFrame) -> str:
    if df.empty:
        return "(none)\n"
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def accuracy_table(jobs: pd.DataFrame) -> pd.DataFrame:
    """Test accuracy mean ± std (seeds) per problem × setting (rows) and machine (columns)."""
    tsum = summary.training_summary(jobs)
    if tsum.empty:
        return tsum
    tsum = tsum.assign(cell=[f"{m:.3f} ± {s:.3f} ({n})" if n else "failed"
                             for m, s, n in zip(tsum["test_accuracy"],
                                                tsum["test_accuracy_std"], tsum["seeds"],
                                                strict=True)])
    wide = tsum.pivot_table(index=["problem", "setting"], columns="machine", values="cell",
                            aggfunc="first", fill_value="")
    wide = wide[natural_order(wide.columns)].reset_index()
    wide.columns.name = None
    return sort_naturally(wide, ["problem", "setting"])


def _steps(row: pd.Series) -> float:
    params = json.loads(row["sample_params"])
    entry = registry.MACHINES.get(row["machine_type"])
    key = entry.step_param if entry is not None else None
    value = params.get(key) if key else None
    return float(value) if value is not None else math.nan


def sampling_table(jobs: pd.DataFrame, n_boot: int = 1000) -> pd.DataFrame:
    """One row per QUBO problem × setting × machine (see the module docstring)."""
    if jobs.empty or "energy" not in jobs:
        return pd.DataFrame()
    q = jobs[jobs["mode"] == "qubo"]
    qsum = summary.qubo_summary(q, n_boot=n_boot)
    rows = []
    for _, s in qsum.iterrows():
        g = q[(q["problem"] == s["problem"]) & (q["machine"] == s["machine"])
              & (q["setting"] == s["setting"]) & (q["status"] == "ok")]
        success = g["success"].to_numpy(dtype=bool)
        steps = _steps(g.iloc[0]) if len(g) else math.nan
        if len(g) and math.isfinite(steps) and math.isfinite(s["target"]):
            tts_steps = metrics.tts_ci(success, steps, n_boot, 0)
        else:
            tts_steps = metrics.Estimate(math.nan, math.nan, math.nan)
        rows.append({
            "problem": s["problem"], "setting": s["setting"], "machine": s["machine"],
            "vars": int(s["num_variables"]) if math.isfinite(s["num_variables"]) else "–",
            "reads": int(s["reads"]), "failed jobs": int(s["failed"]),
            "target": f"{_fmt(s['target'], 6)} ({s['target_source']})",
            "p_s [95% CI]": f"{_fmt(s['p_s'])} [{_fmt(s['p_s_low'])}, {_fmt(s['p_s_high'])}]",
            "steps/read": _fmt(steps),
            "TTS99 steps": _fmt(tts_steps.value),
            "TTS99 wall s": _fmt(s["tts_wall_s"]),
            "TTS99 modelled s": _fmt(s["tts_model_s"]),
            "residual mean": _fmt(s["residual_mean"]),
        })
    return pd.DataFrame(rows)


def fit_table(run_dir: Path) -> pd.DataFrame:
    """The FitReport per problem × setting × machine (first job that returned one)."""
    seen: dict[tuple, dict] = {}
    for rec in read_job_records(run_dir):
        fit = (rec.get("result") or {}).get("fit")
        if rec.get("status") != "ok" or not fit:
            continue
        job = rec["job"]
        setting = ", ".join(f"{k}={v}" for k, v in sorted(job["setting"].items())) or "default"
        key = (job["problem"], setting, job["machine_name"])
        if key in seen:
            continue
        gs = fit.get("ground_state_survives")
        seen[key] = {
            "problem": key[0], "setting": key[1], "machine": key[2], "spec": fit["machine"],
            "fits": fit.get("fits"), "scale": _fmt(fit.get("scale", math.nan)),
            "max rel. error": _fmt(fit.get("max_rel_error", math.nan)),
            "rounded to 0": fit.get("num_rounded_to_zero"),
            "ground state survives": "not checked (too large)" if gs is None else gs,
            "gap": _fmt(fit["ground_state_gap"]) if fit.get("ground_state_gap") is not None
            else "–",
        }
    if not seen:
        return pd.DataFrame()
    return sort_naturally(pd.DataFrame(list(seen.values())), ["problem", "setting", "machine"])


@dataclass(frozen=True)
class Options(StudyOptions):
    """Which run to summarise."""

    run: str = option(help="a run directory, or a suite name (its latest run)", positional=True)
    out: str = option("results", "results root used to resolve a suite name")


@dataclass(frozen=True)
class PaperTables:
    """The tables of one run (empty frames for what the run does not have)."""

    path: Path
    suite: str
    jobs: int
    accuracy: pd.DataFrame
    sampling: pd.DataFrame
    fit: pd.DataFrame
    failed: pd.DataFrame


def run(options: Options) -> PaperTables:
    """Read the run's jobs and compute every table."""
    np.seterr(all="ignore")
    results = load(options.run, options.out)
    jobs = results.jobs
    n_boot = results.run_info.get("metrics", {}).get("bootstrap", 1000)
    return PaperTables(path=results.path, suite=results.suite, jobs=jobs["job_id"].nunique(),
                       accuracy=accuracy_table(jobs), sampling=sampling_table(jobs, n_boot),
                       fit=fit_table(results.path), failed=summary.failures(jobs))


def render(tables: PaperTables) -> str:
    """All tables of a run as markdown."""
    failed = tables.failed
    parts = [f"Run `{tables.path}` (suite `{tables.suite}`): {tables.jobs} "
             f"jobs, {len(failed)} failed.\n"]
    for title, frame in (("Test accuracy (mean ± std over seeds, (seeds))", tables.accuracy),
                         ("Sampling: success probability and TTS99", tables.sampling),
                         ("FitReport per machine", tables.fit)):
        if not frame.empty:
            parts += [f"### {title}\n", _markdown(frame)]
    if len(failed):
        parts += ["### Failed jobs\n", _markdown(failed.assign(
            error=failed["error"].astype(str).str.slice(0, 120)))]
    return "\n".join(parts)


STUDY = Study("paper_summary", __doc__.split("\n\n")[0], Options, run, render)


def main(argv: list[str] | None = None) -> int:
    """``python -m suites.studies.paper_summary RUN [--out DIR]``."""
    return STUDY.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
