"""Smoke test of the accuracy-against-bits report (suites.studies.layerwise_report)."""

import pytest

from suites.studies.layerwise_report import Options, main, markdown_table, run


def test_run_gives_one_row_per_method_and_seed_and_a_table():
    result = run(Options(datasets=["digits"], bits=[2], seeds=1, n_features=4, iterations=1,
                         num_reads=1, num_sweeps=5, machines=["sa", "da"], progress=False))
    rows = result.rows.to_dict("records")
    assert [r["method"] for r in rows] == ["L-BFGS", "SGD", "float MM", "qubo K=2", "qubo K=2"]
    assert [r["machine"] for r in rows][-2:] == ["sa", "da"]
    assert all(0.0 <= r["test"] <= 1.0 and r["seconds_per_iteration"] >= 0 for r in rows)
    table = markdown_table(result.rows).splitlines()
    assert len(table) == 2 + 5  # header, rule, three baselines, two machines
    assert table[2].startswith("| digits | - | L-BFGS | float |")


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown data set"):
        run(Options(datasets=["cifar"], bits=[2], seeds=1, n_features=4, iterations=1))
    with pytest.raises(ValueError, match="machine"):
        run(Options(datasets=["digits"], bits=[2], seeds=1, n_features=4, iterations=1,
                    machines=["qpu"]))
    with pytest.raises(SystemExit):
        main(["--machines", "nope"])
