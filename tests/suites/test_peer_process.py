"""The peers' worker process: the environment the user started with, errors brought back."""

from __future__ import annotations

import os

import pytest

import emulators
from suites.instances import dense_pm1_instance, maxcut_bqm
from suites.studies import peer_process, peer_solvers
from suites.studies.peer_process import PeerProcess, clean_environment


def _fail(message: str) -> None:
    raise ValueError(message)


def test_the_worker_starts_without_the_wait_policy_our_import_set(monkeypatch):
    monkeypatch.setattr(emulators, "OMP_WAIT_POLICY_SET_HERE", True)
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")
    assert "OMP_WAIT_POLICY" not in clean_environment()
    with PeerProcess() as worker:
        assert worker.wait_policy is None
        assert worker.call(os.getenv, "ISINGBENCH_OMP_WAIT_POLICY") == "leave"
        with pytest.raises(ValueError, match="from the worker"):
            worker.call(_fail, "from the worker")
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"  # the parent's is unchanged
    with pytest.raises(RuntimeError, match="outside"):
        worker.call(os.getenv, "HOME")


def test_the_switch_is_the_one_emulators_reads():
    assert peer_process.LEAVE_WAIT_POLICY == emulators.LEAVE_WAIT_POLICY


def test_a_user_setting_is_kept(monkeypatch):
    monkeypatch.setattr(emulators, "OMP_WAIT_POLICY_SET_HERE", False)
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert clean_environment()["OMP_WAIT_POLICY"] == "ACTIVE"


def test_a_peer_runs_in_the_worker_as_it_runs_here():
    bqm = maxcut_bqm(dense_pm1_instance(12, seed=3))
    solver = next(s for s in peer_solvers.all_solvers() if s.name == "dwave SA")
    budget = peer_solvers.Budget(sweeps=20, reads=4)
    here = solver.run(bqm, "matched", budget, peer_solvers.Context(), seed=5)
    with PeerProcess() as worker:
        there = solver.run(bqm, "matched", budget, peer_solvers.Context(), seed=5, worker=worker)
    assert list(there.energies) == list(here.energies)
    assert there.params == here.params and there.updates == here.updates
