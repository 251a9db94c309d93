"""Problems apart from trainers: which machine trains which problem, and what a trainer job
returns (suites.trainers, suites.tasks, the layerwise_digits kind)."""

from __future__ import annotations

import numpy as np
import pytest

from suites import registry, trainers
from suites.problems import problem_kind
from suites.runner import run_job
from suites.spec import SpecError, parse_suite
from suites.tasks import LayerwiseTask, WholeNetworkTask
from suites.trainers.qubo import QuboTrainer
from suites.trainers.whole_network import DirectSearchTrainer


def _suite(problem: str, machines: str) -> str:
    return (f"name: t\nseeds: [0]\nreads: 2\ntarget: best_seen\nproblems:\n  - {problem}\n"
            f"machines:\n{machines}")


def _error(problem: str, machines: str) -> str:
    with pytest.raises(SpecError) as info:
        parse_suite(_suite(problem, machines), source="bad.yaml")
    return str(info.value)


def _job(problem: str, machines: str, index: int = 0) -> dict:
    job = parse_suite(_suite(problem, machines)).jobs()[index]
    return {**job.to_dict(), "id": job.id}


def test_trainer_machines_resolve_and_the_samplers_train_through_qubos():
    assert set(registry.TRAINERS) == {"direct", "ste", "float-mm", "lbfgs", "sgd"}
    assert not set(registry.TRAINERS) & set(registry.MACHINES)
    assert trainers.trainer_class("direct") is DirectSearchTrainer
    assert trainers.trainer_class("sa") is QuboTrainer
    trainer = trainers.make_trainer(registry.MACHINES["sa"].target)
    assert isinstance(trainer, QuboTrainer) and trainer.sampler.parameters
    assert isinstance(trainers.make_trainer(registry.TRAINERS["direct"].target),
                      DirectSearchTrainer)
    with pytest.raises(registry.UnknownMachineError, match="trainers: direct"):
        registry.machine_entry("nope")


def test_pairings_are_checked_when_the_suite_loads():
    maxcut = "{name: p, kind: maxcut_dense, params: {n: 8}}"
    assert "is a trainer and this problem is a QUBO" in _error(maxcut, "  - machine: direct")
    head = "{name: h, kind: layerwise_digits, params: {classes: [3, 8], n_features: 4}}"
    assert "needs bits" in _error(head, "  - machine: sa")
    head_k = ("{name: h, kind: layerwise_digits, params: {classes: [3, 8], n_features: 4}, "
              "grid: {bits: [2, 4]}}")
    assert "bits only apply to training through one" in _error(head_k, "  - machine: lbfgs")
    net = "{name: n, kind: bnn_training, params: {margin: 0.1}}"
    assert "margin only apply" in _error(net, "  - machine: ste")
    assert "trains a WholeNetworkTask" in _error(head, "  - machine: direct")
    assert "trains a LayerwiseTask" in _error(
        "{name: n, kind: bnn_training}", "  - machine: float-mm")


def test_trainer_params_are_checked_like_problem_params():
    net = "{name: n, kind: bnn_training}"
    assert "restarts must be >= 1" in _error(net, "  - {machine: direct, params: {restarts: 0}}")
    assert "expected int" in _error(net, "  - {machine: direct, params: {sweeps: 1.5}}")
    assert "does not accept 'num_sweeps'" in _error(
        net, "  - {machine: direct, params: {num_sweeps: 5}}")
    assert "takes no init" in _error(net, "  - {machine: ste, init: {spec: DA1}}")
    # a suite budget does not reach the trainers
    suite = parse_suite(_suite(net, "  - machine: ste\n  - machine: sa").replace(
        "reads: 2", "reads: 2\nbudget: {num_sweeps: 7}"))
    assert {j.machine: j.sample_params for j in suite.jobs()} == {"ste": {},
                                                                   "sa": {"num_sweeps": 7}}


def test_direct_and_ste_jobs_train_the_network_of_the_problem():
    problem = "{name: n, kind: bnn_training, params: {size: 2, hidden_layers: [2]}}"
    machines = ("  - {machine: direct, params: {sweeps: 30, restarts: 1}}\n"
                "  - {machine: ste, params: {epochs: 2}}")
    for index in (0, 1):
        job = _job(problem, machines, index)
        result = run_job(job)
        assert set(result["metrics"]) == {"train_accuracy", "test_accuracy"}
        assert 0.0 <= result["metrics"]["test_accuracy"] <= 1.0
        assert result["history"] is None
        assert run_job(job)["metrics"] == result["metrics"]  # the job seed makes it repeatable


def test_layerwise_kind_gives_binarised_or_grey_tasks():
    kind = problem_kind("layerwise_digits")
    defaults = {k: p.default for k, p in kind.params.items() if p.default is not None}
    binary = kind.task({**defaults, "classes": [3, 8], "n_features": 4, "bits": 2}, seed=0)
    assert isinstance(binary, LayerwiseTask) and binary.features is not None
    assert set(np.unique(binary.data.X_train)) <= {-1, 1} and binary.bits == 2
    z_train, z_test = binary.feature_matrices()
    assert z_train.shape[1] == z_test.shape[1] and z_train.shape[0] == len(binary.data.y_train)
    grey = kind.task({**defaults, "dataset": "digits", "classes": [0, 1, 2], "n_features": 0},
                     seed=0)
    assert grey.features is None and grey.bits is None
    assert set(np.unique(grey.data.y_train)) == {0, 1, 2} and grey.data.X_train.shape[1] == 64
    with pytest.raises(ValueError, match="size applies"):
        kind.check_params({"dataset": "mnist5k", "size": 4})
    with pytest.raises(ValueError, match="dataset must be one of"):
        kind.check_params({"dataset": "cifar"})
    assert isinstance(problem_kind("bnn_training").task(
        {k: p.default for k, p in problem_kind("bnn_training").params.items()}, seed=0),
        WholeNetworkTask)


def test_float_baselines_train_the_head_of_a_binarised_problem():
    problem = ("{name: h, kind: layerwise_digits, params: {classes: [3, 8], n_features: 4, "
               "iterations: 2}}")
    machines = "  - machine: float-mm\n  - machine: lbfgs\n  - machine: sgd"
    for index in range(3):
        metrics = run_job(_job(problem, machines, index))["metrics"]
        assert 0.5 <= metrics["test_accuracy"] <= 1.0  # 3 vs 8 is easy even on 4 features


def test_budget_scaling_lives_on_the_registry_entry():
    assert registry.MACHINES["sa"].budget(2, 100) == {"num_reads": 2, "num_sweeps": 100}
    assert registry.MACHINES["da"].budget(2, 100) == {"num_reads": 2,
                                                      "number_iterations": 5000}
    assert registry.MACHINES["sb"].budget(2, 100) == {"num_reads": 8, "num_steps": 1000}
    assert registry.MACHINES["dwave-greedy"].budget(2, 100) == {"num_reads": 2}
    sampler, kwargs = registry.budgeted_sampler("da", 1, 10)
    assert kwargs == {"num_reads": 1, "number_iterations": 500} and "number_iterations" in (
        sampler.parameters)
    with pytest.raises(ValueError, match="unknown machine"):
        registry.budgeted_sampler("direct", 1, 10)
