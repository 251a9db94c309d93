"""Figure layout rules: sweeps over many machines or settings get readable axes."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from suites import plots
from suites.store import Results


def _training_summary(machines, settings):
    rows = [{"problem": "p", "setting": s, "machine": m, "train_accuracy": 0.9,
             "train_accuracy_std": 0.01, "test_accuracy": 0.8, "test_accuracy_std": 0.02}
            for m in machines for s in settings]
    return pd.DataFrame(rows)


def test_accuracy_with_one_setting_puts_the_machines_on_the_x_axis():
    fig = plots.accuracy(_training_summary(["da-16b", "da-4b", "sa"], ["default"]))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["da-4b", "da-16b", "sa"]
    assert sorted(ax.get_legend_handles_labels()[1]) == ["test", "train"]
    plt.close(fig)


def test_accuracy_with_several_settings_draws_one_line_per_machine_and_split():
    fig = plots.accuracy(_training_summary(["da", "sa"], ["bits=10", "bits=5"]))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["bits=5", "bits=10"]
    assert len(ax.get_legend_handles_labels()[1]) == 4
    plt.close(fig)


def test_success_bars_are_grouped_by_machine_with_one_colour_per_setting():
    rows = [{"problem": "p", "setting": s, "machine": m, "p_s": 0.5, "p_s_low": 0.4,
             "p_s_high": 0.6, "target_source": "ground_state"}
            for m in ["da-12b", "da-8b"] for s in ["margin=0.0", "margin=0.1"]]
    fig = plots.success_probability(pd.DataFrame(rows))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["da-8b", "da-12b"]
    assert ax.get_legend_handles_labels()[1] == ["margin=0.0", "margin=0.1"]
    plt.close(fig)


@pytest.mark.parametrize(("series", "beside"), [(9, True), (3, False)])
def test_the_legend_moves_beside_the_axes_only_when_long(series, beside):
    fig, ax = plt.subplots()
    for k in range(series):
        ax.plot([0, 1], [k, k], label=f"s{k}")
    plots._legend(ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend_left = ax.get_legend().get_window_extent(renderer).x0
    assert (legend_left >= ax.get_window_extent(renderer).x1) == beside
    plt.close(fig)


def test_tts_with_one_setting_puts_the_machines_on_the_x_axis():
    rows = [{"problem": "G1", "setting": "default", "machine": m, "num_variables": 800,
             "target_source": "best_known", "tts_wall_s": v, "tts_wall_low": v / 2,
             "tts_wall_high": v * 2} for m, v in [("sb", 1.0), ("da", float("inf"))]]
    fig = plots.tts(pd.DataFrame(rows), "wall")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["da", "sb"]
    assert ax.get_legend() is None
    plt.close(fig)


def test_residual_against_size_draws_the_kinds_with_several_sizes():
    rows = [{"mode": "qubo", "status": "ok", "kind": kind, "problem": f"{kind}-{n}",
             "machine": machine, "setting": "default", "num_variables": n, "residual": r}
            for kind, n, machine, r in [("dense", 32, "sa", 0.0), ("dense", 64, "sa", 0.01),
                                        ("dense", 32, "da", 0.0), ("dense", 64, "da", 0.0),
                                        ("gset", 800, "sa", 0.02)]]
    results = Results(path=Path("."), jobs=pd.DataFrame(rows), traces=pd.DataFrame(),
                      provenance={}, run_info={})
    fig = plots.residual_vs_size(results)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["dense"]
    assert sorted(visible[0].get_legend_handles_labels()[1]) == ["da", "sa"]
    plt.close(fig)


def test_residual_against_size_needs_two_sizes():
    rows = [{"mode": "qubo", "status": "ok", "kind": "gset", "problem": "G1", "machine": "sa",
             "setting": "default", "num_variables": 800, "residual": 0.02}]
    results = Results(path=Path("."), jobs=pd.DataFrame(rows), traces=pd.DataFrame(),
                      provenance={}, run_info={})
    assert plots.residual_vs_size(results) is None
