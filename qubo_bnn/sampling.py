"""Calling any dimod sampler the same way: optional seed and warm start, timing, results."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import dimod
import numpy as np


@dataclass
class SamplerCall:
    """Samples of one call as a ``(reads, variables)`` 0/1 array in ``variables`` order."""

    bits: np.ndarray
    energies: np.ndarray
    seconds: float
    sampling_ns: float | None


def accepted_parameters(sampler: dimod.Sampler) -> set[str]:
    """Keyword arguments the sampler declares (empty when it declares none)."""
    try:
        return set(getattr(sampler, "parameters", {}) or {})
    except Exception:  # a sampler whose ``parameters`` property fails: assume nothing
        return set()


def run_sampler(
    sampler: dimod.Sampler,
    bqm: dimod.BinaryQuadraticModel,
    variables: list,
    sample_kwargs: Mapping | None,
    seed: int | None,
    initial_bits: np.ndarray | None = None,
) -> SamplerCall:
    """Sample ``bqm`` and return the reads as bits over ``variables``.

    ``seed`` is passed when the sampler declares a ``seed`` parameter; ``initial_bits``
    (``(reads, len(variables))`` 0/1) become ``initial_states`` when it declares that one.
    Samples of a SPIN sampler are mapped to bits.
    """
    kwargs = dict(sample_kwargs or {})
    params = accepted_parameters(sampler)
    if seed is not None and "seed" in params and "seed" not in kwargs:
        kwargs["seed"] = int(seed)
    if initial_bits is not None and "initial_states" in params and "initial_states" not in kwargs:
        reads = int(kwargs.get("num_reads", initial_bits.shape[0]))
        states = np.resize(initial_bits, (reads, initial_bits.shape[1])).astype(np.int8)
        kwargs["initial_states"] = (states, list(variables))
        if "num_reads" in params:
            kwargs["num_reads"] = reads
    t0 = time.perf_counter()
    sampleset = sampler.sample(bqm, **kwargs)
    arr = dimod.as_samples(sampleset.samples())  # resolve futures before timing stops
    seconds = time.perf_counter() - t0
    samples, labels = arr
    index = {v: i for i, v in enumerate(labels)}
    bits = samples[:, [index[v] for v in variables]].astype(np.int8)
    if sampleset.vartype is dimod.SPIN:
        bits = ((bits + 1) // 2).astype(np.int8)
    energies = bqm.energies((bits, list(variables)))
    timing = sampleset.info.get("timing", {}) if isinstance(sampleset.info, dict) else {}
    sampling_ns = timing.get("sampling_ns") if isinstance(timing, dict) else None
    return SamplerCall(bits, np.asarray(energies, dtype=float), seconds, sampling_ns)
