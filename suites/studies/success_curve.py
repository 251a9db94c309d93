"""Success probability of the exact formulation against samples per QUBO.

For each ``S`` in ``samples``: draw ``S`` training images (3 vs 8 binarised 4x4 digits by
default), build the exact whole-network QUBO (DESIGN.md 6.1, hard 0-1 loss as soft output
bits, default exact penalty) of a small network (16-2-1 by default), and call the sampler once
with ``num_reads`` reads. A read succeeds when its energy is within ``1e-6`` of the target: the
zero-loss optimum energy ``0`` when a zero-loss network exists. Whether one exists is decided
by the direct weight search (:mod:`qubo_bnn.whole_network.direct_search`); when none is found the
target is the best loss that search reached, and the row says so. ``p_s = successes / reads``,
averaged over ``instances`` random draws of the samples.

Run ``isingbench study success_curve`` (or ``python -m suites.studies.success_curve``) for the
default table: the reference annealer, 20 reads x 20,000 sweeps; ``--machine`` names another
registry machine, whose budget the registry scales from reads x sweeps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dimod
import numpy as np
import pandas as pd

from qubo_bnn.datasets import load_digits_binary
from qubo_bnn.sampling import default_sampler, run_sampler
from qubo_bnn.whole_network.direct_search import anneal_weights
from qubo_bnn.whole_network.formulation import build_bnn_qubo
from qubo_bnn.whole_network.options import DirectSearchOptions
from suites import registry
from suites.studies.base import Study, StudyOptions, option

#: Sampler machines with a step count, which an annealing budget scales to.
BUDGETED_MACHINES = tuple(name for name, entry in registry.MACHINES.items()
                          if entry.step_param is not None)


def success_curve(
    sampler: dimod.Sampler | None = None,
    samples: Sequence[int] = (1, 2, 4, 8, 16),
    *,
    sizes: Sequence[int] = (16, 2, 1),
    image_size: int = 4,
    classes: tuple[int, int] = (3, 8),
    instances: int = 3,
    sample_kwargs: Mapping | None = None,
    seed: int = 0,
) -> list[dict]:
    """Rows ``{samples, variables, target, reads, successes, p_s, best_energy}`` per ``S``."""
    if sampler is None:
        sampler = default_sampler()
    kwargs = dict(sample_kwargs or {"num_reads": 20, "num_sweeps": 20_000})
    sizes = [int(s) for s in sizes]
    if sizes[-1] != 1:
        raise ValueError("success_curve uses a two-class network: sizes[-1] must be 1")
    data = load_digits_binary(classes, image_size, seed=seed)
    if data.n_features != sizes[0]:
        raise ValueError(f"sizes[0] must be {data.n_features} for {image_size}x{image_size} images")
    rng = np.random.default_rng(seed)
    rows = []
    for n_s in samples:
        succ = reads = 0
        best_e, n_var, targets = [], 0, []
        for _ in range(instances):
            idx = rng.choice(data.X_train.shape[0], size=int(n_s), replace=False)
            xb, yb = data.X_train[idx], data.y_train[idx]
            ref = anneal_weights(
                xb, (yb > 0).astype(np.int64), sizes,
                DirectSearchOptions(num_reads=2, num_sweeps=500),
                seed=int(rng.integers(2**31 - 1)),
            )
            target = float(ref.errors)
            form = build_bnn_qubo(sizes, xb, yb)
            call = run_sampler(
                sampler, form.bqm, list(range(form.num_variables)), kwargs,
                int(rng.integers(2**31 - 1)),
            )
            succ += int(np.sum(call.energies <= target + 1e-6))
            reads += call.energies.size
            best_e.append(float(call.energies.min()))
            targets.append(target)
            n_var = form.num_variables
        rows.append(
            {
                "samples": int(n_s),
                "variables": n_var,
                "target": float(np.mean(targets)),
                "reads": reads,
                "successes": succ,
                "p_s": succ / reads,
                "best_energy": float(np.mean(best_e)),
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    """The rows as a markdown table."""
    out = ["| samples per QUBO | variables | target energy | p_s | mean best energy |",
           "|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(
            f"| {r['samples']} | {r['variables']} | {r['target']:g} | "
            f"{r['successes']}/{r['reads']} = {r['p_s']:.2f} | {r['best_energy']:.2f} |"
        )
    return "\n".join(out)


@dataclass(frozen=True)
class Options(StudyOptions):
    """Machine, budget and sample counts of the curve."""

    reads: int = option(20, "reads per QUBO (scaled by the machine's registry entry)")
    sweeps: int = option(20_000, "sweeps per read (scaled by the machine's registry entry)")
    instances: int = option(3, "random draws of the samples per S")
    samples: tuple[int, ...] = option((1, 2, 4, 8, 16), "samples per QUBO, S")
    machine: str = option("sa", "registry machine", choices=BUDGETED_MACHINES, noun="machine")


def run(options: Options) -> pd.DataFrame:
    """One row per S (see :func:`success_curve`)."""
    sampler, kwargs = registry.budgeted_sampler(options.machine, options.reads, options.sweeps)
    return pd.DataFrame(success_curve(sampler, samples=options.samples,
                                      instances=options.instances, sample_kwargs=kwargs))


def render(rows: pd.DataFrame) -> str:
    """The markdown table of :func:`markdown`."""
    return markdown(rows.to_dict("records"))


STUDY = Study("success_curve", __doc__.splitlines()[0], Options, run, render)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the success-probability table."""
    return STUDY.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
