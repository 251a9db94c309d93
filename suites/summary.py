"""Summary tables of a run: metrics per problem × machine × setting (from the tidy tables)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from suites import bootstrap, metrics
from suites.ordering import sort_naturally

GROUP = ["problem", "machine", "setting"]


@dataclass(frozen=True)
class GroupReads:
    """The reads of one problem × machine × setting group that its metrics are computed from.

    ``success``, ``energy`` and ``residual`` hold one entry per read of the jobs that finished;
    ``wall`` and ``modelled`` one time per read of the reads that time the machine: those of
    jobs that recorded no trace when there are any (recording traces slows some samplers
    down), else all of them. ``modelled`` is empty when the machine models no hardware time.
    A job's time is split evenly over its reads, except in suites with
    ``metrics.stop_at_target`` where reads stopped at the target: each read then gets its
    share scaled by how long it ran (its ``stop_seconds``/``stop_step`` over the last read's;
    see :func:`suites.store.build_tables`), so TTS uses each read's own time.
    """

    success: np.ndarray
    energy: np.ndarray
    residual: np.ndarray
    wall: np.ndarray
    modelled: np.ndarray
    target: float

    @property
    def times(self) -> dict[str, np.ndarray]:
        """The times per read by clock (``"wall"``, ``"model"``)."""
        return {"wall": self.wall, "model": self.modelled}


def group_reads(g: pd.DataFrame) -> GroupReads:
    """The :class:`GroupReads` of one group of rows of the tidy ``jobs`` table."""
    ok = g[g["status"] == "ok"]
    untraced = ~ok["has_trace"].astype(bool)
    timed = ok[untraced] if untraced.any() else ok
    wall = timed["wall_s"].to_numpy(dtype=float) if "wall_s" in timed else np.array([])
    modelled = ok["modelled_s"].to_numpy(dtype=float) if "modelled_s" in ok else np.array([])
    return GroupReads(
        success=ok["success"].to_numpy(dtype=bool),
        energy=ok["energy"].to_numpy(dtype=float),
        residual=ok["residual"].to_numpy(dtype=float) if "residual" in ok else np.array([]),
        wall=wall[np.isfinite(wall)], modelled=modelled[np.isfinite(modelled)],
        target=float(g["target"].iloc[0]))


def _nan_estimate() -> metrics.Estimate:
    return metrics.Estimate(math.nan, math.nan, math.nan)


def _tts_boots(q: pd.DataFrame, reads: dict[tuple, GroupReads], n_boot: int, seed: int
               ) -> dict[tuple, dict[str, bootstrap.TTSBoot | None]]:
    """The TTS99 bootstraps of every group, drawn per problem instance as the verdict draws
    them (:func:`suites.bootstrap.instance_tts_boots`)."""
    names = labels(q).set_index(GROUP)
    instances: dict[str, dict[str, tuple]] = {}
    for key in reads:
        row = names.loc[key]
        instances.setdefault(row["instance"], {})[row["config"]] = key
    out: dict[tuple, dict[str, bootstrap.TTSBoot | None]] = {}
    for configs in instances.values():
        boots = bootstrap.instance_tts_boots(
            {config: (reads[key].success, reads[key].times) for config, key in configs.items()},
            n_boot, seed)
        for config, key in configs.items():
            out[key] = {clock: boots[config, clock] for clock in bootstrap.CLOCKS}
    return out


def qubo_summary(jobs: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per problem × machine × setting of the QUBO jobs.

    Wall time per read is averaged over the jobs that did not record traces when there are
    any (trace recording slows some samplers down).

    Columns: reads, jobs, failed, num_variables, target, target_source, p_s with its bootstrap
    95% interval, TTS99 from wall time per read (``tts_wall_*``) and from modelled hardware time
    per read (``tts_model_*``, ``nan`` where the machine models none), residual energy (mean and
    median), best energy. p_s resamples with ``numpy.random.default_rng(seed)`` per group; the
    TTS99 intervals are those of :mod:`suites.bootstrap` (reads and their times resampled), the
    same the verdict shows.
    """
    if jobs.empty or "energy" not in jobs:
        return pd.DataFrame()
    q = jobs[jobs["mode"] == "qubo"]
    groups = dict(list(q.groupby(GROUP, sort=True)))
    reads = {key: group_reads(g) for key, g in groups.items()}
    boots = _tts_boots(q, reads, n_boot, seed)
    rows = []
    for key, g in groups.items():
        group = reads[key]
        success, target = group.success, group.target
        t_wall = float(group.wall.mean()) if group.wall.size else math.nan
        t_model = float(group.modelled.mean()) if group.modelled.size else math.nan
        measured = math.isfinite(target) and success.size > 0
        ps = metrics.success_probability_ci(success, n_boot, seed) if measured \
            else _nan_estimate()
        tts = {clock: boot.estimate() if measured and boot is not None else _nan_estimate()
               for clock, boot in boots[key].items()}
        tw, tm = tts["wall"], tts["model"]
        resid = group.residual
        rows.append({
            **dict(zip(GROUP, key, strict=True)), "reads": success.size,
            "jobs": g["job_id"].nunique(),
            "failed": int(g.loc[g["status"] != "ok", "job_id"].nunique()),
            "num_variables": g["num_variables"].dropna().iloc[0]
            if g["num_variables"].notna().any() else math.nan,
            "target": target, "target_source": g["target_source"].iloc[0],
            "p_s": ps.value, "p_s_low": ps.low, "p_s_high": ps.high,
            "t_read_wall_s": t_wall, "t_read_model_s": t_model,
            "tts_wall_s": tw.value, "tts_wall_low": tw.low, "tts_wall_high": tw.high,
            "tts_model_s": tm.value, "tts_model_low": tm.low, "tts_model_high": tm.high,
            "residual_mean": float(np.nanmean(resid)) if np.isfinite(resid).any() else math.nan,
            "residual_median": float(np.nanmedian(resid)) if np.isfinite(resid).any()
            else math.nan,
            "best_energy": float(np.nanmin(group.energy)) if np.isfinite(group.energy).any()
            else math.nan,
        })
    return sort_naturally(pd.DataFrame(rows), GROUP)


def training_summary(jobs: pd.DataFrame) -> pd.DataFrame:
    """Train/test accuracy mean ± std over seeds per problem × machine × setting."""
    if jobs.empty or "train_accuracy" not in jobs:
        return pd.DataFrame()
    t = jobs[(jobs["mode"] == "train")]
    rows = []
    for key, g in t.groupby(GROUP, sort=True):
        ok = g[g["status"] == "ok"]
        train_m, train_s = metrics.mean_std(ok["train_accuracy"].astype(float))
        test_m, test_s = metrics.mean_std(ok["test_accuracy"].astype(float))
        rows.append({**dict(zip(GROUP, key, strict=True)), "seeds": len(ok),
                     "failed": int((g["status"] != "ok").sum()),
                     "train_accuracy": train_m, "train_accuracy_std": train_s,
                     "test_accuracy": test_m, "test_accuracy_std": test_s,
                     "wall_s": float(ok["wall_s"].mean()) if len(ok) else math.nan})
    return sort_naturally(pd.DataFrame(rows), GROUP)


def _fmt(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def labels(jobs: pd.DataFrame) -> pd.DataFrame:
    """What each problem × machine × setting group is compared as, one row per group.

    Columns ``problem``, ``machine``, ``setting``, ``mode``, ``instance`` and ``config``. A QUBO
    problem's grid values make different models (their energies do not compare), so each
    grid point is an instance of its own (``"qubo-digits [bits=5]"``) and only the machine's
    grid values go into the configuration (``"sa (num_sweeps=100)"``). A training problem is one
    task whatever its grid values (accuracy on the same test set compares), so it is one
    instance and the whole setting goes into the configuration.
    """
    columns = [*GROUP, "mode", "instance", "config"]
    if jobs.empty:
        return pd.DataFrame(columns=columns)
    keys = [c for c in jobs if c.startswith("set_")]
    groups = jobs.drop_duplicates(GROUP)
    rows = []
    for r in groups.to_dict("records"):
        names = [k[len("set_"):] for k in keys if pd.notna(r[k])]
        problem_params = json.loads(r["problem_params"])
        sample_params = json.loads(r["sample_params"])
        if r["mode"] == "qubo":
            own = [k for k in names if k in problem_params and k not in sample_params]
            instance = ", ".join(f"{k}={_fmt(problem_params[k])}" for k in own)
            machine = ", ".join(f"{k}={_fmt(sample_params[k])}" for k in names
                                if k not in own and k in sample_params)
        else:
            instance, machine = "", "" if r["setting"] == "default" else r["setting"]
        rows.append({**{k: r[k] for k in GROUP}, "mode": r["mode"],
                     "instance": r["problem"] + (f" [{instance}]" if instance else ""),
                     "config": r["machine"] + (f" ({machine})" if machine else "")})
    return sort_naturally(pd.DataFrame(rows, columns=columns), GROUP)


def failures(jobs: pd.DataFrame) -> pd.DataFrame:
    """One row per failed job with its error."""
    if jobs.empty:
        return pd.DataFrame()
    bad = jobs[jobs["status"] != "ok"].drop_duplicates("job_id")
    return bad[["job_id", "problem", "machine", "setting", "seed", "error"]].reset_index(drop=True)
