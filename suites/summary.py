"""Summary tables of a run: metrics per problem × machine × setting (from the tidy tables)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from suites import metrics
from suites.ordering import sort_naturally

GROUP = ["problem", "machine", "setting"]


def qubo_summary(jobs: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per problem × machine × setting of the QUBO jobs.

    Wall time per read is averaged over the jobs that did not record traces when there are
    any (trace recording slows some samplers down).

    Columns: reads, jobs, failed, num_variables, target, target_source, p_s with its bootstrap
    95% interval, TTS99 from wall time per read (``tts_wall_*``) and from modelled hardware time
    per read (``tts_model_*``, ``nan`` where the machine models none), residual energy (mean and
    median), best energy. The bootstrap uses ``numpy.random.default_rng(seed)`` per group.
    """
    if jobs.empty or "energy" not in jobs:
        return pd.DataFrame()
    q = jobs[jobs["mode"] == "qubo"]
    rows = []
    for key, g in q.groupby(GROUP, sort=True):
        ok = g[g["status"] == "ok"]
        success = ok["success"].to_numpy(dtype=bool)
        target = float(g["target"].iloc[0])
        # recording traces slows some samplers down: time reads from untraced jobs if any
        timed = ok[~ok["has_trace"].astype(bool)] if (~ok["has_trace"].astype(bool)).any() else ok
        t_wall = float(timed["wall_s"].mean()) if len(timed) else math.nan
        t_model = float(ok["modelled_s"].mean()) if len(ok) and "modelled_s" in ok else math.nan
        has_target = math.isfinite(target)
        ps = metrics.success_probability_ci(success, n_boot, seed) if has_target and len(ok) \
            else metrics.Estimate(math.nan, math.nan, math.nan)
        tw = metrics.tts_ci(success, t_wall, n_boot, seed) if has_target and len(ok) \
            else metrics.Estimate(math.nan, math.nan, math.nan)
        if has_target and len(ok) and math.isfinite(t_model):
            tm = metrics.tts_ci(success, t_model, n_boot, seed)
        else:
            tm = metrics.Estimate(math.nan, math.nan, math.nan)
        resid = ok["residual"].to_numpy(dtype=float) if "residual" in ok else np.array([])
        rows.append({
            **dict(zip(GROUP, key, strict=True)),
            "reads": len(ok), "jobs": g["job_id"].nunique(),
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
            "best_energy": float(ok["energy"].min()) if len(ok) else math.nan,
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


def failures(jobs: pd.DataFrame) -> pd.DataFrame:
    """One row per failed job with its error."""
    if jobs.empty:
        return pd.DataFrame()
    bad = jobs[jobs["status"] != "ok"].drop_duplicates("job_id")
    return bad[["job_id", "problem", "machine", "setting", "seed", "error"]].reset_index(drop=True)
