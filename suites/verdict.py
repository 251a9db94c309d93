"""The verdict of a run: per problem, its configurations ranked and what the ranking says.

A configuration is a machine with its grid values (``sa (num_sweeps=100)``); a problem is a
QUBO instance or a training task (see :func:`suites.summary.labels`).

QUBO problems are ranked by TTS99 from the measured wall time of a read. Beside it stands
TTS99 from modelled hardware time, for the machines that model one; those times come from
each machine preset's clock model (fitted to published figures where they exist, else an
assumed clock; ``isingbench machines``), not from a measurement. When
no configuration reaches the target in any read (TTS99 ∞ for all) the ranking falls back to
the mean residual energy per read, and to the mean energy when the problem has no target.
Training problems are ranked by test accuracy (mean ± std over seeds).

Each problem gets sentences that name the winner and say whether the run separates it from
the best configuration of another machine (the runner-up; the next configuration when one
machine ran): for TTS99 by the bootstrap 95% interval of the runner-up's TTS99 over the
winner's (both machines' reads resampled with their times, :mod:`suites.bootstrap`, so the
interval also carries the spread of time between jobs); for residual or energy by the
interval of the difference of the means; for accuracy by whether the mean ± std ranges overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from suites import metrics, summary
from suites.bootstrap import TTSBoot, instance_tts_boots, percentile_interval, resample_means
from suites.formatting import interval, sig3, time_interval
from suites.ordering import natural_key

#: What a target source is called in a sentence (``{obj}``: the objective, e.g. "cut").
TARGET_WORDS = {
    "best_seen": "best-seen {obj}", "best_known": "best-known {obj}",
    "ground_state": "ground state", "optimum": "zero-loss optimum", "given": "given target",
}
CLOCKS = {"wall": "wall clock", "model": "modelled hardware time"}


@dataclass
class Verdict:
    """The verdict on one problem.

    ``basis`` says what ``ranking`` (one row per configuration, best first, with ``rank``)
    is ordered by: ``tts`` (TTS99 from wall time), ``residual`` (mean residual energy per
    read: no configuration reached the target), ``energy`` (mean energy: no target),
    ``accuracy`` (test accuracy) or ``none`` (nothing finished).
    """

    problem: str
    mode: str
    basis: str
    ranking: pd.DataFrame
    sentences: list[str] = field(default_factory=list)
    target: str = ""
    num_variables: float = math.nan

    @property
    def winner(self) -> str | None:
        return None if self.ranking.empty or self.basis == "none" \
            else str(self.ranking["config"].iloc[0])

    @property
    def description(self) -> str:
        """What the problem is: size and target, or that it trains a model."""
        if self.mode == "train":
            return "training; ranked by test accuracy"
        size = f"{int(self.num_variables):,} variables; " if math.isfinite(self.num_variables) \
            else ""
        return f"{size}target: {self.target}"


# ---------------------------------------------------------------- bootstrap comparisons


def tts_ratio(top: TTSBoot, other: TTSBoot) -> metrics.Estimate:
    """``other``'s TTS99 over ``top``'s with its bootstrap 95% interval.

    The replicates of the two are independent resamples, so their quotients are replicates
    of the ratio. A replicate where neither side succeeds counts as 1 (no difference seen);
    one where only ``top`` fails as 0, only ``other`` as ``inf``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        point = other.value / top.value if math.isfinite(top.value) else math.nan
        ratio = np.where(np.isinf(top.replicates) & np.isinf(other.replicates), 1.0,
                         other.replicates / top.replicates)
    return metrics.Estimate(point, *percentile_interval(ratio))


def mean_difference(winner: np.ndarray, runner_up: np.ndarray, n_boot: int = 1000,
                    seed: int = 0) -> metrics.Estimate:
    """Mean of ``runner_up`` minus mean of ``winner`` with its bootstrap 95% interval."""
    a, b = (np.asarray(v, dtype=float) for v in (winner, runner_up))
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if not (a.size and b.size):
        return metrics.Estimate(math.nan, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    diff = resample_means(b, n_boot, rng) - resample_means(a, n_boot, rng)
    return metrics.Estimate(float(b.mean() - a.mean()), *percentile_interval(diff))


# ---------------------------------------------------------------- ranking


def _excess(reads: summary.GroupReads) -> tuple[np.ndarray, str]:
    """Per read: the relative residual energy, the energy above a zero target, or the energy
    (no target); and which of the three it is."""
    e = reads.energy[np.isfinite(reads.energy)]
    if not math.isfinite(reads.target):
        return e, "energy"
    if reads.target == 0:
        return e - reads.target, "absolute"
    return (e - reads.target) / abs(reads.target), "relative"


EXCESS_WORDS = {"relative": "relative residual energy (E − E_target)/|E_target|",
                "absolute": "energy above the target", "energy": "energy"}


def excess_text(value: float, low: float, high: float, kind: str) -> str:
    """A mean residual (in per cent when relative) or energy with its interval."""
    if kind == "relative":
        return interval(100 * value, 100 * low, 100 * high, "%")
    return interval(value, low, high)


def _ranks(keys: list[tuple]) -> list[int]:
    """Rank of each (already sorted) key; equal keys share the rank of the first."""
    ranks: list[int] = []
    for i, key in enumerate(keys):
        ranks.append(ranks[-1] if i and key == keys[i - 1] else i + 1)
    return ranks


def _ranked(records: list[dict], key) -> pd.DataFrame:
    """``records`` sorted by ``key`` (then by configuration name) with a ``rank`` column."""
    records = sorted(records, key=lambda r: (key(r), natural_key(r["config"])))
    ranking = pd.DataFrame(records).drop(columns="rank", errors="ignore")
    ranking.insert(0, "rank", _ranks([key(r) for r in records]))
    return ranking


def _runner_up(ranking: pd.DataFrame) -> pd.Series | None:
    """The best configuration of another machine, else the next one, else ``None``."""
    if len(ranking) < 2:
        return None
    others = ranking.iloc[1:]
    other_machine = others[others["machine"] != ranking["machine"].iloc[0]]
    return (other_machine if len(other_machine) else others).iloc[0]


def _last_if_nan(value: float, descending: bool = False) -> float:
    """An ascending sort key that puts ``nan`` at the end (level with ``inf``); ``descending``
    negates the other values, so the largest comes first."""
    if value is None or math.isnan(value):
        return math.inf
    return -value if descending else value


def _names(configs: list[str]) -> str:
    return configs[0] if len(configs) == 1 else ", ".join(configs[:-1]) + " and " + configs[-1]


def _target_words(source: str, objective: str | None) -> str:
    return TARGET_WORDS.get(source, "target").format(obj=objective or "energy")


@dataclass
class _Instance:
    """One QUBO instance being judged: its summary rows, reads and TTS99 bootstraps."""

    rows: pd.DataFrame
    reads: dict[str, summary.GroupReads]
    boots: dict[tuple[str, str], TTSBoot | None]
    n_boot: int


def _instance(rows: pd.DataFrame, groups: dict, n_boot: int, seed: int) -> _Instance:
    reads = {r["config"]: summary.group_reads(groups[tuple(r[k] for k in summary.GROUP)])
             for r in rows.to_dict("records")}
    boots = instance_tts_boots({c: (g.success, g.times) for c, g in reads.items()}, n_boot, seed)
    return _Instance(rows, reads, boots, n_boot)


def _qubo_ranking(inst: _Instance) -> tuple[pd.DataFrame, str]:
    records = []
    for r in inst.rows.to_dict("records"):
        excess, kind = _excess(inst.reads[r["config"]])
        lo, hi = (metrics.bootstrap_interval(excess, np.mean, inst.n_boot) if excess.size
                  else (math.nan, math.nan))
        row = {**r, "successes": int(inst.reads[r["config"]].success.sum()),
               "excess_mean": float(excess.mean()) if excess.size else math.nan,
               "excess_low": lo, "excess_high": hi, "excess_kind": kind}
        records.append(row)
    if not any(math.isfinite(r["excess_mean"]) for r in records):
        basis = "none"
    elif not any(math.isfinite(r["target"]) for r in records):
        basis = "energy"
    elif any(r["tts_wall_s"] < math.inf for r in records):
        basis = "tts"
    else:
        basis = "residual"

    def key(r: dict) -> tuple:
        if basis == "tts":
            return (_last_if_nan(r["tts_wall_s"]), _last_if_nan(r["p_s"], descending=True),
                    _last_if_nan(r["excess_mean"]))
        return (_last_if_nan(r["excess_mean"]),)

    return _ranked(records, key), basis


def _reads_phrase(row: pd.Series, target: str) -> str:
    n, k = int(row["reads"]), int(row["successes"])
    if k == n:
        return f"reaches the {target} in every read ({n:,})"
    return f"reaches the {target} in {k:,} of {n:,} reads"


def _separation(est: metrics.Estimate, null: float) -> str:
    """Whether the 95% interval of ``est`` excludes ``null`` (1 for ratios, 0 differences)."""
    if est.low > null or est.high < null:
        return f"the 95% interval excludes {null:g}, so the run separates them"
    return f"the 95% interval includes {null:g}, so this run does not separate them"


def _tts_text(row: pd.Series, clock: str) -> str:
    return time_interval(row[f"tts_{clock}_s"], row[f"tts_{clock}_low"], row[f"tts_{clock}_high"])


def _tts_comparison(ranking: pd.DataFrame, clock: str, inst: _Instance) -> str:
    """The clause on the leader's TTS99 on ``clock``: tied, alone, or against the runner-up."""
    w, r = ranking.iloc[0], _runner_up(ranking)
    label = CLOCKS[clock]
    tied = list(ranking.loc[ranking["rank"] == 1, "config"])
    if len(tied) > 1:
        return f"{_names(tied)} tie at TTS99 ({label}) {_tts_text(w, clock)}"
    if r is None:
        return f"its TTS99 ({label}) is {_tts_text(w, clock)}; nothing else ran on this problem"
    top, other = inst.boots[w["config"], clock], inst.boots[r["config"], clock]
    ratio = tts_ratio(top, other) if top is not None and other is not None else None
    if not r[f"tts_{clock}_s"] < math.inf:
        rival = "machine" if r["machine"] != w["machine"] else "setting"
        if clock == "model":
            rival += " that models hardware time"
        clause = (f"its TTS99 ({label}) is {_tts_text(w, clock)}; no other {rival} reaches the "
                  "target in any read")
        if ratio is None:
            return clause
        if clock == "model":  # the wall-clock sentence already judged the separation
            return clause if ratio.low > 1.0 else (
                f"{clause}, but {w['config']} succeeds too rarely for the run to separate them")
        # few successes: resamples without any leave the ratio's interval open towards 1
        return (f"{clause}, and {_separation(ratio, 1.0)} (TTS99 ratio to {r['config']} "
                f"[{sig3(ratio.low)}, {sig3(ratio.high)}])")
    times = f"{sig3(ratio.value)}× [{sig3(ratio.low)}, {sig3(ratio.high)}]"
    return (f"its TTS99 ({label}, {_tts_text(w, clock)}) is {times} lower than that of "
            f"{r['config']}; {_separation(ratio, 1.0)}")


def _modelled_sentence(ranking: pd.DataFrame, inst: _Instance) -> str | None:
    modelled = [r for r in ranking.to_dict("records") if math.isfinite(r["t_read_model_s"])]
    if not modelled:
        return None
    ranked = _ranked(modelled, lambda r: (_last_if_nan(r["tts_model_s"]),))
    if not ranked["tts_model_s"].iloc[0] < math.inf:
        return (f"None of the machines that model hardware time "
                f"({', '.join(ranked['config'])}) reaches the target.")
    head = "On modelled hardware time (the machine presets' assumed clocks, not a measurement)"
    clause = _tts_comparison(ranked, "model", inst)
    if " tie at " in clause:
        return f"{head}, {clause}."
    if len(ranked) == 1:
        return (f"{head}, {ranked['config'].iloc[0]} is the only machine that models one: "
                f"TTS99 {_tts_text(ranked.iloc[0], 'model')}.")
    return f"{head}, {ranked['config'].iloc[0]} leads: {clause}."


def _fallback_sentences(ranking: pd.DataFrame, basis: str, target: str,
                        inst: _Instance) -> list[str]:
    """Ranked by mean residual (nobody reached the target) or by mean energy (no target)."""
    w, r = ranking.iloc[0], _runner_up(ranking)
    kind = w["excess_kind"]
    lead = (f"No configuration reaches the {target} in any read (TTS99 is ∞ for all), so they "
            f"are ranked by the mean {EXCESS_WORDS[kind]} per read instead"
            if basis == "residual" else
            f"This problem has no target energy, so configurations are ranked by the mean "
            f"{EXCESS_WORDS[kind]} per read")

    def text(row: pd.Series) -> str:
        return excess_text(row["excess_mean"], row["excess_low"], row["excess_high"], kind)

    if r is None:
        return [f"{lead}: only {w['config']} ran ({text(w)})."]
    sentences = [f"{lead}: {w['config']} {text(w)}, against {text(r)} for {r['config']}."]
    diff = mean_difference(_excess(inst.reads[w["config"]])[0],
                           _excess(inst.reads[r["config"]])[0], inst.n_boot)
    if diff.value == 0:
        sentences.append(f"{w['config']} and {r['config']} tie.")
    else:
        sentences.append(f"The difference of the means is "
                         f"{excess_text(diff.value, diff.low, diff.high, kind)}; "
                         f"{_separation(diff, 0.0)}.")
    return sentences


def _failures(ranking: pd.DataFrame) -> list[str]:
    failed = int(ranking["failed"].sum())
    return [f"{failed} job{'s' if failed > 1 else ''} failed (see Failed jobs)."] if failed \
        else []


def qubo_verdicts(jobs: pd.DataFrame, qsum: pd.DataFrame | None = None,
                  n_boot: int = 1000, seed: int = 0) -> list[Verdict]:
    """One :class:`Verdict` per QUBO instance of the tidy ``jobs`` table.

    ``qsum`` is :func:`suites.summary.qubo_summary` of ``jobs`` with the same ``n_boot``
    (computed when not given): its TTS99 intervals and the ratios here come from the same
    draws of :mod:`suites.bootstrap`.
    """
    if qsum is None:
        qsum = summary.qubo_summary(jobs, n_boot=n_boot)
    if qsum.empty:
        return []
    rows = qsum.merge(summary.labels(jobs), on=summary.GROUP)
    groups = dict(list(jobs[jobs["mode"] == "qubo"].groupby(summary.GROUP)))
    objectives = (jobs.dropna(subset=["objective_name"]).groupby("problem")["objective_name"]
                  .first().to_dict() if "objective_name" in jobs else {})
    out = []
    for name in sorted(rows["instance"].unique(), key=natural_key):
        inst = _instance(rows[rows["instance"] == name], groups, n_boot, seed)
        ranking, basis = _qubo_ranking(inst)
        w = ranking.iloc[0]
        target = _target_words(str(w["target_source"]), objectives.get(w["problem"]))
        if basis == "tts":
            clause = _tts_comparison(ranking, "wall", inst)
            sentences = [f"{clause}." if " tie at " in clause else
                         f"{w['config']} {_reads_phrase(w, target)}; {clause}."]
            modelled = _modelled_sentence(ranking, inst)
            sentences += [modelled] if modelled else []
        elif basis == "none":
            sentences = ["No job of this problem finished."]
        else:
            sentences = _fallback_sentences(ranking, basis, target, inst)
        out.append(Verdict(name, "qubo", basis, ranking, sentences + _failures(ranking),
                           target if math.isfinite(w["target"]) else "no target",
                           float(w["num_variables"])))
    return out


def _accuracy(row: pd.Series) -> str:
    seeds = int(row["seeds"])
    return (f"{sig3(row['test_accuracy'])} ± {sig3(row['test_accuracy_std'])} over "
            f"{seeds} seed{'s' if seeds != 1 else ''}")


def _training_sentence(ranking: pd.DataFrame) -> str:
    w, r = ranking.iloc[0], _runner_up(ranking)
    tied = list(ranking.loc[ranking["test_accuracy"] == w["test_accuracy"], "config"])
    if len(tied) > 1:
        return (f"{_names(tied)} tie at test accuracy {_accuracy(w)}"
                + (f" ({w['config']} ranks first on train accuracy)."
                   if ranking["train_accuracy"].iloc[1] != w["train_accuracy"] else "."))
    if r is None:
        return f"Only {w['config']} trained on this problem: test accuracy {_accuracy(w)}."
    head = (f"{w['config']} reaches the highest test accuracy, {_accuracy(w)}, against "
            f"{_accuracy(r)} for {r['config']}")
    if min(w["seeds"], r["seeds"]) < 2:
        return f"{head}; with one seed there is no spread to tell them apart."
    overlap = (w["test_accuracy"] - w["test_accuracy_std"]
               <= r["test_accuracy"] + r["test_accuracy_std"])
    return head + ("; the mean ± std ranges overlap, so the seeds do not separate them."
                   if overlap else "; the mean ± std ranges do not overlap.")


def training_verdicts(jobs: pd.DataFrame, tsum: pd.DataFrame | None = None) -> list[Verdict]:
    """One :class:`Verdict` per training problem of the tidy ``jobs`` table, ranked by test
    accuracy (then train accuracy; ``tsum`` is :func:`suites.summary.training_summary`)."""
    if tsum is None:
        tsum = summary.training_summary(jobs)
    if tsum.empty:
        return []
    rows = tsum.merge(summary.labels(jobs), on=summary.GROUP)
    out = []
    for name in sorted(rows["instance"].unique(), key=natural_key):
        ranking = _ranked(rows[rows["instance"] == name].to_dict("records"),
                          lambda r: (_last_if_nan(r["test_accuracy"], descending=True),
                                     _last_if_nan(r["train_accuracy"], descending=True)))
        finished = ranking["test_accuracy"].notna().any()
        sentences = [_training_sentence(ranking) if finished
                     else "No training job of this problem finished."]
        out.append(Verdict(name, "train", "accuracy" if finished else "none", ranking,
                           sentences + _failures(ranking), "test accuracy"))
    return out


def verdicts(jobs: pd.DataFrame, qsum: pd.DataFrame | None = None,
             tsum: pd.DataFrame | None = None, n_boot: int = 1000) -> list[Verdict]:
    """The verdicts of every QUBO problem, then of every training problem, of a run."""
    if jobs.empty:
        return []
    return qubo_verdicts(jobs, qsum, n_boot) + training_verdicts(jobs, tsum)


TEXT_NOTE = ("Ranked by TTS99 from the measured wall time of a read; modelled hardware times "
             "come from each machine preset's clock model (fitted to published figures or "
             "assumed: see the clocks at the end; a model, not a measurement). Intervals: "
             "bootstrap 95% over reads.")


def verdict_text(verdicts: list[Verdict], title: str) -> str:
    """The verdicts as plain text: a heading per problem, then its sentences one a line."""
    lines = [f"Verdict: {title}", TEXT_NOTE]
    if not verdicts:
        lines.append("(no finished job to rank)")
    for v in verdicts:
        lines.append(f"{v.problem} ({v.description})")
        lines += [f"  {s}" for s in v.sentences]
    return "\n".join(lines)
