"""Calling any dimod sampler the same way, for both formulations.

- :func:`default_sampler`: the project's reference annealer.
- :func:`takes_seed` / :func:`with_seed`: the keyword arguments of one call, with a seed added
  when the sampler declares a ``seed`` parameter and the caller set none.
- :func:`ordered_bits`: a SampleSet's reads as a ``(reads, variables)`` 0/1 array in a given
  variable order (SPIN samples mapped to bits).
- :func:`run_sampler`: one timed call (optional seed and warm start), reads as bits, lowest
  energy first.
- :func:`block_union` / :func:`split_blocks`: independent integer-labelled BQMs side by side in
  one BQM, and that BQM's reads split back into one array per block.
- :func:`solve_batch`: many independent BQMs, by ``sample_batch``, one call each, or one call on
  their union.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dimod
import numpy as np

BATCH_MODES = ("auto", "loop", "union")
VARTYPES = ("SPIN", "BINARY", None)


def default_sampler() -> dimod.Sampler:
    """The project's reference annealer (``emulators.annealing.SimulatedAnnealingSampler``).

    Falls back, with a warning, to ``dwave.samplers.SimulatedAnnealingSampler`` when the
    reference annealer cannot be imported.
    """
    try:
        from emulators.annealing import SimulatedAnnealingSampler
    except ImportError:
        from dwave.samplers import SimulatedAnnealingSampler

        warnings.warn(
            "emulators.annealing.SimulatedAnnealingSampler is unavailable; using "
            "dwave.samplers.SimulatedAnnealingSampler",
            RuntimeWarning,
            stacklevel=3,
        )
    return SimulatedAnnealingSampler()


def accepted_parameters(sampler: dimod.Sampler) -> set[str]:
    """Keyword arguments the sampler declares (empty when it declares none)."""
    try:
        return set(getattr(sampler, "parameters", {}) or {})
    except Exception:  # a sampler whose ``parameters`` property fails: assume nothing
        return set()


def takes_seed(sampler: dimod.Sampler, sample_kwargs: Mapping[str, Any] | None) -> bool:
    """Whether a call should get a seed: the sampler declares ``seed`` and the caller set none."""
    return "seed" not in (sample_kwargs or {}) and "seed" in accepted_parameters(sampler)


def with_seed(
    sampler: dimod.Sampler,
    sample_kwargs: Mapping[str, Any] | None,
    seed: int | np.random.Generator | None,
) -> dict[str, Any]:
    """A copy of ``sample_kwargs``, plus ``seed`` when :func:`takes_seed` says so.

    ``seed`` may be a generator: a seed is then drawn from it only when one is added, so the
    generator's stream does not depend on samplers that take no seed.
    """
    kwargs = dict(sample_kwargs or {})
    if seed is None or not takes_seed(sampler, kwargs):
        return kwargs
    if isinstance(seed, np.random.Generator):
        seed = seed.integers(2**31 - 1)
    kwargs["seed"] = int(seed)
    return kwargs


def ordered_bits(
    sampleset: dimod.SampleSet, variables: Sequence, sorted_by: str | None = None
) -> np.ndarray:
    """The reads as a ``(reads, len(variables))`` int8 0/1 array, columns in ``variables`` order.

    Rows are in record order, or, with ``sorted_by="energy"``, lowest energy first (as
    ``SampleSet.samples`` sorts them).
    """
    samples, labels = dimod.as_samples(sampleset.samples(sorted_by=sorted_by))
    index = {v: i for i, v in enumerate(labels)}
    bits = np.asarray(samples)[:, [index[v] for v in variables]].astype(np.int8)
    if sampleset.vartype is dimod.SPIN:
        bits = ((bits + 1) // 2).astype(np.int8)
    return bits


@dataclass
class SamplerCall:
    """Samples of one call as a ``(reads, variables)`` 0/1 array in ``variables`` order."""

    bits: np.ndarray
    energies: np.ndarray
    seconds: float
    sampling_ns: float | None


def run_sampler(
    sampler: dimod.Sampler,
    bqm: dimod.BinaryQuadraticModel,
    variables: list,
    sample_kwargs: Mapping | None,
    seed: int | None,
    initial_bits: np.ndarray | None = None,
) -> SamplerCall:
    """Sample ``bqm`` once and return the reads as bits over ``variables``, lowest energy first.

    ``seed`` is passed as :func:`with_seed` says; ``initial_bits`` (``(reads, len(variables))``
    0/1) become ``initial_states`` when the sampler declares that parameter (tiled to
    ``num_reads`` rows). ``energies`` are ``bqm``'s own energies of the returned bits.
    """
    kwargs = with_seed(sampler, sample_kwargs, seed)
    if initial_bits is not None:
        kwargs.update(_initial_states(sampler, kwargs, initial_bits, variables))
    t0 = time.perf_counter()
    sampleset = sampler.sample(bqm, **kwargs)
    sampleset.resolve()  # a sampler may return a future: finish it before timing stops
    seconds = time.perf_counter() - t0
    bits = ordered_bits(sampleset, variables, sorted_by="energy")
    energies = bqm.energies((bits, list(variables)))
    timing = sampleset.info.get("timing", {}) if isinstance(sampleset.info, dict) else {}
    sampling_ns = timing.get("sampling_ns") if isinstance(timing, dict) else None
    return SamplerCall(bits, np.asarray(energies, dtype=float), seconds, sampling_ns)


def _initial_states(
    sampler: dimod.Sampler, kwargs: Mapping, initial_bits: np.ndarray, variables: list
) -> dict[str, Any]:
    """``initial_states`` (and ``num_reads``) for a warm start, when the sampler takes them."""
    params = accepted_parameters(sampler)
    if "initial_states" not in params or "initial_states" in kwargs:
        return {}
    reads = int(kwargs.get("num_reads", initial_bits.shape[0]))
    states = np.resize(initial_bits, (reads, initial_bits.shape[1])).astype(np.int8)
    out: dict[str, Any] = {"initial_states": (states, list(variables))}
    if "num_reads" in params:
        out["num_reads"] = reads
    return out


def block_union(bqms: Sequence[dimod.BinaryQuadraticModel]) -> dimod.BinaryQuadraticModel:
    """Independent BQMs side by side in one BQM of their common vartype.

    Every ``bqms[i]`` is labelled ``0 .. n_i - 1``; its variable ``j`` becomes
    ``start_i + j`` with ``start_i = n_0 + ... + n_(i-1)``. The offset is the sum of the
    offsets, so the union's energy of a read is the sum of its blocks' energies.
    """
    if len(bqms) == 0:
        raise ValueError("bqms is empty: nothing to join")
    vartype = bqms[0].vartype
    if any(b.vartype is not vartype for b in bqms):
        raise ValueError("block_union needs BQMs of one vartype")
    lin, rows, cols, vals = [], [], [], []
    offset = 0.0
    start = 0
    for bqm in bqms:
        n = bqm.num_variables
        h, (r, c, q), off = bqm.to_numpy_vectors(variable_order=range(n))
        lin.append(h)
        rows.append(r + start)
        cols.append(c + start)
        vals.append(q)
        offset += off
        start += n
    return dimod.BinaryQuadraticModel.from_numpy_vectors(
        np.concatenate(lin),
        (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)),
        offset,
        vartype,
    )


def split_blocks(bits: np.ndarray, sizes: Sequence[int]) -> list[np.ndarray]:
    """Columns of a union's reads (labels in order) split into one array per block."""
    edges = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    return [bits[:, edges[i] : edges[i + 1]] for i in range(len(sizes))]


def solve_batch(
    sampler: dimod.Sampler,
    bqms: Sequence[dimod.BinaryQuadraticModel],
    sample_kwargs: Mapping[str, Any],
    *,
    batch: str = "auto",
    seed: int | None = None,
    vartype: str | None = "SPIN",
) -> list[np.ndarray]:
    """Sample independent integer-labelled BQMs; return each one's reads as a 0/1 array.

    Row ``r``, column ``j`` of the ``i``-th array is variable ``j`` of ``bqms[i]`` in read ``r``.

    ``batch``:
      * ``"auto"``: one ``sampler.sample_batch(bqms, **kwargs)`` call (a list of SampleSets)
        when the sampler has that method, otherwise ``"loop"``;
      * ``"loop"``: one ``sampler.sample`` call per BQM;
      * ``"union"``: one call on :func:`block_union` of the BQMs. As the problems are
        independent, every block of every read is a valid solution of its own problem.

    ``seed`` is passed as the ``seed`` keyword (a different one per call) when the sampler lists
    ``seed`` among its parameters and ``sample_kwargs`` does not set it.

    ``vartype`` (``"SPIN"``, ``"BINARY"`` or ``None`` = as given): the form the models are
    handed over in (a copy made by ``change_vartype``; energies are unchanged, reads are
    returned as 0/1 either way). ``"SPIN"`` is the default because Ising-form samplers that
    convert a BINARY model through dimod's ``bqm.spin`` view iterate over every coupler in
    Python, which for dense models costs far more than the annealing itself.
    """
    if batch not in BATCH_MODES:
        raise ValueError(f"batch must be one of {BATCH_MODES}, got {batch!r}")
    if vartype not in VARTYPES:
        raise ValueError(f"vartype must be one of {VARTYPES}, got {vartype!r}")
    if len(bqms) == 0:
        raise ValueError("bqms is empty: nothing to sample")
    if vartype is not None:
        bqms = [b.change_vartype(vartype, inplace=False) for b in bqms]
    seeds = None
    if seed is not None and takes_seed(sampler, sample_kwargs):
        seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=len(bqms))

    def call_kwargs(i: int) -> dict[str, Any]:
        return dict(sample_kwargs) if seeds is None else {**sample_kwargs, "seed": int(seeds[i])}

    sizes = [b.num_variables for b in bqms]
    if batch == "union":
        union = block_union(bqms)
        reads = ordered_bits(sampler.sample(union, **call_kwargs(0)), range(sum(sizes)))
        return split_blocks(reads, sizes)
    if batch == "auto" and callable(getattr(sampler, "sample_batch", None)):
        results = sampler.sample_batch(list(bqms), **call_kwargs(0))
    else:
        results = [sampler.sample(bqm, **call_kwargs(i)) for i, bqm in enumerate(bqms)]
    return [ordered_bits(ss, range(n)) for ss, n in zip(results, sizes, strict=True)]
