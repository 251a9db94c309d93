"""Success probability of the exact QUBO against samples per QUBO (suites.studies.success_curve)."""

from __future__ import annotations

import pytest
from dwave.samplers import SimulatedAnnealingSampler

from suites.studies.success_curve import markdown, success_curve

SA = SimulatedAnnealingSampler()


def test_success_curve_small():
    rows = success_curve(SA, samples=(1, 2), instances=1,
                         sample_kwargs={"num_reads": 5, "num_sweeps": 2000})
    assert [r["samples"] for r in rows] == [1, 2]
    assert rows[0]["variables"] < rows[1]["variables"]
    assert all(0.0 <= r["p_s"] <= 1.0 and r["reads"] == 5 for r in rows)
    assert rows[0]["p_s"] > 0  # one sample is easy
    assert "| 1 |" in markdown(rows)


def test_success_curve_rejects_multi_output_and_wrong_width():
    with pytest.raises(ValueError, match="sizes"):
        success_curve(SA, samples=(1,), sizes=(16, 2, 3), instances=1)
    with pytest.raises(ValueError, match="sizes"):
        success_curve(SA, samples=(1,), sizes=(64, 2, 1), instances=1)
