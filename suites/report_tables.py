"""The report's tables as HTML: rankings, the fit table and the full results.

Column labels are words with units; numbers have three significant figures; intervals are
bootstrap 95% (``value [low, high]``), times carry their unit in the cell.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import pandas as pd

from suites.clocks import MachineClock
from suites.fits import FitCell
from suites.formatting import MISSING, interval_parts, sig3, time_parts
from suites.html_table import Cell, Column, table
from suites.ordering import natural_order
from suites.verdict import Verdict


def _count(value: float) -> Cell:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Cell(MISSING)
    return Cell(f"{int(value):,}", sort=int(value))


def _number(value: float) -> Cell:
    return Cell(sig3(value), sort=value)


def _two_lines(parts: tuple[str, str], sort: float) -> Cell:
    """The value, and its interval in small type below it."""
    head, ci = parts
    markup = html.escape(head) + (f"<br><span class='ci'>{html.escape(ci)}</span>" if ci else "")
    return Cell(f"{head} {ci}".strip(), sort=sort, markup=markup)


def _ci(value: float, low: float, high: float, unit: str = "") -> Cell:
    return _two_lines(interval_parts(value, low, high, unit), value)


def _time(value: float, low: float = math.nan, high: float = math.nan) -> Cell:
    return _two_lines(time_parts(value, low, high), value)


def _mean_std(mean: float, std: float) -> Cell:
    if math.isnan(mean):
        return Cell(MISSING)
    return Cell(f"{sig3(mean)} ± {sig3(std)}", sort=mean)


def _text(value: object) -> Cell:
    return Cell(MISSING if value is None or (isinstance(value, float) and math.isnan(value))
                else str(value))


P_S = Column("Success probability [95% CI]", "fraction of reads that reach the target")
TTS_WALL = Column("TTS99, wall clock [95% CI]",
                  "time to reach the target with 99% probability, from the measured wall "
                  "time of one read on the computer that ran the suite")
TTS_MODEL = Column("TTS99, modelled hardware time [95% CI]",
                   "the same from the modelled hardware time of one read: the machine "
                   "preset's clock model (see Machine clocks), not a measurement")
T_WALL = Column("Time per read, wall clock", "measured, mean over the timed jobs")
T_MODEL = Column("Time per read, modelled hardware time",
                 "from the machine preset's clock model (see Machine clocks)")


def _excess(row: Mapping, kind: str) -> Cell:
    """Mean residual energy (per cent when relative) or energy with its interval."""
    scale, unit = (100.0, "%") if kind == "relative" else (1.0, "")
    return _ci(scale * row["excess_mean"], scale * row["excess_low"], scale * row["excess_high"],
               unit)


def _name(row: Mapping) -> Cell:
    """The configuration's name, in bold for the leaders."""
    return Cell(row["config"], cls="name best" if row["rank"] == 1 else "name")


def ranking_table(v: Verdict, specs: Mapping[str, str]) -> str:
    """The ranking of one problem's configurations (``specs``: machine -> hardware model)."""
    rows = []
    if v.mode == "qubo":
        kind = v.ranking["excess_kind"].iloc[0]
        excess = {"relative": "Mean residual energy [95% CI]",
                  "absolute": "Mean energy above the target [95% CI]",
                  "energy": "Mean energy [95% CI]"}[kind]
        columns = [Column("Rank"), Column("Machine (setting)"), P_S,
                   Column("Successful reads"), TTS_WALL, TTS_MODEL, T_WALL, T_MODEL,
                   Column(excess, "(E − E_target)/|E_target|, per cent" if kind == "relative"
                          else ""),
                   Column("Hardware model", "the MachineSpec preset whose clock models time")]
        for r in v.ranking.to_dict("records"):
            rows.append([_count(r["rank"]), _name(r),
                         _ci(r["p_s"], r["p_s_low"], r["p_s_high"]),
                         Cell(f"{r['successes']:,} of {r['reads']:,}", sort=r["successes"]),
                         _time(r["tts_wall_s"], r["tts_wall_low"], r["tts_wall_high"]),
                         _time(r["tts_model_s"], r["tts_model_low"], r["tts_model_high"]),
                         _time(r["t_read_wall_s"]), _time(r["t_read_model_s"]),
                         _excess(r, kind),
                         Cell(specs.get(r["machine"]) or MISSING, cls="name")])
    else:
        columns = [Column("Rank"), Column("Machine (setting)"),
                   Column("Test accuracy (mean ± std)", "over seeds"),
                   Column("Train accuracy (mean ± std)", "over seeds"), Column("Seeds"),
                   Column("Failed jobs"), Column("Wall time per job", "mean over seeds")]
        for r in v.ranking.to_dict("records"):
            rows.append([_count(r["rank"]), _name(r),
                         _mean_std(r["test_accuracy"], r["test_accuracy_std"]),
                         _mean_std(r["train_accuracy"], r["train_accuracy_std"]),
                         _count(r["seeds"]), _count(r["failed"]), _time(r["wall_s"])])
    return table(columns, rows, cls="ranking")


def _fit_cell(cell: FitCell | None) -> Cell:
    if cell is None:
        return Cell(MISSING, title="not run on this machine")
    markup = (f"<b>{cell.verdict}</b><br><span class='why'>{html.escape(cell.short)}</span>")
    return Cell(cell.verdict, sort={"yes": 2, "no": 1, "failed": 0}[cell.verdict],
                title=cell.detail, cls=f"fit-{cell.verdict}", markup=markup)


def fit_table(cells: list[FitCell]) -> str:
    """Problems × machines with a yes/no per cell (the reason below it, details on hover).

    Machines go across when there are no more of them than problems, else down.
    """
    instances = natural_order(c.instance for c in cells)
    machines = natural_order(c.machine for c in cells)
    by_pair = {(c.instance, c.machine): c for c in cells}
    if len(machines) <= len(instances):
        columns = [Column("Problem"), *(Column(m) for m in machines)]
        rows = [[Cell(i, cls="name"), *(_fit_cell(by_pair.get((i, m))) for m in machines)]
                for i in instances]
    else:
        columns = [Column("Machine"), *(Column(i) for i in instances)]
        rows = [[Cell(m, cls="name"), *(_fit_cell(by_pair.get((i, m))) for i in instances)]
                for m in machines]
    return table(columns, rows, cls="fits")


def clocks_table(machine_clocks: list[MachineClock]) -> str:
    """One row per machine that models hardware time: its spec and clock source."""
    columns = [Column("Machine"), Column("Hardware model", "the MachineSpec its jobs ran under"),
               Column("Clock source of this run", "stored with the jobs' FitReports"),
               Column("Today's preset clock", "source, and seconds(steps, reads, N)")]
    rows = [[Cell(c.machine, cls="name"), Cell(c.specs, cls="name"),
             Cell(c.source, cls="name"),
             Cell(f"{c.today} {c.formula}".strip() or MISSING, cls="name",
                  markup=(f"{html.escape(c.today)}<br><code>{html.escape(c.formula)}</code>"
                          if c.today else MISSING))]
            for c in machine_clocks]
    return table(columns, rows, cls="clocks")


def qubo_table(qsum: pd.DataFrame) -> str:
    """Every problem × machine × setting of the QUBO jobs (intervals hold time per read
    at its mean)."""
    columns = ["Problem", "Machine", "Setting", "Variables", "Reads", "Failed jobs",
               Column("Target energy (source)", "where the target comes from: see the note "
                      "at the top"), P_S,
               T_WALL, T_MODEL, TTS_WALL, TTS_MODEL,
               Column("Mean residual energy", "(E − E_target)/|E_target| per read"),
               Column("Median residual energy"), Column("Best energy")]
    rows = [[Cell(r["problem"], cls="name"), _text(r["machine"]), _text(r["setting"]),
             _count(r["num_variables"]), _count(r["reads"]), _count(r["failed"]),
             _two_lines((sig3(r["target"]), str(r["target_source"])), r["target"]),
             _ci(r["p_s"], r["p_s_low"], r["p_s_high"]),
             _time(r["t_read_wall_s"]), _time(r["t_read_model_s"]),
             _time(r["tts_wall_s"], r["tts_wall_low"], r["tts_wall_high"]),
             _time(r["tts_model_s"], r["tts_model_low"], r["tts_model_high"]),
             _number(r["residual_mean"]), _number(r["residual_median"]),
             _number(r["best_energy"])] for r in qsum.to_dict("records")]
    return table(columns, rows)


def training_table(tsum: pd.DataFrame) -> str:
    """Train/test accuracy per problem × machine × setting."""
    columns = ["Problem", "Machine", "Setting", "Seeds", "Failed jobs",
               Column("Train accuracy (mean ± std)"), Column("Test accuracy (mean ± std)"),
               Column("Wall time per job", "mean over seeds")]
    rows = [[Cell(r["problem"], cls="name"), _text(r["machine"]), _text(r["setting"]),
             _count(r["seeds"]), _count(r["failed"]),
             _mean_std(r["train_accuracy"], r["train_accuracy_std"]),
             _mean_std(r["test_accuracy"], r["test_accuracy_std"]), _time(r["wall_s"])]
            for r in tsum.to_dict("records")]
    return table(columns, rows)


def objectives_table(jobs: pd.DataFrame) -> str:
    """Best objective (e.g. cut value) per problem × machine × setting against the target."""
    obj = jobs.dropna(subset=["objective"]).groupby(
        ["problem", "objective_name", "machine", "setting"]).agg(
        best=("objective", "max"), target=("target_objective", "first")).reset_index()
    rows = [[Cell(r["problem"], cls="name"), _text(r["objective_name"]), _text(r["machine"]),
             _text(r["setting"]), _number(r["best"]), _number(r["target"])]
            for r in obj.to_dict("records")]
    return table(["Problem", "Objective", "Machine", "Setting", "Best reached",
                  "Target"], rows)


def failures_table(fails: pd.DataFrame) -> str:
    """One row per failed job with its error."""
    rows = [[Cell(str(r["job_id"]), cls="name"), _text(r["problem"]), _text(r["machine"]),
             _text(r["setting"]), _count(r["seed"]), Cell(str(r["error"]), cls="error")]
            for r in fails.to_dict("records")]
    return table(["Job id", "Problem", "Machine", "Setting", "Seed", "Error"], rows)
