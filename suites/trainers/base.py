"""What every trainer has: the tasks it trains, its parameters, and ``train``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from suites.problems import Param


class Trainer:
    """A training method: :meth:`train` turns a task into metrics.

    Subclasses set :attr:`tasks` (the :mod:`suites.tasks` classes they train) and
    :attr:`params` (their own parameters: a suite sets them under the machine entry's
    ``params``; every ``int`` parameter is a count, at least 1).
    """

    tasks: ClassVar[tuple[type, ...]] = ()
    params: ClassVar[dict[str, Param]] = {}

    @classmethod
    def check_task(cls, task_type: type | None) -> None:
        """Raise ``ValueError`` unless this trainer trains tasks of ``task_type``."""
        if task_type is None or not issubclass(task_type, cls.tasks):
            names = " or ".join(t.__name__ for t in cls.tasks)
            given = task_type.__name__ if task_type is not None else "no task"
            raise ValueError(f"{cls.__name__} trains a {names}, this problem gives {given}")

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` for a count below 1 (types are checked by the suite loader)."""
        for name, value in params.items():
            spec = cls.params.get(name)
            if spec is not None and spec.kind == "int" and value < 1:
                raise ValueError(f"{name} must be >= 1, got {value!r}")

    def settings(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """This trainer's parameters from a job's machine params, defaults filled in (the
        suite's reads and seed, which every job carries, are not among them)."""
        return {name: params.get(name, spec.default) for name, spec in self.params.items()}

    def train(self, task: Any, params: Mapping[str, Any], seed: int) -> dict[str, Any]:
        """Train ``task`` with the job's machine ``params`` and ``seed``; return metrics.

        Besides ``train_accuracy``/``test_accuracy`` and other numbers, the result may carry
        ``"history"``: one dict per training round with at least ``round`` and ``train_loss``
        (fraction of training samples misclassified); the runner stores it in
        ``training.parquet`` and the plots draw it as the training's convergence.
        """
        raise NotImplementedError
