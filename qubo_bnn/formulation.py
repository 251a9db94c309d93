"""The interface every formulation builder returns (DESIGN.md section 2)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dimod


@dataclass
class ConstraintReport:
    """Constraints a sample violates.

    ``violations`` maps a constraint family (e.g. ``"sign"``, ``"product"``) to the list of
    violated constraint identifiers; ``penalty`` is the total penalty energy they cost.
    """

    violations: dict[str, list] = field(default_factory=dict)
    penalty: float = 0.0

    @property
    def feasible(self) -> bool:
        return not any(self.violations.values())

    @property
    def num_violated(self) -> int:
        return sum(len(v) for v in self.violations.values())


class Formulation(ABC):
    """A training problem written as a QUBO.

    Attributes
    ----------
    bqm:
        The model (``dimod.BINARY``). Its ``offset`` is the constant term, so that
        ``bqm.energy(sample)`` is directly comparable with :meth:`loss` at feasible samples.
    variables:
        Variable labels grouped by kind (``"weight"``, ``"activation"``, ``"product"``,
        ``"slack"``, ...), in a fixed order.
    info:
        Builder facts worth reporting (penalty strengths used, exact bounds, sizes).
    """

    bqm: dimod.BinaryQuadraticModel
    variables: dict[str, list]
    info: dict[str, Any]

    @property
    def offset(self) -> float:
        """The constant term of the QUBO."""
        return float(self.bqm.offset)

    @property
    def counts(self) -> dict[str, int]:
        """Number of variables of each kind."""
        return {kind: len(labels) for kind, labels in self.variables.items()}

    @abstractmethod
    def decode(self, sample: Mapping) -> Any:
        """Turn a sample (label -> 0/1) into the trained object (network or weight vector)."""

    @abstractmethod
    def loss(self, decoded: Any) -> float:
        """The training objective of a decoded object, computed directly from the data."""

    @abstractmethod
    def check(self, sample: Mapping) -> ConstraintReport:
        """Report the constraints ``sample`` violates."""
