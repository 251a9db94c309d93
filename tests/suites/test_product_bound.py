"""The matrix-product bound of the peers study (suites/studies/product_bound.py)."""

from __future__ import annotations

import math

import pandas as pd

from suites.instances import dense_pm1_instance, maxcut_bqm
from suites.studies import product_bound


def test_product_rate_is_updates_per_second_of_one_product():
    rate = product_bound.product_rate(200, 8, seconds=0.05)
    assert math.isfinite(rate) and rate > 200 * 8  # more than one product per second


def test_bound_lines_cover_dense_instances_and_each_sb_solver():
    dense = maxcut_bqm(dense_pm1_instance(60, seed=1))
    sparse = maxcut_bqm(dense_pm1_instance(60, seed=1))
    sparse.remove_interactions_from(list(sparse.quadratic)[10:])
    rows = [{"instance": name, "setting": "matched", "solver": solver, "updates_per_s": 1e6}
            for name in ("K60", "sparse") for solver in ("bSB (ours)", "sb bSB")]
    rows.append({"instance": "K60", "setting": "defaults", "solver": "sb dSB",
                 "updates_per_s": 5e6})
    lines = product_bound.bound_lines(pd.DataFrame(rows), {"K60": dense, "sparse": sparse},
                                      reads=4)
    table = [line for line in lines if line.startswith("| K60") or line.startswith("| sparse")]
    assert len(table) == 1 and table[0].startswith("| K60")
    cells = [c.strip() for c in table[0].strip("|").split("|")]
    bound = float(cells[1])
    assert cells[2] == f"{1e6:.3g} ({1e6 / bound:.2f})"  # bSB (ours)
    assert cells[5] == f"{1e6:.3g} ({1e6 / bound:.2f})"  # sb bSB
    assert cells[3] == cells[4] == cells[6] == "—"  # no matched run (sb dSB ran defaults)


def test_no_dense_instance_gives_no_section():
    sparse = maxcut_bqm(dense_pm1_instance(30, seed=2))
    sparse.remove_interactions_from(list(sparse.quadratic)[5:])
    frame = pd.DataFrame([{"instance": "s", "setting": "matched", "solver": "sb bSB",
                           "updates_per_s": 1.0}])
    assert product_bound.bound_lines(frame, {"s": sparse}, reads=2) == []
