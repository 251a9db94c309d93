"""The README accuracy table of the whole-network classifier (suites.studies.training_report)."""

from __future__ import annotations

from suites.studies.training_report import SETTINGS, markdown


def test_report_markdown_lists_every_setting():
    res = {"direct search": [0.9, 0.8], "float STE": [0.95, 0.97]}
    for name in SETTINGS:
        res[f"qubo {name}"] = [0.5, 0.7]
        res[f"qubo {name} train"] = [1.0, 1.0]
        res[f"qubo {name} seconds"] = [2.0, 4.0]
    table = markdown({"two": res})
    rows = [line for line in table.splitlines() if line.startswith("| 3 vs 8")]
    assert [r.split("|")[2].strip() for r in rows] == list(SETTINGS)
    assert "0.600 ± 0.100" in rows[0] and "0.850 ± 0.050" in rows[0] and "| 3.0 |" in rows[0]
