"""Does each problem fit each machine? The FitReports stored with a run's QUBO jobs.

Every job of a machine with a :class:`~emulators.machine.MachineSpec` stores the FitReport
of its model (``result["fit"]``: capacity, precision, clipped and zeroed coefficients,
ground-state survival for small models, embedding and chains for the quantum annealer).
This module folds them, per problem instance and machine, into one cell with a yes/no
answer, a short reason and the full details:

* **yes**: the machine holds the model (capacity, and connectivity or a minor embedding)
  and its stored (quantised) form keeps the ground state where that was checked;
* **no**: it does not, or quantisation moved the ground state;
* **failed**: no job of the pair finished (the error says why, e.g. over capacity).

Machines without a spec (software samplers) take the model exactly as given: yes. A
coefficient error below :data:`ROUNDOFF` of the largest coefficient is floating-point
round-off of the rescaling, shown as exact. Training jobs build their QUBOs inside the
trainer and store no FitReport.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from suites import summary
from suites.formatting import sig3
from suites.ordering import natural_key
from suites.store import Results, read_job_records

#: Relative coefficient errors below this are round-off of the rescaling, not lost precision.
ROUNDOFF = 1e-12


@dataclass(frozen=True)
class FitCell:
    """The fit of one problem instance on one machine, folded over its jobs."""

    instance: str
    machine: str
    verdict: str  # "yes", "no" or "failed"
    short: str
    detail: str
    spec: str = ""  # the MachineSpec preset(s) the jobs ran under ("" for none)

    @property
    def fits(self) -> bool:
        return self.verdict == "yes"


def run_records(results: Results) -> list[dict[str, Any]]:
    """The job records behind the tidy tables of ``results`` (same jobs, same run)."""
    ids = set(results.jobs["job_id"]) if "job_id" in results.jobs else set()
    return [r for r in read_job_records(results.path) if r["id"] in ids]


def _all(values: Iterable[Any]) -> bool | None:
    """True if every value is True, False if any is False, else None (unknown)."""
    values = list(values)
    if any(v is False for v in values):
        return False
    return True if values and all(v is True for v in values) else None


def _fold(instance: str, machine: str, recs: list[Mapping[str, Any]]) -> FitCell:
    ok = [r for r in recs if r.get("status") == "ok"]
    failed = len(recs) - len(ok)
    jobs_note = f"{len(recs)} job{'s' if len(recs) != 1 else ''}" + \
        (f", {failed} failed" if failed else "")
    if not ok:
        error = next((r.get("error") for r in recs if r.get("error")), "unknown error")
        return FitCell(instance, machine, "failed", "no job finished",
                       f"{jobs_note}; first error: {error}")
    reports = [r["result"]["fit"] for r in ok if (r.get("result") or {}).get("fit")]
    if not reports:
        return FitCell(instance, machine, "yes", "no hardware limits",
                       f"no MachineSpec: the sampler takes the model as given (any size, "
                       f"float coefficients, complete connectivity); {jobs_note}")
    first = reports[0]
    extras = [f.get("extra") or {} for f in reports]
    capacity = _all(f["fits_capacity"] for f in reports)
    connected = _all(f["fits_connectivity"] for f in reports)
    survives = _all(f.get("ground_state_survives") for f in reports)
    rel = max(float(f["max_rel_error"]) for f in reports)
    zeroed = max(int(f["num_rounded_to_zero"]) for f in reports)
    clipped = max(int(f["num_clipped"]) for f in reports)
    embedded = [e for e in extras if "longest_chain" in e]
    reasons = []
    if capacity is False:
        reasons.append(f"{first['num_variables']:,} variables > capacity {first['capacity']:,}")
    if connected is False:
        reasons.append("no embedding found" if any(e.get("embedding_found") is False
                                                   for e in extras) else "not native")
    if survives is False:
        reasons.append("ground state lost")
    parts = [f"error ≤ {sig3(100 * rel)}%"] if rel >= ROUNDOFF else []
    parts += [f"{zeroed:,} zeroed"] if zeroed else []
    parts += [f"{clipped:,} clipped"] if clipped else []
    if reasons:
        verdict, short = "no", "; ".join(reasons + ([", ".join(parts)] if parts else []))
    else:
        parts = parts or ["exact"]
        if embedded:
            parts.append(f"chains ≤ {max(e['longest_chain'] for e in embedded)}")
        if survives:
            parts.append("ground state kept")
        verdict, short = "yes", ", ".join(parts)
    specs = ", ".join(sorted({str(f["machine"]) for f in reports}))
    return FitCell(instance, machine, verdict, short,
                   _detail(reports, embedded, survives, jobs_note), specs)


def _detail(reports: list[Mapping[str, Any]], embedded: list[Mapping[str, Any]],
            survives: bool | None, jobs_note: str) -> str:
    """The tooltip: what the FitReports say, worst case over the jobs."""
    first = reports[0]
    specs = sorted({str(f["machine"]) for f in reports})
    cap = "unlimited" if first["capacity"] is None else f"{first['capacity']:,}"
    lines = [
        f"spec: {', '.join(specs)} ({jobs_note})",
        f"variables {first['num_variables']:,} (capacity {cap}), interactions "
        f"{first['num_interactions']:,}",
        f"max coefficient error {sig3(max(f['max_abs_error'] for f in reports))} "
        f"({sig3(100 * max(f['max_rel_error'] for f in reports))}% of the largest); "
        f"rounded to zero {max(f['num_rounded_to_zero'] for f in reports):,}; clipped "
        f"{max(f['num_clipped'] for f in reports):,}",
    ]
    gaps = [f["ground_state_gap"] for f in reports if f.get("ground_state_gap")]
    lines.append("ground state survives quantisation: " + (
        "yes" if survives else "not checked (model too large to solve exactly)"
        if survives is None else f"no (stored optimum {sig3(max(gaps or [0]))} worse)"))
    if embedded:
        qubits = sorted({int(e["qubits_used"]) for e in embedded})
        lines.append(f"embedding: {qubits[0]:,}" + (f"-{qubits[-1]:,}" if len(qubits) > 1 else "")
                     + f" qubits, longest chain {max(e['longest_chain'] for e in embedded)}, "
                     f"mean chain {sig3(max(e['mean_chain_length'] for e in embedded))}")
    reasons = sorted({reason for f in reports for reason in f.get("reasons") or []})
    lines += [f"- {reason}" for reason in reasons]
    return "\n".join(lines)


def fit_cells(records: list[Mapping[str, Any]], jobs: pd.DataFrame) -> list[FitCell]:
    """One :class:`FitCell` per QUBO problem instance × machine of a run.

    ``records`` are the run's job records (:func:`run_records`), ``jobs`` its tidy table
    (which names the instances, see :func:`suites.summary.labels`).
    """
    if jobs.empty or not records:
        return []
    names = jobs[["job_id", *summary.GROUP]].drop_duplicates("job_id").merge(
        summary.labels(jobs), on=summary.GROUP)
    names = names[names["mode"] == "qubo"].set_index("job_id")
    pairs: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for rec in records:
        if rec["id"] in names.index:
            row = names.loc[rec["id"]]
            pairs.setdefault((row["instance"], row["machine"]), []).append(rec)
    ordered = sorted(pairs, key=lambda k: (natural_key(k[0]), natural_key(k[1])))
    return [_fold(instance, machine, pairs[instance, machine]) for instance, machine in ordered]


def fits_text(cells: list[FitCell]) -> str:
    """One line on the fits, naming each pair that does not fit."""
    if not cells:
        return "Fits the machine: no QUBO job stored a fit."
    bad = [c for c in cells if not c.fits]
    if not bad:
        return f"Fits the machine: yes for all {len(cells)} problem × machine pairs."
    listed = "; ".join(f"{c.machine} on {c.instance}: {c.verdict} ({c.short})" for c in bad)
    return f"Fits the machine: yes for {len(cells) - len(bad)} of {len(cells)} pairs; {listed}."
