"""The "fits the machine?" cells folded from stored FitReports."""

from __future__ import annotations

import pandas as pd

from suites import fits
from suites.report_tables import fit_table


def _fit(**changes) -> dict:
    report = {"machine": "DA2", "num_variables": 12, "num_interactions": 30, "capacity": 8192,
              "fits_capacity": True, "fits_connectivity": True, "scale": 1.0,
              "max_abs_error": 0.0, "max_rel_error": 0.0, "num_rounded_to_zero": 0,
              "num_clipped": 0, "ground_state_survives": None, "ground_state_gap": None,
              "reasons": [], "extra": {}, "fits": True}
    return {**report, **changes}


def _run(*pairs: tuple[str, str, list]) -> tuple[list[dict], pd.DataFrame]:
    """Records and the tidy rows naming them: (problem, machine, [fit or error per job])."""
    records, rows = [], []
    for problem, machine, outcomes in pairs:
        for seed, outcome in enumerate(outcomes):
            job_id = f"{problem}-{machine}-{seed}"
            failed = isinstance(outcome, str)
            records.append({"id": job_id, "status": "error" if failed else "ok",
                            "error": outcome if failed else None,
                            "result": None if failed else {"fit": outcome}})
            rows.append({"job_id": job_id, "problem": problem, "machine": machine,
                         "setting": "default", "mode": "qubo", "problem_params": "{}",
                         "sample_params": "{}"})
    return records, pd.DataFrame(rows)


def test_each_pair_gets_a_yes_or_no_with_its_reason():
    embedded = {"native": False, "embedding_found": True, "qubits_used": 40, "longest_chain": 4,
                "mean_chain_length": 2.5}
    records, jobs = _run(
        ("p", "sa", [None, None]),
        ("p", "da", [_fit(), _fit()]),
        ("p", "da-4b", [_fit(max_rel_error=0.05, num_rounded_to_zero=3,
                             ground_state_survives=False, ground_state_gap=1.0,
                             reasons=["the stored model's ground state is not the original's"])]),
        ("p", "sb-8b", [_fit(machine="sb", max_rel_error=0.004, ground_state_survives=True)]),
        ("p", "qa", [_fit(machine="Advantage", extra={**embedded, "longest_chain": 6}),
                     _fit(machine="Advantage", extra=embedded)]),
        ("p", "qa-small", [_fit(machine="Chimera", fits_connectivity=False,
                                extra={"embedding_found": False})]),
        ("big", "da", ["ValueError: the model has 9,000 variables but DA2 holds at most 8,192"]),
        ("big", "tiny", [_fit(fits_capacity=False, num_variables=9000, capacity=1024)]),
    )
    cells = {(c.instance, c.machine): c for c in fits.fit_cells(records, jobs)}
    short = {k: (c.verdict, c.short) for k, c in cells.items()}
    assert short == {
        ("p", "sa"): ("yes", "no hardware limits"),
        ("p", "da"): ("yes", "exact"),
        ("p", "da-4b"): ("no", "ground state lost; error ≤ 5.00%, 3 zeroed"),
        ("p", "sb-8b"): ("yes", "error ≤ 0.400%, ground state kept"),
        ("p", "qa"): ("yes", "exact, chains ≤ 6"),
        ("p", "qa-small"): ("no", "no embedding found"),
        ("big", "da"): ("failed", "no job finished"),
        ("big", "tiny"): ("no", "9,000 variables > capacity 1,024"),
    }
    assert "holds at most 8,192" in cells["big", "da"].detail
    assert "40 qubits, longest chain 6" in cells["p", "qa"].detail
    assert "no (stored optimum 1.00 worse)" in cells["p", "da-4b"].detail
    assert cells["p", "qa"].spec == "Advantage" and cells["p", "sa"].spec == ""
    line = fits.fits_text(list(cells.values()))
    assert line.startswith("Fits the machine: yes for 4 of 8 pairs; ")
    assert "da-4b on p: no (ground state lost" in line


def test_round_off_counts_as_exact_and_the_table_has_a_cell_per_pair():
    records, jobs = _run(("p", "da", [_fit(max_rel_error=1e-16)]), ("q", "sa", [None]))
    cells = fits.fit_cells(records, jobs)
    assert [c.short for c in cells] == ["exact", "no hardware limits"]
    html = fit_table(cells)
    assert html.count("<td") == 2 + 4 and "not run on this machine" in html
    assert fits.fits_text(cells) == "Fits the machine: yes for all 2 problem × machine pairs."
