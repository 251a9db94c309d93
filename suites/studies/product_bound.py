"""The matrix-product bound of dense SB-type solvers, measured on the machine the peers study
runs on.

One step of simulated bifurcation (or of momentum annealing) on a dense model of ``n`` spins
with ``agents`` agents multiplies the ``(agents, n)`` positions by the ``(n, n)`` couplings: a
solver that computes that product in full every step, as the ``simulated-bifurcation``
package does, cannot update more than ``n × agents / t_product`` oscillators per second,
``t_product`` the fastest time of one float32 product through numpy's BLAS on the same
cores. A rate
above the bound means the solver skipped work (our delta-field products add only the rows
of entries that moved); a rate near it means the product is all the solver pays for.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import dimod
import numpy as np
import pandas as pd

__all__ = ["DENSE_DENSITY", "SB_SOLVERS", "bound_lines", "product_rate"]

#: Models with at least this fraction of all couplers count as dense.
DENSE_DENSITY = 0.5
#: The solvers whose step is one product of the agents' positions (or spins) with ``J``.
SB_SOLVERS = ("bSB (ours)", "dSB (ours)", "momentum (ours)", "sb bSB", "sb dSB")


def product_rate(n: int, agents: int, seconds: float = 1.0, seed: int = 0) -> float:
    """Oscillator updates per second if a step were one float32 product of the ``(agents, n)``
    positions with the ``(n, n)`` couplings: ``n × agents`` over the fastest product, either
    layout (``X @ J`` or ``J @ X.T``, whichever BLAS runs faster), repeated for ``seconds``.
    The fastest time, not a typical one: a bound should be what the cores can do."""
    rng = np.random.default_rng(seed)
    coupling = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=(n, n))
    positions = rng.uniform(-1, 1, size=(agents, n)).astype(np.float32)
    columns = np.ascontiguousarray(positions.T)
    layouts = (lambda: positions @ coupling, lambda: coupling @ columns)
    best = math.inf
    for product in layouts:
        product()  # warm the BLAS threads
        end = time.perf_counter() + seconds / len(layouts)
        repeats = 0
        while time.perf_counter() < end or repeats < 5:
            start = time.perf_counter()
            product()
            best = min(best, time.perf_counter() - start)
            repeats += 1
    return n * agents / best


def _density(bqm: dimod.BinaryQuadraticModel) -> float:
    n = bqm.num_variables
    return bqm.num_interactions / (n * (n - 1) / 2) if n > 1 else 0.0


def bound_lines(summary: pd.DataFrame, models: dict[str, dimod.BinaryQuadraticModel],
                reads: int) -> list[str]:
    """Markdown: on each dense instance, the product bound and every SB-type solver's matched
    update rate as a fraction of it (the bound is measured now, on this machine)."""
    rows = []
    for name, bqm in models.items():
        runs = summary[(summary["instance"] == name) & (summary["setting"] == "matched")
                       & summary["solver"].isin(SB_SOLVERS)]
        if _density(bqm) < DENSE_DENSITY or runs.empty:
            continue
        bound = product_rate(bqm.num_variables, reads)
        cells = [name, f"{bound:.3g}"]
        for solver in SB_SOLVERS:
            rate = runs.loc[runs["solver"] == solver, "updates_per_s"]
            ok = len(rate) and math.isfinite(rate.iloc[0])
            cells.append(f"{rate.iloc[0]:.3g} ({rate.iloc[0] / bound:.2f})" if ok else "—")
        rows.append(cells)
    if not rows:
        return []
    return _table(rows, reads)


def _table(rows: Sequence[Sequence[str]], reads: int) -> list[str]:
    header = ["instance", f"bound: n × {reads} / t(float32 product), updates/s",
              *[f"{s} (÷ bound)" for s in SB_SOLVERS]]
    lines = ["## Dense SB against the matrix-product bound", "",
             "Updates/s of the matched runs and their fraction of the bound (one float32 "
             f"({reads}, n) @ (n, n) product per step through numpy's BLAS, the fastest of "
             "either layout over a second, timed after the runs on the same cores; "
             "`suites/studies/product_bound.py`). A solver that "
             "multiplies in full every step stays at or below 1; ours adds only the rows of "
             "entries that moved.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return lines + [""]
