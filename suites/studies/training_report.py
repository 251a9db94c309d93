"""Accuracy table for the README: QUBO-trained network vs direct search vs float baseline.

For each task (two-class 3 vs 8 on 8x8 digits, 64-4-1; ten-class on 4x4 digits, 16-16-10 by
default; on request ``ten32``: 16-32-10, and ``ten8``: 64-16-10 on 8x8 digits), each seed
(70/30 split by seed) and each regulariser setting (none, margin, dropout, both), fit
:class:`~qubo_bnn.whole_network.classifier.QuboBNNClassifier` with its defaults except the
setting; the direct-search reference (:mod:`qubo_bnn.whole_network.direct_search`) and the float
STE baseline (:mod:`qubo_bnn.whole_network.ste`) have no regulariser and are run once per
seed. Prints a markdown table of test accuracy, mean ± std over seeds, plus fit times.

Run: ``isingbench study training_report [--seeds 5] [--tasks two ten ten32 ten8]
[--settings none margin dropout both]`` (or ``python -m suites.studies.training_report ...``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qubo_bnn.datasets import load_digits_binary
from qubo_bnn.whole_network.classifier import QuboBNNClassifier
from qubo_bnn.whole_network.direct_search import anneal_weights
from qubo_bnn.whole_network.layers import errors_of
from qubo_bnn.whole_network.options import DirectSearchOptions
from qubo_bnn.whole_network.ste import train_ste
from suites.studies.base import Study, StudyOptions, option

SETTINGS = {
    "none": {"margin": 0.0, "dropout": 0.0},
    "margin": {"margin": 8.0, "dropout": 0.0},
    "dropout": {"margin": 0.0, "dropout": 0.3},
    "both": {"margin": 8.0, "dropout": 0.3},
}
TASKS = {
    "two": {"label": "3 vs 8, 8x8, 64-4-1", "classes": (3, 8), "size": 8, "hidden": (4,),
            "ds_sweeps": 2000, "ds_reads": 2},
    "ten": {"label": "10 classes, 4x4, 16-16-10", "classes": None, "size": 4, "hidden": (16,),
            "ds_sweeps": 200, "ds_reads": 1},
    "ten32": {"label": "10 classes, 4x4, 16-32-10", "classes": None, "size": 4, "hidden": (32,),
              "ds_sweeps": 200, "ds_reads": 1},
    "ten8": {"label": "10 classes, 8x8, 64-16-10", "classes": None, "size": 8, "hidden": (16,),
             "ds_sweeps": 500, "ds_reads": 1},
}
DEFAULT_TASKS = ("two", "ten")


def _class_index(y: np.ndarray, n_classes: int) -> np.ndarray:
    return (y > 0).astype(np.int64) if n_classes == 2 else y.astype(np.int64)


def run_task(
    task: str, seeds: Sequence[int], sampler=None, settings=SETTINGS, verbose: bool = False
) -> dict:
    """Test accuracies per method and setting: ``{key: [acc per seed]}`` plus fit seconds."""
    spec = TASKS[task]
    out: dict[str, list[float]] = {}
    for seed in seeds:
        data = load_digits_binary(spec["classes"], spec["size"], seed=int(seed))
        ytr = _class_index(data.y_train, data.n_classes)
        yte = _class_index(data.y_test, data.n_classes)
        sizes = [data.n_features, *spec["hidden"], 1 if data.n_classes == 2 else data.n_classes]
        t0 = time.perf_counter()
        schedule = DirectSearchOptions(num_reads=spec["ds_reads"], num_sweeps=spec["ds_sweeps"])
        ds = anneal_weights(data.X_train, ytr, sizes, schedule, seed=int(seed))
        out.setdefault("direct search", []).append(
            1 - errors_of(data.X_test, yte, ds.weights, False) / yte.size)
        out.setdefault("direct search seconds", []).append(time.perf_counter() - t0)
        ste = train_ste(data.X_train, ytr, spec["hidden"], seed=int(seed))
        out.setdefault("float STE", []).append(
            float(np.mean(ste.network.predict_class(data.X_test) == yte)))
        for name, params in settings.items():
            clf = QuboBNNClassifier(hidden_layers=spec["hidden"], sampler=sampler,
                                    random_state=int(seed), **params)
            clf.fit(data.X_train, data.y_train)
            out.setdefault(f"qubo {name}", []).append(clf.score(data.X_test, data.y_test))
            out.setdefault(f"qubo {name} train", []).append(clf.train_accuracy_)
            out.setdefault(f"qubo {name} seconds", []).append(clf.fit_seconds_)
            if verbose:
                print(f"[{task} seed {seed} {name}] test {out[f'qubo {name}'][-1]:.3f} "
                      f"fit {clf.fit_seconds_:.1f} s", file=sys.stderr, flush=True)
    return out


def _ms(values: Sequence[float], digits: int = 3) -> str:
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


def markdown(results: dict[str, dict], settings=SETTINGS) -> str:
    """One markdown table over tasks and regulariser settings."""
    lines = [
        "| task | regulariser | QUBO-trained test | QUBO train | fit s | direct search test "
        "| float STE test |",
        "|---|---|---|---|---:|---|---|",
    ]
    for task, res in results.items():
        for name in settings:
            lines.append(
                f"| {TASKS[task]['label']} | {name} | {_ms(res[f'qubo {name}'])} | "
                f"{_ms(res[f'qubo {name} train'])} | {np.mean(res[f'qubo {name} seconds']):.1f} | "
                f"{_ms(res['direct search'])} | {_ms(res['float STE'])} |"
            )
    return "\n".join(lines)


@dataclass(frozen=True)
class Options(StudyOptions):
    """Which tasks, regulariser settings and seeds."""

    seeds: int = option(5, "seeds 0..N-1 (one 70/30 split each)")
    tasks: tuple[str, ...] = option(DEFAULT_TASKS, "tasks", choices=TASKS, noun="task")
    settings: tuple[str, ...] = option(tuple(SETTINGS), "regulariser settings",
                                       choices=SETTINGS, noun="setting")
    progress: bool = option(True, "one line per fit on stderr")


@dataclass(frozen=True)
class TrainingReport:
    """Per task: ``{method or setting key: [value per seed]}`` (see :func:`run_task`)."""

    results: dict[str, dict[str, list[float]]]
    settings: dict[str, dict[str, float]]


def run(options: Options) -> TrainingReport:
    """Fit every task, seed and setting with the reference annealer."""
    settings = {k: SETTINGS[k] for k in options.settings}
    results = {t: run_task(t, range(options.seeds), settings=settings,
                           verbose=options.progress) for t in options.tasks}
    return TrainingReport(results, settings)


def render(report: TrainingReport) -> str:
    """The markdown table of :func:`markdown`."""
    return markdown(report.results, report.settings)


STUDY = Study("training_report", __doc__.splitlines()[0], Options, run, render)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    return STUDY.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
