"""Helpers for the suite tests: small models on disk and suite files that use them."""

from __future__ import annotations

import json
from pathlib import Path

import dimod


def write_model(path: Path, n: int, seed: int) -> Path:
    """A random ±1 spin glass on a complete graph, stored as dimod serialisable JSON."""
    bqm = dimod.generators.ran_r(1, n, seed=seed)
    path.write_text(json.dumps(bqm.to_serializable()))
    return path


def suite_text(models: dict[str, Path], **overrides: str) -> str:
    """YAML of a small valid suite (dwave-sa and steepest descent on two stored models)."""
    parts = {
        "name": "name: tiny",
        "seeds": "seeds: [0, 1]",
        "reads": "reads: 6",
        "budget": "budget: {num_sweeps: 50}",
        "target": "target: auto",
        "problems": (
            "problems:\n"
            f"  - {{name: m10, kind: qubo_file, params: {{path: '{models['m10']}'}}}}\n"
            f"  - {{name: m40, kind: qubo_file, params: {{path: '{models['m40']}'}}}}"
        ),
        "machines": (
            "machines:\n"
            "  - machine: dwave-sa\n"
            "    grid: {num_sweeps: [10, 100]}\n"
            "  - machine: dwave-greedy"
        ),
    }
    parts.update(overrides)
    return "\n".join(v for v in parts.values() if v) + "\n"


def run_tiny_suite(tmp: Path, name: str, sizes: dict[str, tuple[int, int]], machines: str):
    """Run a suite of random models (``sizes``: key -> (variables, seed)) on ``machines``
    (the spec's ``machines:`` block) in ``tmp``; returns the finished run's summary."""
    from suites.runner import run_suite
    from suites.spec import load_suite

    models = {key: write_model(tmp / f"{key}.json", n, seed) for key, (n, seed) in sizes.items()}
    path = tmp / f"{name}.yaml"
    path.write_text(suite_text(models, machines=machines))
    summary = run_suite(load_suite(path), tmp / "results", workers=1, progress=False)
    assert summary.ok
    return summary
