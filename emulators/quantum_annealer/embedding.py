"""Convenience sampler: embed any model on the emulated QPU, sample, unembed.

:class:`QuantumAnnealerEmbeddingSampler` works like ``EmbeddingComposite(qpu)``: it finds
chains with minorminer (seeded, cached per model structure), sets the chain strength (uniform
torque compensation ``1.414 · RMS(J) · sqrt(mean degree)`` by default), samples the embedded
model on its :class:`~.structured.QuantumAnnealerSampler` child, and maps the samples back by
majority vote over each chain (or discards samples with broken chains). ``info`` reports chain
lengths and chain-break fractions; the per-sample ``chain_break_fraction`` is a data vector.
"""

from __future__ import annotations

import numbers
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import dimod
import numpy as np

from emulators._core import (
    as_spin,
    build_sampleset,
    check_choice,
    check_positive_float,
    check_unknown_kwargs,
    make_rng,
    validate_bqm,
)
from emulators.quantum_annealer.chains import (
    CHAIN_BREAK_METHODS,
    Embedding,
    chain_statistics,
    check_embedding,
    embed_ising,
    find_embedding,
    unembed_spins,
    uniform_torque_compensation,
)
from emulators.quantum_annealer.presets import QuantumAnnealerSpec
from emulators.quantum_annealer.structured import ANSWER_MODES, QuantumAnnealerSampler

__all__ = ["QuantumAnnealerEmbeddingSampler"]

_OWN_PARAMETERS = ("chain_strength", "chain_break_method", "embedding", "embedding_seed",
                   "return_embedding")


class QuantumAnnealerEmbeddingSampler(dimod.ComposedSampler):
    """Sample arbitrary models on an emulated QPU through a minor embedding.

    Parameters
    ----------
    child:
        The structured sampler, or a spec / preset name to build one (default
        ``"Advantage"``).
    cache_size:
        How many embeddings (per model structure and seed) to keep for reuse.

    Keywords of :meth:`sample`: ``chain_strength`` (a number in spin units, a callable
    ``f(bqm, embedding) -> float``, or ``None`` for uniform torque compensation),
    ``chain_break_method`` (``"majority_vote"`` or ``"discard"``), ``embedding`` (fixed
    chains; skips minorminer), ``embedding_seed`` (default ``spec.embedding_seed``),
    ``return_embedding`` (put the chains in ``info["embedding_context"]``), and every keyword
    of the child (``num_reads``, ``annealing_time``, ``seed``, ...).
    """

    def __init__(self, child: QuantumAnnealerSampler | QuantumAnnealerSpec | str = "Advantage",
                 *, cache_size: int = 32) -> None:
        if not isinstance(child, QuantumAnnealerSampler):
            child = QuantumAnnealerSampler(child)
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 0:
            raise ValueError(f"cache_size must be an integer >= 0, got {cache_size!r}")
        self._child = child
        self._cache: OrderedDict[tuple, Embedding | None] = OrderedDict()
        self._cache_size = cache_size

    @property
    def children(self) -> list[QuantumAnnealerSampler]:
        return [self._child]

    @property
    def spec(self) -> QuantumAnnealerSpec:
        """The child's machine spec."""
        return self._child.spec

    @property
    def parameters(self) -> dict[str, list]:
        params = dict(self._child.parameters)
        params.update({name: [] for name in _OWN_PARAMETERS})
        return params

    @property
    def properties(self) -> dict[str, Any]:
        return {"child_properties": self._child.properties,
                "chain_break_methods": list(CHAIN_BREAK_METHODS)}

    # ------------------------------------------------------------------ embedding
    def embedding_for(self, bqm: dimod.BinaryQuadraticModel, seed: int | None = None
                      ) -> Embedding | None:
        """Chains for ``bqm`` (cached per variables, interactions and seed), or ``None``."""
        seed = self.spec.embedding_seed if seed is None else seed
        key = (tuple(bqm.variables), frozenset(frozenset(e) for e in bqm.quadratic), seed)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        found = find_embedding(bqm, self.spec.graph, seed=seed,
                               timeout=self.spec.embedding_timeout)
        if self._cache_size:
            self._cache[key] = found
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return found

    @staticmethod
    def _chain_strength(value: Any, bqm: dimod.BinaryQuadraticModel, chains: Embedding
                        ) -> float:
        if value is None:
            return uniform_torque_compensation(bqm)
        if callable(value):
            value = value(bqm, chains)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"chain_strength must be a number, a callable or None, got "
                            f"{value!r}")
        return check_positive_float("chain_strength", value)

    # ------------------------------------------------------------------ sampling
    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        chain_strength: float | Callable | None = None,
        chain_break_method: str = "majority_vote",
        embedding: Mapping | None = None,
        embedding_seed: int | None = None,
        return_embedding: bool = False,
        **kwargs: Any,
    ) -> dimod.SampleSet:
        """Embed, anneal on the child, unembed; see the class docstring."""
        check_unknown_kwargs(type(self).__name__, kwargs, self.parameters)
        validate_bqm(bqm)
        check_choice("chain_break_method", chain_break_method, CHAIN_BREAK_METHODS)
        answer_mode = check_choice("answer_mode", kwargs.pop("answer_mode", "histogram"),
                                   ANSWER_MODES)
        if embedding_seed is not None and (isinstance(embedding_seed, bool) or
                                           not isinstance(embedding_seed, numbers.Integral)):
            raise TypeError(f"embedding_seed must be an integer or None, got "
                            f"{embedding_seed!r}")
        rng, seed = make_rng(kwargs.pop("seed", None))
        spin = as_spin(bqm)

        start = time.perf_counter_ns()
        if embedding is not None:
            chains = check_embedding(embedding, spin, self.spec.graph)
        else:
            chains = self.embedding_for(spin, embedding_seed)
            if chains is None:
                raise ValueError(
                    f"no embedding of the model ({bqm.num_variables} variables, "
                    f"{bqm.num_interactions} interactions) was found on {self.spec.name} "
                    f"(embedding_seed {embedding_seed}, timeout "
                    f"{self.spec.embedding_timeout:g} s)")
        strength = self._chain_strength(chain_strength, spin, chains)
        target = embed_ising(spin, chains, self.spec.graph, strength)
        embed_ns = time.perf_counter_ns() - start

        child_seed = int(rng.integers(0, 2**63 - 1))
        response = self._child.sample(target, answer_mode="raw", seed=child_seed, **kwargs)

        start = time.perf_counter_ns()
        variables = list(spin.variables)
        logical, broken = unembed_spins(response.record.sample, list(response.variables),
                                        chains, variables, rng)
        fraction = broken.mean(axis=1) if variables else np.zeros(len(logical))
        if chain_break_method == "discard":
            keep = ~broken.any(axis=1)
            logical, fraction = logical[keep], fraction[keep]
        fit = self.spec.validate(bqm, embedding=chains, chain_strength=strength)
        context: dict[str, Any] = {"chain_strength": strength,
                                   "chain_break_method": chain_break_method,
                                   "embedding_seed": (self.spec.embedding_seed
                                                      if embedding_seed is None
                                                      else embedding_seed)}
        if return_embedding:
            context["embedding"] = chains
        child_info = {k: v for k, v in response.info.items() if k not in ("timing", "seed")}
        info = {
            **child_info,
            "seed": seed,
            "fit": fit,
            "embedding_context": context,
            "chains": chain_statistics(chains),
            "chain_lengths": {v: len(c) for v, c in chains.items()},
            "chain_break_fraction_mean": float(broken.mean()) if broken.size else 0.0,
            "num_discarded": int(len(broken) - len(logical)),
        }
        sampleset = build_sampleset(bqm, variables, logical, info=info,
                                    vectors={"chain_break_fraction": fraction})
        if answer_mode == "histogram":
            aggregated = sampleset.aggregate()
            order = np.argsort(aggregated.record.energy, kind="stable")
            sampleset = dimod.SampleSet(aggregated.record[order], aggregated.variables,
                                        info, aggregated.vartype)
        unembed_ns = time.perf_counter_ns() - start

        timing = dict(response.info["timing"])
        timing["embedding_ns"] = embed_ns
        timing["preprocessing_ns"] = timing.get("preprocessing_ns", 0) + embed_ns
        timing["postprocessing_ns"] = timing.get("postprocessing_ns", 0) + unembed_ns
        sampleset.info["timing"] = timing
        return sampleset
