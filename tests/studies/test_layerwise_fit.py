"""The machine-fit table for layer-wise QUBOs (suites.studies.layerwise_fit)."""

from qubo_bnn.layerwise.fit_check import fit_reports
from suites.studies.layerwise_fit import markdown_table


def test_presets_by_name_and_markdown_table():
    reports = fit_reports(2, 2, ["DA1"], n_classes=3, n_samples=30)
    assert reports["DA1"].fits
    table = markdown_table([2, 3], 2, ["DA1"], n_classes=3, n_samples=30)
    rows = table.splitlines()[2:]
    assert len(rows) == 2 and rows[0].startswith("| 2 | 6 |") and rows[1].startswith("| 3 | 9 |")
