"""Minor embedding: finding chains, chain strength, embedding a model, unembedding samples.

All in spin form. A chain is the set of qubits that stand for one logical variable; they are
tied by ferromagnetic couplers of strength ``chain_strength`` (``-chain_strength · s_a s_b``
on every hardware coupler inside the chain). A logical bias is spread evenly over its chain
and a logical coupler evenly over the hardware couplers between the two chains, so that every
sample with intact chains has exactly the logical energy.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import dimod
import minorminer
import networkx as nx
import numpy as np

from emulators._core.arrays import as_spin

__all__ = [
    "Embedding",
    "chain_statistics",
    "check_embedding",
    "embed_ising",
    "find_embedding",
    "uniform_torque_compensation",
    "unembed_spins",
]

Embedding = dict[Hashable, tuple]
CHAIN_BREAK_METHODS = ("majority_vote", "discard")


def find_embedding(
    bqm: dimod.BinaryQuadraticModel,
    target: nx.Graph,
    *,
    seed: int = 0,
    timeout: float = 30.0,
    tries: int = 10,
) -> Embedding | None:
    """Chains for every variable of ``bqm`` on ``target`` (minorminer, seeded), or ``None``.

    Variables without interactions get one free qubit each.
    """
    edges = [(u, v) for u, v in bqm.quadratic if u != v]
    embedding: Embedding = {}
    if edges:
        found = minorminer.find_embedding(edges, target.edges, random_seed=int(seed),
                                          timeout=float(timeout), tries=int(tries))
        if not found:
            return None
        embedding = {v: tuple(chain) for v, chain in found.items()}
    used = {q for chain in embedding.values() for q in chain}
    free = (q for q in sorted(target.nodes) if q not in used)
    for v in bqm.variables:
        if v not in embedding:
            qubit = next(free, None)
            if qubit is None:
                return None
            embedding[v] = (qubit,)
    return {v: embedding[v] for v in bqm.variables}


def check_embedding(embedding: Mapping, bqm: dimod.BinaryQuadraticModel, target: nx.Graph
                    ) -> Embedding:
    """Return ``embedding`` as a dict of tuples if it is valid for ``bqm`` on ``target``.

    Raises ``ValueError`` naming the first problem: a missing variable, an empty or
    disconnected chain, a qubit not in the graph or used twice, or a logical interaction
    with no hardware coupler between its chains.
    """
    if not isinstance(embedding, Mapping):
        raise TypeError(f"embedding must be a mapping variable -> qubits, got "
                        f"{type(embedding).__name__}")
    chains: Embedding = {}
    owner: dict = {}
    for v in bqm.variables:
        if v not in embedding:
            raise ValueError(f"embedding has no chain for variable {v!r}")
        chain = tuple(embedding[v])
        if not chain:
            raise ValueError(f"embedding gives variable {v!r} an empty chain")
        for q in chain:
            if q not in target:
                raise ValueError(f"embedding uses qubit {q!r} (for {v!r}), which is not a "
                                 "working qubit of the hardware graph")
            if q in owner:
                raise ValueError(f"qubit {q!r} is in the chains of both {owner[q]!r} and {v!r}")
            owner[q] = v
        if len(chain) > 1 and not nx.is_connected(target.subgraph(chain)):
            raise ValueError(f"the chain of {v!r} is not connected in the hardware graph")
        chains[v] = chain
    for u, v in bqm.quadratic:
        if not any(target.has_edge(a, b) for a in chains[u] for b in chains[v]):
            raise ValueError(f"no hardware coupler joins the chains of {u!r} and {v!r}")
    return chains


def uniform_torque_compensation(bqm: dimod.BinaryQuadraticModel, prefactor: float = 1.414
                                ) -> float:
    """Chain strength ``prefactor · RMS(J) · sqrt(mean degree)`` of the spin-form model.

    Returns 1.0 for a model without interactions.
    """
    spin = as_spin(bqm)
    if spin.num_interactions == 0:
        return 1.0
    _, (_, _, j), _ = spin.to_numpy_vectors()
    rms = math.sqrt(float(np.mean(np.square(j))))
    degree = 2.0 * spin.num_interactions / spin.num_variables
    strength = prefactor * rms * math.sqrt(degree)
    return strength if strength > 0 else 1.0


def embed_ising(
    bqm: dimod.BinaryQuadraticModel,
    embedding: Embedding,
    target: nx.Graph,
    chain_strength: float,
) -> dimod.BinaryQuadraticModel:
    """The spin-form model on the hardware qubits of ``embedding``.

    Unbroken-chain states have exactly the logical energy (the offset absorbs the chain
    couplers' ``-chain_strength`` each).
    """
    spin = as_spin(bqm)
    out = dimod.BinaryQuadraticModel(dimod.SPIN)
    out.offset = spin.offset
    for v, chain in embedding.items():
        share = spin.get_linear(v) / len(chain)
        out.add_linear_from((q, share) for q in chain)
        for a, b in target.subgraph(chain).edges:
            out.add_quadratic(a, b, -chain_strength)
            out.offset += chain_strength
    for (u, v), bias in spin.quadratic.items():
        couplers = [(a, b) for a in embedding[u] for b in embedding[v] if target.has_edge(a, b)]
        if not couplers:
            raise ValueError(f"no hardware coupler joins the chains of {u!r} and {v!r}")
        share = bias / len(couplers)
        out.add_quadratic_from((a, b, share) for a, b in couplers)
    return out


def unembed_spins(
    spins: np.ndarray,
    qubits: list,
    embedding: Embedding,
    variables: list,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Logical spins by majority vote over each chain, and which chains were broken.

    ``spins`` is ``(reads, len(qubits))`` over ``qubits``; returns ``(logical, broken)`` of
    shapes ``(reads, len(variables))`` (int8) and the same (bool). A tied vote (even chain,
    half up) is settled by a fair coin from ``rng``.
    """
    column = {q: i for i, q in enumerate(qubits)}
    spins = np.asarray(spins, dtype=np.int64)
    reads = len(spins)
    logical = np.empty((reads, len(variables)), dtype=np.int8)
    broken = np.empty((reads, len(variables)), dtype=bool)
    for k, v in enumerate(variables):
        block = spins[:, [column[q] for q in embedding[v]]]
        total = block.sum(axis=1)
        broken[:, k] = np.abs(total) != block.shape[1]
        coin = 2 * rng.integers(0, 2, size=reads) - 1
        logical[:, k] = np.where(total > 0, 1, np.where(total < 0, -1, coin))
    return logical, broken


def chain_statistics(embedding: Embedding) -> dict[str, float | int]:
    """Number of chains, qubits used, longest and mean chain length."""
    lengths = [len(chain) for chain in embedding.values()]
    return {
        "num_chains": len(lengths),
        "qubits_used": int(sum(lengths)),
        "longest_chain": int(max(lengths, default=0)),
        "mean_chain_length": float(np.mean(lengths)) if lengths else 0.0,
    }
