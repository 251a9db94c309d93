"""Seaborn figures of a run (Agg backend; PNG files under ``<run-dir>/figures``).

Each function returns the figure it drew or ``None`` when the run has no data for it
(e.g. no machine recorded traces, no training jobs).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from suites import metrics  # noqa: E402
from suites.ordering import natural_order  # noqa: E402
from suites.store import Results  # noqa: E402

sns.set_theme(style="whitegrid", context="notebook")


def _series(df: pd.DataFrame) -> pd.Series:
    """Label per curve: machine, plus the setting when there is more than one."""
    if df["setting"].nunique() > 1:
        return df["machine"] + " [" + df["setting"] + "]"
    return df["machine"]


def _palette(names: Iterable[str]) -> dict[str, tuple]:
    """One colour per name, the same in every panel of a figure."""
    ordered = natural_order(names)
    return dict(zip(ordered, sns.color_palette("tab10" if len(ordered) <= 10 else "husl",
                                               len(ordered)), strict=True))


def _finish(fig: plt.Figure, title: str) -> None:
    """Suptitle above the panels: tight layout with half an inch kept free at the top."""
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))


#: Legends with more entries than this go beside the axes, in columns of ``_LEGEND_ROWS``.
_LEGEND_INSIDE = 8
_LEGEND_ROWS = 20


def _legend(ax: plt.Axes, fontsize: str = "small", **kwargs) -> None:
    """Legend inside the axes, or beside them when it has more than ``_LEGEND_INSIDE`` entries."""
    entries = len(ax.get_legend_handles_labels()[1])
    if entries > _LEGEND_INSIDE:
        ax.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  ncol=math.ceil(entries / _LEGEND_ROWS), **kwargs)
    else:
        ax.legend(fontsize=fontsize, **kwargs)


def _legend_width(entries: int) -> float:
    """Inches a legend of ``entries`` takes beside the axes (0 when it fits inside)."""
    return 2.4 * math.ceil(entries / _LEGEND_ROWS) if entries > _LEGEND_INSIDE else 0.0


def _panel_width(n_settings: int, n_machines: int, series_per_machine: int = 1) -> float:
    """Inches a panel needs: the machines along x with one setting, else the settings along x
    and a legend of ``n_machines * series_per_machine`` entries."""
    if n_settings == 1:
        return max(5.5, 0.3 * n_machines + 2)
    return max(5.5, 1.2 * n_settings + 2 + _legend_width(n_machines * series_per_machine))


def _panel_title(problem: str, settings: list) -> str:
    """The problem, and its only setting when a panel shows one that is not the default."""
    if len(settings) == 1 and settings[0] != "default":
        return f"{problem} [{settings[0]}]"
    return problem


def _facet_axes(n: int, width: float = 5.5, height: float = 3.8):
    """Panels of ``width`` x ``height`` inches: up to 3 a row, fewer when they are wide."""
    cols = max(1, min(n, 3, int(18 // width)))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def convergence(results: Results, against: str = "step") -> plt.Figure | None:
    """Median best-so-far energy (band: inter-quartile range over reads and seeds) per machine.

    ``against`` is ``"step"`` (sweeps/steps as the machine counts them) or ``"seconds"``
    (wall-clock time since the start of sampling, log scale).
    """
    tr = results.traces
    if tr.empty:
        return None
    tr = tr.assign(series=_series(tr))
    problems = natural_order(tr["problem"])
    fig, axes = _facet_axes(len(problems))
    palette = _palette(tr["series"])
    for ax, problem in zip(axes, problems, strict=False):
        sub = tr[tr["problem"] == problem]
        for series, g in sub.groupby("series"):
            if against == "step":
                wide = g.pivot_table(index=["job_id", "read"], columns="step",
                                     values="best_energy")
                x = wide.columns.to_numpy(dtype=float)
                q25, med, q75 = metrics.convergence_vs_steps(wide.to_numpy())
            else:
                curves = []
                for _, run in g.groupby("job_id"):
                    wide = run.pivot_table(index="read", columns="seconds", values="best_energy")
                    curves.append((wide.columns.to_numpy(dtype=float), wide.to_numpy()))
                x, q25, med, q75 = metrics.convergence_vs_seconds(curves)
            color = palette[series]
            ax.plot(x, med, label=series, color=color)
            ax.fill_between(x, q25, q75, color=color, alpha=0.2, linewidth=0)
        target = sub["target"].dropna()
        if len(target) and np.isfinite(target.iloc[0]):
            ax.axhline(target.iloc[0], color="black", linestyle=":", linewidth=1, label="target")
        ax.set_title(problem)
        ax.set_xlabel("sweeps / steps" if against == "step" else "wall-clock seconds (log)")
        if against == "seconds":
            ax.set_xscale("log")
        ax.set_ylabel("best energy so far (median, IQR band)")
        _legend(ax)
    _finish(fig, f"Convergence against {'steps' if against == 'step' else 'time'}")
    return fig


def training_convergence(results: Results) -> plt.Figure | None:
    """Best training loss so far against training round, one panel per problem and setting.

    One curve per machine: the median over seeds, with the range over seeds as a band.
    """
    tr = results.training
    if tr.empty:
        return None
    panels = list(tr.groupby(["problem", "setting"], sort=True))
    fig, axes = _facet_axes(len(panels), width=4.8, height=3.4)
    palette = _palette(tr["machine"])
    for ax, ((problem, setting), sub) in zip(axes, panels, strict=False):
        for machine, g in sub.groupby("machine"):
            wide = g.pivot_table(index="seed", columns="round", values="best_train_loss")
            x = wide.columns.to_numpy(dtype=float)
            values = wide.to_numpy(dtype=float)
            color = palette[machine]
            ax.plot(x, np.nanmedian(values, axis=0), label=machine, color=color)
            ax.fill_between(x, np.nanmin(values, axis=0), np.nanmax(values, axis=0),
                            color=color, alpha=0.15, linewidth=0)
        ax.set_title(problem if setting == "default" else f"{problem}\n{setting}",
                     fontsize="medium")
        ax.set_xlabel("training round")
        ax.set_ylabel("best training loss so far")
        _legend(ax, fontsize="x-small")
    _finish(fig, "Training convergence (median over seeds; band: min-max)")
    return fig


#: Panel titles of the two clocks.
CLOCK_TITLES = {"wall": "wall clock (measured on the computer that ran the suite)",
                "model": "modelled hardware time (preset clock model)"}
#: The clock in a TTS99 panel's y label.
CLOCK_UNITS = {"wall": "measured", "model": "modelled"}
#: What the y axis of a TTS99-against-size figure says for each clock.
TTS_AXIS = {"wall": "TTS99 [s], wall clock (measured here)",
            "model": "TTS99 [s], modelled hardware time (clock model)"}


def _tts_panel(ax: plt.Axes, sub: pd.DataFrame, clock: str, palette: dict[str, tuple],
               legend: bool = True) -> None:
    """One problem's TTS99 on one clock: machines along x (one setting) or settings along x."""
    col = f"tts_{clock}"
    value = f"{col}_s"
    problem = sub["problem"].iloc[0]
    sub = sub[sub[value].notna()]  # machines without this clock are left out
    if sub.empty:
        ax.text(0.5, 0.5, "no machine models hardware time", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{problem}\n{CLOCK_TITLES[clock]}")
        return
    settings = natural_order(sub["setting"])
    machines = natural_order(sub["machine"])
    finite = sub[value][np.isfinite(sub[value])]
    top = float(finite.max()) * 10 if len(finite) else 1.0
    by_machine = len(settings) == 1
    ax.set_yscale("log")
    for k, machine in enumerate(machines):
        g = sub[sub["machine"] == machine]
        if by_machine:
            x = np.full(len(g), float(k))
        else:
            x = np.array([settings.index(s) for s in g["setting"]], dtype=float)
            x += (k - (len(machines) - 1) / 2) * min(0.08, 0.8 / len(machines))
        y = g[value].to_numpy(dtype=float)
        lo = g[f"{col}_low"].to_numpy(dtype=float)
        hi = np.minimum(g[f"{col}_high"].to_numpy(dtype=float), top)
        fin = np.isfinite(y)
        ax.errorbar(x[fin], y[fin], yerr=[y[fin] - lo[fin], hi[fin] - y[fin]],
                    fmt="o-", capsize=3, label=machine, color=palette[machine])
        if (~fin & ~np.isnan(y)).any():
            ax.scatter(x[~fin & ~np.isnan(y)], np.full((~fin & ~np.isnan(y)).sum(), top),
                       marker="x", color=palette[machine])
    positions = machines if by_machine else settings
    ax.set_xticks(range(len(positions)), positions, rotation=30 if by_machine else 20,
                  ha="right")
    ax.set_title(f"{_panel_title(problem, settings)} (n={int(sub['num_variables'].max())}, "
                 f"target: {sub['target_source'].iloc[0]})\n{CLOCK_TITLES[clock]}")
    ax.set_ylabel(f"TTS99 [s, {CLOCK_UNITS[clock]}]")
    if legend and not by_machine:
        _legend(ax)


def _tts_width(summary: pd.DataFrame) -> float:
    return max(_panel_width(g["setting"].nunique(), g["machine"].nunique())
               for _, g in summary.groupby("problem"))


def tts(summary: pd.DataFrame, clock: str = "wall") -> plt.Figure | None:
    """TTS99 with bootstrap 95% intervals against setting, per problem and machine.

    A problem with a single setting gets the machines side by side on the x axis.

    ``clock`` is ``"wall"`` (measured wall time per read here) or ``"model"`` (modelled hardware
    time per read). Infinite TTS (no success) is drawn as a cross at the top of the axis.
    """
    value = f"tts_{clock}_s"
    if summary.empty or summary[value].isna().all():
        return None
    summary = summary[summary[value].notna()]
    problems = natural_order(summary["problem"])
    palette = _palette(summary["machine"])
    fig, axes = _facet_axes(len(problems), width=_tts_width(summary))
    for ax, problem in zip(axes, problems, strict=False):
        _tts_panel(ax, summary[summary["problem"] == problem], clock, palette)
    _finish(fig, "Time to solution (99%), bootstrap 95% intervals; x = never reached")
    return fig


def tts_wall_and_modelled(summary: pd.DataFrame) -> plt.Figure | None:
    """Per problem, TTS99 on the measured wall clock (left) beside TTS99 on modelled
    hardware time (right), the same machine colours in both; ``None`` when no machine models
    hardware time (then :func:`tts` on the wall clock is the figure)."""
    if summary.empty or summary["tts_model_s"].isna().all() or \
            summary["tts_wall_s"].isna().all():
        return None
    summary = summary[summary["tts_wall_s"].notna() | summary["tts_model_s"].notna()]
    problems = natural_order(summary["problem"])
    palette = _palette(summary["machine"])
    width = _tts_width(summary)
    pairs = max(1, min(len(problems), 2, int(18 // (2 * width))))
    rows = math.ceil(len(problems) / pairs)
    fig, axes = plt.subplots(rows, 2 * pairs, figsize=(2 * width * pairs, 4.2 * rows),
                             squeeze=False)
    flat = axes.ravel()
    for ax in flat[2 * len(problems):]:
        ax.set_visible(False)
    for k, problem in enumerate(problems):
        sub = summary[summary["problem"] == problem]
        _tts_panel(flat[2 * k], sub, "wall", palette)
        _tts_panel(flat[2 * k + 1], sub, "model", palette)
    fig.suptitle("TTS99 on the wall clock (left) beside modelled hardware time (right: a "
                 "model, not a measurement)\nbootstrap 95% intervals; x = never reached")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.8 / fig.get_figheight()))
    return fig


def tts_vs_size(summary: pd.DataFrame, clock: str = "wall") -> plt.Figure | None:
    """TTS99 (bootstrap 95% intervals) against problem size, one line per machine and setting.

    Drawn when the run has problems of at least two sizes; infinite TTS is left out (the
    tables list it).
    """
    col, value = f"tts_{clock}", f"tts_{clock}_s"
    if summary.empty or summary[value].isna().all() or summary["num_variables"].nunique() < 2:
        return None
    data = summary[np.isfinite(summary[value])]
    if data.empty:
        return None
    data = data.assign(series=_series(data)).sort_values("num_variables")
    n_series = data["series"].nunique()
    fig, ax = plt.subplots(figsize=(7.5 + _legend_width(n_series), 4.8))
    for series, g in data.groupby("series"):
        y = g[value].to_numpy(dtype=float)
        hi = g[f"{col}_high"].to_numpy(dtype=float)
        hi = np.where(np.isfinite(hi), hi, y * 10)
        ax.errorbar(g["num_variables"], y, yerr=[y - g[f"{col}_low"].to_numpy(dtype=float),
                                                 hi - y], fmt="o-", capsize=3, label=series)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("problem size (variables)")
    ax.set_ylabel(TTS_AXIS[clock])
    _legend(ax)
    ax.set_title("TTS99 against problem size (95% bootstrap intervals; ∞ not drawn)")
    fig.tight_layout()
    return fig


def residual_vs_size(results: Results) -> plt.Figure | None:
    """Mean residual energy per read against problem size, one panel per problem kind.

    One line per machine (and setting, when there are several) through the mean over the
    problems of each size, with every problem as a dot; drawn for the kinds that have problems
    of at least two sizes. Residuals are relative to the target (DESIGN.md 3); the y
    axis is symmetric-log so that zero (every read on target) stays on the plot.
    """
    jobs = results.jobs
    if jobs.empty or "residual" not in jobs or "num_variables" not in jobs:
        return None
    q = jobs[(jobs["mode"] == "qubo") & (jobs["status"] == "ok")]
    q = q[np.isfinite(q["residual"].astype(float)) & q["num_variables"].notna()]
    kinds = [k for k, g in q.groupby("kind") if g["num_variables"].nunique() >= 2]
    if not kinds:
        return None
    q = q[q["kind"].isin(kinds)]
    q = q.assign(series=_series(q))
    points = (q.groupby(["kind", "series", "problem"])
              .agg(residual=("residual", "mean"), size=("num_variables", "max")).reset_index())
    palette = _palette(points["series"])
    n_series = points["series"].nunique()
    fig, axes = _facet_axes(len(kinds), width=5.5 + _legend_width(n_series), height=4.2)
    for ax, kind in zip(axes, natural_order(kinds), strict=False):
        sub = points[points["kind"] == kind]
        for series in natural_order(sub["series"]):
            g = sub[sub["series"] == series]
            line = g.groupby("size")["residual"].mean()  # problems of one size: their mean
            ax.plot(line.index, line.to_numpy(), "-", color=palette[series], label=series)
            ax.scatter(g["size"], g["residual"], color=palette[series], s=16)
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1e-3)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("problem size (variables)")
        ax.set_ylabel("mean residual energy per read (relative)")
        ax.set_title(kind)
        _legend(ax)
    _finish(fig, "Residual energy against problem size (symlog: 0 = every read on target)")
    return fig


def success_probability(summary: pd.DataFrame) -> plt.Figure | None:
    """Success probability with bootstrap 95% intervals: bars per machine, one per setting."""
    if summary.empty or summary["p_s"].isna().all():
        return None
    problems = natural_order(summary["problem"])
    n_bars = max(len(g) for _, g in summary.groupby("problem"))
    fig, axes = _facet_axes(len(problems), width=max(5.5, 0.3 * n_bars + 2))
    for ax, problem in zip(axes, problems, strict=False):
        sub = summary[summary["problem"] == problem]
        machines = natural_order(sub["machine"])
        settings = natural_order(sub["setting"])
        colors = sns.color_palette("colorblind", len(settings))
        width = 0.8 / len(settings)
        for k, setting in enumerate(settings):
            g = sub[sub["setting"] == setting].set_index("machine").reindex(machines)
            x = np.arange(len(machines)) + (k - (len(settings) - 1) / 2) * width
            p = g["p_s"].to_numpy(dtype=float)
            ax.bar(x, p, width=width, color=colors[k], label=setting)
            ax.errorbar(x, p, yerr=[p - g["p_s_low"].to_numpy(dtype=float),
                                    g["p_s_high"].to_numpy(dtype=float) - p],
                        fmt="none", color="black", capsize=2)
        ax.set_xticks(range(len(machines)), machines, rotation=35, ha="right")
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("success probability p_s")
        ax.set_title(f"{problem} (target: {sub['target_source'].iloc[0]})")
        if len(settings) > 1:
            _legend(ax, title="setting")
    _finish(fig, "Success probability per read, bootstrap 95% intervals")
    return fig


def heatmap(summary: pd.DataFrame) -> plt.Figure | None:
    """Machine × setting heat map of the success probability, one panel per problem."""
    if summary.empty or summary["p_s"].isna().all():
        return None
    problems = natural_order(summary["problem"])
    n_set = max(summary.groupby("problem")["setting"].nunique())
    n_mach = summary["machine"].nunique()
    fig, axes = _facet_axes(len(problems), width=max(4.5, 1.3 * n_set + 2.5),
                            height=max(3.0, 0.5 * n_mach + 2.2))
    for ax, problem in zip(axes, problems, strict=False):
        sub = summary[summary["problem"] == problem]
        table = sub.pivot_table(index="machine", columns="setting", values="p_s").reindex(
            index=natural_order(sub["machine"]), columns=natural_order(sub["setting"]))
        sns.heatmap(table, annot=True, fmt=".2f", vmin=0, vmax=1, cmap="viridis", ax=ax,
                    cbar_kws={"label": "p_s"})
        ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
        ax.set_xticklabels(ax.get_xticklabels(), rotation=20, ha="right")
        ax.set_xlabel("setting")
        ax.set_ylabel("machine")
        ax.set_title(problem)
    _finish(fig, "Success probability: machine × setting (blank: not run)")
    return fig


def accuracy(train_summary: pd.DataFrame) -> plt.Figure | None:
    """Train and test accuracy (mean ± std over seeds) per problem.

    With several settings: accuracy against setting, one line per machine and split. With a
    single setting: the machines side by side on the x axis (a precision or machine sweep).
    """
    if train_summary.empty:
        return None
    long = pd.concat([
        train_summary.assign(split=split, acc=train_summary[f"{split}_accuracy"],
                             std=train_summary[f"{split}_accuracy_std"])
        for split in ("train", "test")
    ])
    problems = natural_order(long["problem"])
    fig, axes = _facet_axes(len(problems), height=4.5, width=max(  # a train and a test series
        _panel_width(g["setting"].nunique(), g["machine"].nunique(), series_per_machine=2)
        for _, g in long.groupby("problem")))
    for ax, problem in zip(axes, problems, strict=False):
        sub = long[long["problem"] == problem]
        settings = natural_order(sub["setting"])
        by_machine = len(settings) == 1
        positions = natural_order(sub["machine"]) if by_machine else settings
        for key, g in sub.groupby(["split"] if by_machine else ["machine", "split"]):
            split = key[-1]
            x = [positions.index(p) for p in g["machine" if by_machine else "setting"]]
            ax.errorbar(x, g["acc"], yerr=g["std"], fmt="o" if split == "test" else "s",
                        linestyle="none" if by_machine else ("-" if split == "test" else "--"),
                        capsize=3, label=split if by_machine else f"{key[0]} ({split})")
        ax.set_xticks(range(len(positions)), positions, rotation=35 if by_machine else 30,
                      ha="right")
        low = float(np.nanmin(sub["acc"] - sub["std"].fillna(0)))
        ax.set_ylim(max(0.0, min(0.5, low - 0.05) if np.isfinite(low) else 0.0), 1.01)
        ax.set_ylabel("accuracy (mean ± std)")
        ax.set_title(_panel_title(problem, settings))
        _legend(ax)
    _finish(fig, "Accuracy of the trained networks")
    return fig


def _models_time(qsum: pd.DataFrame) -> bool:
    """Whether some machine of the run models hardware time (and some read succeeded)."""
    return not qsum.empty and qsum["tts_model_s"].notna().any() and \
        qsum["tts_wall_s"].notna().any()


def write_figures(results: Results, qsum: pd.DataFrame, tsum: pd.DataFrame,
                  out_dir: Path | None = None) -> dict[str, Path]:
    """Draw every figure the run has data for; returns name -> PNG path."""
    out_dir = Path(out_dir or results.path / "figures")
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "convergence_steps": lambda: convergence(results, "step"),
        "convergence_seconds": lambda: convergence(results, "seconds"),
        "tts_wall_and_modelled": lambda: tts_wall_and_modelled(qsum),
        "tts_wall": lambda: None if _models_time(qsum) else tts(qsum, "wall"),
        "tts_vs_size": lambda: tts_vs_size(qsum, "wall"),
        "residual_vs_size": lambda: residual_vs_size(results),
        "success_probability": lambda: success_probability(qsum),
        "heatmap": lambda: heatmap(qsum),
        "accuracy": lambda: accuracy(tsum),
        "training_convergence": lambda: training_convergence(results),
    }
    written = {}
    for name, draw in figures.items():
        fig = draw()
        if fig is None:
            continue
        path = out_dir / f"{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written[name] = path
    return written
