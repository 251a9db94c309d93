"""The paper-reproduction suites (issue 10): the shipped files ask for what the issue names,
and a reduced copy of each, built from the shipped YAML, runs end to end through the real
runner, store, figures and report in seconds.

The reduced copies keep every problem kind and every machine family of the shipped file but
cut seeds, reads, sweeps, grids and training rounds; nothing here asserts on noisy numbers.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from suites import registry
from suites.report import write_report
from suites.runner import run_suite
from suites.spec import SPECS_DIR, load_suite
from tests.conftest import GSET_DIR

PAPER_SUITES = ("regularisers", "bit_precision", "machines", "precision")

#: Per-kind parameter caps of the reduced copies (value = the most a reduced job may use).
_PROBLEM_CAPS = {
    "bnn_training": {"rounds": 1},
    "layerwise_digits": {"iterations": 1, "n_features": 4},
    "layerwise_qubo": {"n_features": 4},
    "bnn_digits": {"samples": 2},
    "maxcut_dense": {"n": 24},
}
#: Sampler budget (and trainer parameter) caps of the reduced copies.
_MACHINE_CAPS = {"num_sweeps": 10, "number_iterations": 200, "num_steps": 50,
                 "sweeps": 20, "restarts": 1, "epochs": 2}
_TRAIN_COLUMNS = {"train_accuracy", "test_accuracy"}
_QUBO_COLUMNS = {"energy", "target", "target_source", "success", "residual", "wall_s",
                 "modelled_s"}


def shipped(name: str) -> dict[str, Any]:
    """The shipped suite file as plain data."""
    return yaml.safe_load((SPECS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def _cap(params: dict[str, Any], caps: dict[str, int]) -> dict[str, Any]:
    return {k: min(v, caps[k]) if k in caps and isinstance(v, int) else v
            for k, v in params.items()}


def _first(grid: dict[str, list] | None) -> dict[str, list]:
    return {k: v[:1] for k, v in (grid or {}).items()}


def _machine_family(entry: dict[str, Any]) -> str:
    return entry["machine"]


def reduce_suite(data: dict[str, Any], *, skip_datasets: tuple[str, ...] = ("mnist5k",)
                 ) -> dict[str, Any]:
    """A seconds-long copy of a suite: one seed, two reads, tiny budgets, first grid values.

    Keeps the first problem of every kind (and every problem whose machines differ from it),
    and of the machines, the first entry of every registry machine (``da``, ``sb``, ``qa``, ...)
    that a kept problem uses. Problems on a data set in ``skip_datasets`` are dropped (MNIST
    feature extraction alone takes longer than a reduced run should).
    """
    data = copy.deepcopy(data)
    data["seeds"] = [0]
    data["reads"] = 2
    data["budget"] = {k: min(v, _MACHINE_CAPS.get(k, v)) for k, v in
                      (data.get("budget") or {}).items()}
    data["metrics"] = {**(data.get("metrics") or {}), "bootstrap": 20}
    machines = data["machines"]
    names = [m.get("name", m["machine"]) for m in machines]
    keep_machine: dict[str, dict] = {}  # first entry of each registry machine
    for name, entry in zip(names, machines, strict=True):
        keep_machine.setdefault(_machine_family(entry), {**entry, "name": name})
    kept_names = {m["name"] for m in keep_machine.values()}
    problems, seen = [], set()
    for problem in data["problems"]:
        if problem.get("params", {}).get("dataset") in skip_datasets:
            continue
        only = problem.get("machines")
        key = (problem["kind"], tuple(sorted(only)) if only else None)
        if key in seen:
            continue
        seen.add(key)
        problem = {**problem, "params": _cap(problem.get("params") or {},
                                             _PROBLEM_CAPS.get(problem["kind"], {})),
                   "grid": _first(problem.get("grid"))}
        if only:
            problem["machines"] = [m for m in only if m in kept_names] or [
                keep_machine[_machine_family(machines[names.index(only[0])])]["name"]]
        problems.append(problem)
    data["problems"] = problems
    used = {m for p in problems for m in (p.get("machines") or kept_names)}
    reduced_machines = []
    for entry in keep_machine.values():
        if entry["name"] not in used:
            continue
        entry = dict(entry)
        entry["params"] = _cap(entry.get("params") or {}, _MACHINE_CAPS)
        entry["grid"] = {k: [min(v[0], _MACHINE_CAPS.get(k, v[0]))]
                         for k, v in (entry.get("grid") or {}).items()}
        reduced_machines.append(entry)
    data["machines"] = reduced_machines
    return data


def _gset_available() -> bool:
    return (GSET_DIR / "G11.txt").exists()


# ---------------------------------------------------------------- the shipped files


#: The machines each shipped suite must run (the issue: reference annealer, dwave-samplers,
#: Digital Annealer, simulated bifurcation, parallel-flip annealer, quantum-annealer model).
_MACHINES_WANTED = {
    "regularisers": {"sa", "dwave-sa", "da", "sb", "pfa", "qa"},
    "bit_precision": {"sa", "dwave-sa", "da", "sb", "pfa"},  # qa: no embedding (see file)
    "machines": {"sa", "dwave-sa", "pt", "da", "sb", "pfa", "qa"},
    "precision": {"sa", "da", "sb", "qa"},  # the machines with a precision or noise model
}


@pytest.mark.parametrize("name", PAPER_SUITES)
def test_shipped_suite_loads_and_uses_its_machines(name):
    suite = load_suite(name)
    jobs = suite.jobs()
    assert jobs, name
    assert len(suite.seeds) >= 3
    used = {m.machine for m in suite.machines}
    missing = _MACHINES_WANTED[name] - used
    assert not missing, f"{name} lacks {sorted(missing)}"
    # every machine entry is used by at least one problem
    assert {j.machine_name for j in jobs} == {m.name for m in suite.machines}


def test_regularisers_covers_settings_and_seeds():
    suite = load_suite("regularisers")
    assert len(suite.seeds) >= 5
    train = [p for p in suite.problems if p.kind == "bnn_training"
             and not set(p.machines) & set(registry.TRAINERS)]
    assert {tuple(p.params["classes"]) for p in train} >= {(3, 8), tuple(range(10))}
    for p in train:
        margins, dropouts = p.grid["margin"], p.grid["dropout"]
        # none, margin only, dropout only and both, each regulariser at >= 2 strengths
        assert 0.0 in margins and 0.0 in dropouts
        assert len([m for m in margins if m > 0]) >= 2
        assert len([d for d in dropouts if d > 0]) >= 2
    exact = [p for p in suite.problems if p.kind == "bnn_digits" and p.target == "ground_state"]
    assert exact and len(exact[0].grid["samples"]) >= 3
    methods = {m.machine for m in suite.machines if m.machine in registry.TRAINERS}
    assert methods == {"direct", "ste"}


def test_bit_precision_covers_k_and_datasets():
    suite = load_suite("bit_precision")
    heads = [p for p in suite.problems if p.kind == "layerwise_digits" and "bits" in p.grid]
    assert {tuple(p.grid["bits"]) for p in heads} == {(5, 10, 15, 20)}
    assert {p.params["dataset"] for p in heads} == {"digits", "mnist5k"}
    baselines = {m for p in suite.problems if p.kind == "layerwise_digits"
                 for m in p.machines if m in registry.TRAINERS}
    assert {"float-mm", "lbfgs", "sgd"} <= baselines


def test_precision_sweeps_bits_and_noise():
    suite = load_suite("precision")
    bits = {m.init["spec"]["coupler_bits"] for m in suite.machines
            if isinstance(m.init.get("spec"), dict)}
    assert min(bits) <= 4 and max(bits) >= 32 and len(bits) >= 6
    noises = {m.params.get("j_noise") for m in suite.machines if m.machine == "qa"}
    assert 0.0 in noises and len(noises) >= 3
    # the sampler really is built with the overridden precision
    entry = next(m for m in suite.machines if m.name == "da-8b")
    sampler = registry.make_sampler(entry.target, entry.init)
    assert sampler.spec.coupler_bits == 8 and sampler.spec.bias_bits == 8


def test_machines_spans_sizes():
    data = shipped("machines")
    dense = sorted(p["params"]["n"] for p in data["problems"] if p["kind"] == "maxcut_dense")
    gset = [p["params"]["instance"] for p in data["problems"] if p["kind"] == "gset"]
    assert dense[0] <= 64 and dense[-1] >= 2000 and len(dense) >= 5
    assert len(gset) >= 5
    assert all("data_dir" not in p["params"] for p in data["problems"] if p["kind"] == "gset")


@pytest.mark.parametrize("name", PAPER_SUITES)
def test_reference_copy_is_a_reduction_of_the_shipped_suite(name):
    """The committed reference run's suite file (suites/specs/reference) loads, writes into the
    shipped suite's results folder and runs only problem kinds and machines of the shipped
    suite, with no more seeds."""
    full = load_suite(name)
    ref = load_suite(SPECS_DIR / "reference" / f"{name}.yaml")
    assert ref.name == full.name
    assert ref.jobs()
    assert {p.kind for p in ref.problems} <= {p.kind for p in full.problems}
    assert {m.machine for m in ref.machines} <= {m.machine for m in full.machines}
    assert len(ref.seeds) <= len(full.seeds)


# ---------------------------------------------------------------- reduced runs


def _run_reduced(name: str, tmp_path: Path) -> tuple[pd.DataFrame, Path, list]:
    data = reduce_suite(shipped(name))
    if not _gset_available():
        data["problems"] = [p for p in data["problems"] if p["kind"] != "gset"]
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    suite = load_suite(path)
    jobs = suite.jobs()
    summary = run_suite(suite, tmp_path / "results", workers=1, progress=False,
                        command=["pytest", name])
    assert summary.ok, summary.text()
    assert summary.done == len(jobs)
    report = write_report(summary.run_dir)
    assert report.is_file() and report.stat().st_size > 0
    frame = pd.read_parquet(summary.run_dir / "jobs.parquet")
    return frame, summary.run_dir, jobs


def _check_frame(frame: pd.DataFrame, jobs: list, reads: int) -> None:
    assert set(frame["job_id"]) == {j.id for j in jobs}
    assert (frame["status"] == "ok").all()
    for job in jobs:
        rows = frame[frame["job_id"] == job.id]
        assert len(rows) == (1 if job.mode == "train" else reads), job
    train = frame[frame["mode"] == "train"]
    if len(train):
        assert _TRAIN_COLUMNS <= set(frame.columns)
        acc = train[list(_TRAIN_COLUMNS)].to_numpy(dtype=float)
        assert ((acc >= 0) & (acc <= 1)).all()
    qubo = frame[frame["mode"] == "qubo"]
    if len(qubo):
        assert _QUBO_COLUMNS <= set(frame.columns)
        assert qubo["energy"].map(math.isfinite).all()


@pytest.mark.parametrize("name", PAPER_SUITES)
def test_reduced_suite_runs_end_to_end(name, tmp_path):
    frame, run_dir, jobs = _run_reduced(name, tmp_path)
    _check_frame(frame, jobs, reads=2)
    shipped_data = shipped(name)
    kinds = {p["kind"] for p in shipped_data["problems"]}
    if not _gset_available():
        kinds.discard("gset")
    assert set(frame["kind"]) == kinds
    figures = {p.stem for p in (run_dir / "figures").glob("*.png")}
    assert figures, "no figures written"
    prov = json.loads((run_dir / "provenance.json").read_text())
    assert prov["command"] == ["pytest", name]
    if name in ("regularisers", "bit_precision"):
        assert "accuracy" in figures
    if name in ("regularisers", "machines", "precision"):
        assert {"success_probability", "heatmap"} <= figures
    if name == "regularisers":
        # every QUBO-trained job stores its per-round training loss, drawn as convergence
        training = pd.read_parquet(run_dir / "training.parquet")
        trained = frame[(frame["kind"] == "bnn_training")
                        & ~frame["machine_type"].isin(list(registry.TRAINERS))]["job_id"]
        assert set(training["job_id"]) == set(trained)
        for _, rounds in training.groupby("job_id"):
            assert rounds["round"].tolist() == list(range(len(rounds)))
            assert rounds["best_train_loss"].is_monotonic_decreasing
            assert (rounds["best_train_loss"] <= rounds["train_loss"]).all()
        assert "training_convergence" in figures
        exact = frame[frame["problem"].str.startswith("exact")]
        # the exact formulation's target is its zero-loss optimum, never a best-seen guess
        assert set(exact["target_source"]) <= {"optimum", "ground_state"}
    if name == "precision":
        records = [json.loads(p.read_text()) for p in (run_dir / "jobs").glob("*.json")]
        fits = [r["result"].get("fit") for r in records
                if r["job"]["machine"] == "da" and r["job"]["mode"] == "qubo"]
        # the overridden precision reaches the machine and the FitReport says what it cost
        assert fits and all(f and f["machine"].startswith("DA1[") for f in fits)
        assert any(f["ground_state_survives"] is not None for f in fits)


def test_reduce_suite_keeps_every_machine_family():
    data = shipped("precision")
    reduced = reduce_suite(data)
    assert {m["machine"] for m in reduced["machines"]} == {m["machine"] for m in
                                                            data["machines"]}
    assert reduced["seeds"] == [0] and reduced["reads"] == 2
    for p in reduced["problems"]:
        assert all(len(v) == 1 for v in p["grid"].values())


def test_spec_override_rejects_unknown_fields():
    target = registry.MACHINES["da"].target
    with pytest.raises(ValueError, match="unknown field"):
        registry.make_sampler(target, {"spec": {"preset": "DA1", "bits": 3}})
    with pytest.raises(ValueError, match="preset"):
        registry.make_sampler(target, {"spec": {"coupler_bits": 3}})
    # a plain preset name still works as before
    assert registry.make_sampler(target, {"spec": "DA1"}).spec.coupler_bits == 16
