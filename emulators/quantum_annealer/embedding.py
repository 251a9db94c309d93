"""The embedding step of :class:`~.sampler.QuantumAnnealerEmbeddingSampler`.

Around the chain primitives of :mod:`.chains`: an :class:`EmbeddingCache` (minorminer,
seeded, per model structure), the chain strength of one call, and :func:`unembed` (majority
vote or discard, with chain-break fractions).
"""

from __future__ import annotations

import numbers
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import dimod
import networkx as nx
import numpy as np

from emulators._core.sampler import KernelResult
from emulators._core.validation import check_positive_float
from emulators.quantum_annealer.chains import (
    Embedding,
    find_embedding,
    unembed_spins,
    uniform_torque_compensation,
)

__all__ = [
    "EmbeddedModel",
    "EmbeddedResult",
    "EmbeddingCache",
    "chain_strength_keyword",
    "resolve_chain_strength",
    "unembed",
]


class EmbeddedModel(NamedTuple):
    """The spin-form model on the hardware qubits, its chains and their strength."""

    target: dimod.BinaryQuadraticModel
    chains: Embedding
    strength: float


@dataclass
class EmbeddedResult(KernelResult):
    """A child QPU call: ``spins`` over ``qubits``, and the child's ``info["timing"]``."""

    qubits: list = field(default_factory=list)
    child_timing: dict[str, float] = field(default_factory=dict)


class EmbeddingCache:
    """Chains per model structure and seed (least recently used dropped beyond ``size``)."""

    def __init__(self, size: int) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"cache_size must be an integer >= 0, got {size!r}")
        self.size = size
        self._chains: OrderedDict[tuple, Embedding | None] = OrderedDict()

    def find(self, bqm: dimod.BinaryQuadraticModel, graph: nx.Graph, *, seed: int,
             timeout: float) -> Embedding | None:
        """Chains for ``bqm`` on ``graph`` (minorminer with ``seed``), or ``None``."""
        key = (tuple(bqm.variables), frozenset(frozenset(e) for e in bqm.quadratic), seed)
        if key in self._chains:
            self._chains.move_to_end(key)
            return self._chains[key]
        found = find_embedding(bqm, graph, seed=seed, timeout=timeout)
        if self.size:
            self._chains[key] = found
            while len(self._chains) > self.size:
                self._chains.popitem(last=False)
        return found


def chain_strength_keyword(name: str, value: Any) -> Any:
    """Check ``chain_strength``: ``None``, a callable, or a number > 0."""
    if value is None or callable(value):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, a callable or None, got {value!r}")
    return check_positive_float(name, value)


def resolve_chain_strength(value: float | Callable | None, bqm: dimod.BinaryQuadraticModel,
                           chains: Embedding) -> float:
    """The chain strength of one call: uniform torque compensation for ``None``, the value
    of a callable ``f(bqm, chains)``, or the number itself."""
    if value is None:
        return uniform_torque_compensation(bqm)
    if callable(value):
        return chain_strength_keyword("chain_strength", value(bqm, chains))
    return float(value)


def unembed(result: EmbeddedResult, chains: Embedding, variables: list, method: str,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Logical spins of a child result, the chain-break fraction of each, and ``info``.

    ``method`` is ``"majority_vote"`` (ties by a fair coin from ``rng``) or ``"discard"``
    (samples with a broken chain are dropped).
    """
    logical, broken = unembed_spins(result.spins, result.qubits, chains, variables, rng)
    fraction = broken.mean(axis=1) if variables else np.zeros(len(logical))
    if method == "discard":
        keep = ~broken.any(axis=1)
        logical, fraction = logical[keep], fraction[keep]
    info = {"chain_break_fraction_mean": float(broken.mean()) if broken.size else 0.0,
            "num_discarded": int(len(broken) - len(logical))}
    return logical, fraction, info
