"""Training methods for the ``train`` problem kinds (benchopt's solvers to their datasets).

A training problem kind builds a task (:mod:`suites.tasks`); the job's machine trains it:

* a sampler machine (:data:`suites.registry.MACHINES`) through the QUBO formulations,
  :class:`~suites.trainers.qubo.QuboTrainer` (it solves every QUBO of the training);
* a trainer machine (:data:`suites.registry.TRAINERS`) without a sampler:
  :mod:`suites.trainers.whole_network` (``direct``, ``ste``) and
  :mod:`suites.trainers.layerwise` (``float-mm``, ``lbfgs``, ``sgd``), whose own parameters
  are the suite machine entry's ``params``.

:func:`make_trainer` builds the trainer of a job's machine; :func:`check_pairing` tells a
suite which problem and machine cannot go together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from suites import registry
from suites.problems import ProblemKind
from suites.trainers.base import Trainer

#: Import string of the trainer that trains through a sampler machine.
QUBO_TRAINER = "suites.trainers.qubo:QuboTrainer"

__all__ = ["QUBO_TRAINER", "Trainer", "check_pairing", "make_trainer", "trainer_class"]


def trainer_class(machine: str) -> type[Trainer]:
    """The trainer of a registry machine: its own class for a trainer, else the QUBO trainer."""
    target = registry.TRAINERS[machine].target if registry.is_trainer(machine) else QUBO_TRAINER
    cls = registry.import_object(target)
    if not (isinstance(cls, type) and issubclass(cls, Trainer)):
        raise TypeError(f"{target!r} is not a suites.trainers.Trainer subclass")
    return cls


def make_trainer(target: str, init: Mapping[str, Any] | None = None) -> Trainer:
    """The trainer of a job: a trainer class by import string, or the QUBO trainer around the
    sampler that ``target`` and ``init`` build."""
    cls = registry.import_object(target)
    if isinstance(cls, type) and issubclass(cls, Trainer):
        return cls(**dict(init or {}))
    qubo_trainer = registry.import_object(QUBO_TRAINER)
    return qubo_trainer(registry.make_sampler(target, dict(init or {})))


def check_pairing(kind: ProblemKind, params: Mapping[str, Any], machine: str) -> None:
    """Raise ``ValueError`` when registry ``machine`` cannot run a problem of ``kind`` with
    ``params`` (defaults filled in): a trainer trains nothing but the tasks it knows, and a
    QUBO problem needs a sampler."""
    trainer = registry.is_trainer(machine)
    if kind.mode != "train":
        if trainer:
            raise ValueError(f"{machine!r} is a trainer and this problem is a QUBO to sample: "
                             "run it on sampler machines")
        return
    if trainer:
        changed = [k for k in kind.machine_params if params.get(k) != kind.params[k].default]
        if changed:
            raise ValueError(f"{machine!r} trains without a sampler, and {', '.join(changed)} "
                             "only apply to training through one: leave them at their defaults")
    else:
        missing = [k for k in kind.machine_params
                   if kind.params[k].default is None and params.get(k) is None]
        if missing:
            raise ValueError(f"training through machine {machine!r} needs "
                             f"{', '.join(missing)}")
    trainer_class(machine).check_task(kind.task_type)
