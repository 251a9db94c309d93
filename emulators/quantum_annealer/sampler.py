"""The quantum-annealer samplers: the QPU-like structured sampler and the embedding composite.

:class:`QuantumAnnealerSampler` behaves like a QPU solver at its interface (``nodelist``,
``edgelist``, ``adjacency``, ``properties`` with the keys a QPU solver reports, the usual
sampling parameters) so that dimod and dwave-system composites use it where they would use a
real structured sampler. One call:

1. refuses unknown keywords (``TypeError``) and models using absent qubits or couplers
   (:class:`dimod.exceptions.BinaryQuadraticModelStructureError`, a ``ValueError``);
2. scales the spin-form model into ``h_range``/``j_range`` (``auto_scale=True``) or checks
   that it already lies inside (``h_range``, ``extended_j_range``);
3. adds Gaussian control errors drawn once for the call;
4. anneals ``num_reads`` times with the ``"sqa"``, ``"sqa-trotter"`` or ``"classical"``
   backend (:mod:`.engine`);
5. scores the samples on the *submitted* model and reports timing: wall-clock ns keys, the
   QPU microsecond keys and ``modelled_hardware_s``.

:class:`QuantumAnnealerEmbeddingSampler` works like ``EmbeddingComposite(qpu)``: it finds
chains with minorminer (seeded, cached per model structure), sets the chain strength
(uniform torque compensation ``1.414 · RMS(J) · sqrt(mean degree)`` by default), samples the
embedded model on its structured child, and maps the samples back by majority vote over each
chain (or discards samples with broken chains). Both are
:class:`~emulators._core.sampler.EmulatorSampler` subclasses: the keyword checks, fit report,
timing and SampleSet assembly are the shared ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import dimod
import numpy as np

from emulators._core.arrays import as_spin
from emulators._core.keywords import (
    args_section,
    flag,
    integer,
    number,
    one_of,
    optional,
    sample_keywords,
)
from emulators._core.sampler import EmulatorSampler, KernelResult, PreparedModel
from emulators._core.target import EnergyTarget, StopRecord, TargetStop
from emulators._core.timing import Stopwatch
from emulators.quantum_annealer import engine
from emulators.quantum_annealer.chains import (
    CHAIN_BREAK_METHODS,
    Embedding,
    chain_statistics,
    check_embedding,
    embed_ising,
)
from emulators.quantum_annealer.embedding import (
    EmbeddedModel,
    EmbeddedResult,
    EmbeddingCache,
    chain_strength_keyword,
    resolve_chain_strength,
    unembed,
)
from emulators.quantum_annealer.presets import resolve_spec
from emulators.quantum_annealer.spec import QuantumAnnealerSpec

__all__ = ["ANSWER_MODES", "QuantumAnnealerEmbeddingSampler", "QuantumAnnealerSampler"]

ANSWER_MODES = ("histogram", "raw")


def _label(name: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    return value


def _histogram(sampleset: dimod.SampleSet) -> dimod.SampleSet:
    """Unique samples with their counts, lowest energy first (ties in first-seen order)."""
    if len(sampleset) <= 1:
        return sampleset
    aggregated = sampleset.aggregate()
    order = np.argsort(aggregated.record.energy, kind="stable")
    return dimod.SampleSet(aggregated.record[order], aggregated.variables,
                           dict(sampleset.info), aggregated.vartype)


class QuantumAnnealerSampler(EmulatorSampler, dimod.Structured):
    """A D-Wave-style QPU emulator restricted to its hardware graph.

    Args:
        spec:
            A :class:`~.spec.QuantumAnnealerSpec` or a preset name (``"Advantage"``,
            ``"Advantage2"``, ``"Chimera-C4"``).
    """

    backends = engine.BACKENDS
    parameter_properties = ("parameters",)
    keyword_checks = {
        "annealing_time": optional(number()),
        "auto_scale": flag,
        "answer_mode": one_of(*ANSWER_MODES),
        "label": _label,
        "h_noise": optional(number(allow_zero=True)),
        "j_noise": optional(number(allow_zero=True)),
        "num_sweeps": optional(integer()),
    }

    def __init__(self, spec: str | QuantumAnnealerSpec = "Advantage") -> None:
        self.spec = resolve_spec(spec)
        graph = self.spec.graph
        self._nodelist = sorted(graph.nodes)
        self._edgelist = sorted(tuple(sorted(edge)) for edge in graph.edges)
        self._properties = self._build_properties()

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        num_reads: int = 1,
        annealing_time: float | None = None,
        auto_scale: bool = True,
        answer_mode: str = "histogram",
        label: str | None = None,
        seed: int | None = None,
        h_noise: float | None = None,
        j_noise: float | None = None,
        backend: str = "sqa",
        num_sweeps: int | None = None,
        target_energy: float | None = None,
    ) -> dimod.SampleSet:
        """Anneal ``bqm``, a model native to the hardware graph.

        Args:
            bqm:
                Binary quadratic model (SPIN or BINARY) whose variables are working qubits
                and whose interactions are working couplers.
            num_reads:
                Number of anneal-read cycles (answers), within ``num_reads_range``.
            annealing_time:
                Annealing duration in microseconds, within ``annealing_time_range``;
                ``None``: the spec's ``default_annealing_time``.
            auto_scale:
                Rescale h and J by one common factor to use as much of ``h_range`` and
                ``j_range`` as possible (True), or take them as given (False; then h must
                lie in ``h_range`` and J in ``extended_j_range``).
            answer_mode:
                ``"histogram"`` (unique samples with ``num_occurrences``, sorted by energy)
                or ``"raw"`` (one row per read, in read order).
            label:
                Free-text problem label, returned in ``info["problem_label"]``.
            seed:
                Seed of the emulator (control errors and Monte Carlo); the same seed and
                backend give identical samples. ``None`` draws one, reported in
                ``info["seed"]``.
            h_noise:
                Width (hardware units) of the Gaussian control error on every h, drawn once
                per call (emulator parameter); ``None``: the spec's ``h_noise`` (an
                assumption).
            j_noise:
                Width (hardware units) of the Gaussian control error on every J, drawn once
                per call (emulator parameter); ``None``: the spec's ``j_noise``.
            backend:
                ``"sqa"`` (continuous-time path-integral simulated quantum annealing,
                dwave-samplers), ``"sqa-trotter"`` (discrete-time Trotter SQA, numba) or
                ``"classical"`` (Metropolis annealing to the effective temperature)
                (emulator parameter).
            num_sweeps:
                Monte Carlo sweeps per read; ``None``: ``annealing_time`` x
                ``schedule.sweeps_per_us`` (emulator parameter).
            target_energy:
                Accepted so that callers can pass a target to every machine, but a read of
                a quantum annealer is one whole anneal (its state is only seen at readout),
                so no read stops early: the samples are those without a target, and the
                ``stop_step``/``stop_seconds`` vectors show every read at its full length.

        Returns:
            A :class:`dimod.SampleSet`. ``info`` holds ``seed``, ``backend``,
            ``num_sweeps``, ``auto_scale_factor``, ``control_errors``, ``fit``,
            ``problem_label`` (if given) and ``timing``: wall-clock ns keys, the QPU
            microsecond keys (``qpu_access_time``, ...) and ``modelled_hardware_s``
            (modelled, never measured). With ``target_energy`` the data vectors
            ``stop_step`` (``num_sweeps``) and ``stop_seconds`` (the wall seconds of the
            backend run) of every read.

        Examples:
            >>> from emulators import QuantumAnnealerSampler
            >>> sampler = QuantumAnnealerSampler("Chimera-C4")
            >>> ss = sampler.sample_ising({0: 0.5}, {(0, 4): -1.0}, num_reads=10, seed=1)
            >>> print(ss.first.energy)
            -1.5
        """
        return self._sample(bqm, locals())

    # ------------------------------------------------------------------ structure
    @property
    def nodelist(self) -> list:
        """Working qubits, sorted."""
        return self._nodelist

    @property
    def edgelist(self) -> list[tuple]:
        """Working couplers as sorted ``(u, v)`` pairs with ``u < v``, sorted."""
        return self._edgelist

    @property
    def properties(self) -> dict[str, Any]:
        """Solver properties under the keys a QPU solver reports (plus ``emulator``)."""
        return self._properties

    def _build_properties(self) -> dict[str, Any]:
        spec = self.spec
        timing = spec.timing
        docs = args_section(type(self).sample.__doc__)
        return {
            "chip_id": spec.name,
            "category": "qpu",
            "topology": {"type": spec.topology, "shape": list(spec.topology_shape)},
            "num_qubits": spec.num_qubits,
            "qubits": list(self._nodelist),
            "couplers": [list(edge) for edge in self._edgelist],
            "h_range": list(spec.bias_range),
            "j_range": list(spec.coupler_range),
            "extended_j_range": list(spec.extended_j_range),
            "annealing_time_range": list(spec.annealing_time_range),
            "default_annealing_time": spec.default_annealing_time,
            "num_reads_range": list(spec.num_reads_range),
            "supported_problem_types": ["ising", "qubo"],
            "parameters": {name: docs[name] for name in sample_keywords(type(self))},
            "problem_timing_data": {
                "typical_programming_time": timing.programming_time_us,
                "default_annealing_time": spec.default_annealing_time,
                "readout_time_model": "constant",
                "readout_time_per_sample": timing.readout_time_us,
                "qpu_delay_time_per_sample": timing.delay_time_us,
            },
            "emulator": {
                "backends": list(engine.BACKENDS),
                "default_h_noise": spec.h_noise,
                "default_j_noise": spec.j_noise,
                "schedule": {
                    "a_max_ghz": spec.schedule.a_max_ghz,
                    "b_max_ghz": spec.schedule.b_max_ghz,
                    "temperature_mk": spec.schedule.temperature_mk,
                    "sweeps_per_us": spec.schedule.sweeps_per_us,
                },
                "notes": spec.notes,
            },
        }

    # ------------------------------------------------------------------ base-class hooks
    def _keyword_checks(self) -> dict[str, Any]:
        lo, hi = self.spec.num_reads_range
        return {**super()._keyword_checks(), "num_reads": integer(lo, hi)}

    def _resolve_keywords(self, params: dict[str, Any]) -> dict[str, Any]:
        spec = self.spec
        if params["annealing_time"] is None:
            params["annealing_time"] = spec.default_annealing_time
        t_lo, t_hi = spec.annealing_time_range
        if not t_lo <= params["annealing_time"] <= t_hi:
            raise ValueError(f"annealing_time must be in [{t_lo:g}, {t_hi:g}] us, got "
                             f"{params['annealing_time']:g}")
        for name in ("h_noise", "j_noise"):
            if params[name] is None:
                params[name] = getattr(spec, name)
        if params["num_sweeps"] is None:
            params["num_sweeps"] = spec.schedule.num_sweeps(params["annealing_time"])
        return params

    def _check_model(self, bqm: dimod.BinaryQuadraticModel, params: dict[str, Any]) -> None:
        absent, missing = self.spec.structure_problems(bqm)
        if absent or missing:
            parts = []
            if absent:
                parts.append(f"{len(absent)} variable(s) that are not working qubits "
                             f"(e.g. {absent[:3]!r})")
            if missing:
                parts.append(f"{len(missing)} interaction(s) that are not working couplers "
                             f"(e.g. {missing[:3]!r})")
            raise dimod.exceptions.BinaryQuadraticModelStructureError(
                f"the model uses {' and '.join(parts)} of {self.spec.name}; embed it first "
                "(QuantumAnnealerEmbeddingSampler, or dwave.system.EmbeddingComposite)"
            )

    def _prepare(self, bqm: dimod.BinaryQuadraticModel, params: dict[str, Any],
                 rng: np.random.Generator) -> PreparedModel:
        labels, model, scale = engine.program(
            bqm, self.spec, auto_scale=params["auto_scale"], h_noise=params["h_noise"],
            j_noise=params["j_noise"], rng=rng)
        info: dict[str, Any] = {
            "num_sweeps": params["num_sweeps"],
            "auto_scale_factor": scale,
            "control_errors": {"h_noise": params["h_noise"], "j_noise": params["j_noise"]},
        }
        if params["label"] is not None:
            info["problem_label"] = params["label"]
        return PreparedModel(labels, model, fit=self.spec.validate(bqm), scale=scale,
                             info=info)

    def _sample_arrays(self, arrays: engine.HardwareModel, rng: np.random.Generator, *,
                       num_reads: int, record_trace: bool, backend: str, scale: float,
                       num_sweeps: int, target_energy: EnergyTarget | None, **params: Any
                       ) -> KernelResult:
        seed = int(rng.integers(1, 2**31 - 1))
        stop = TargetStop(target_energy, num_reads)
        stop.begin()
        spins = engine.run_backend(backend, arrays, num_reads=num_reads, num_sweeps=num_sweeps,
                                   schedule=self.spec.schedule, seed=seed)
        stop.mark(num_sweeps)
        return KernelResult(spins=spins, steps=num_sweeps, stops=stop.record(num_sweeps))

    def _finish_sampleset(self, sampleset: dimod.SampleSet, params: dict[str, Any]
                          ) -> dimod.SampleSet:
        return _histogram(sampleset) if params["answer_mode"] == "histogram" else sampleset

    def _timing(self, watch: Stopwatch, prepared: PreparedModel, result: KernelResult,
                params: dict[str, Any]) -> dict[str, float]:
        timing = watch.timing(None)
        timing.update(self.spec.timing.report(params["num_reads"], params["annealing_time"],
                                              num_qubits=len(prepared.labels)))
        return timing


class QuantumAnnealerEmbeddingSampler(EmulatorSampler, dimod.ComposedSampler):
    """Sample arbitrary models on an emulated QPU through a minor embedding.

    ``info`` reports chain lengths and chain-break fractions; the per-sample
    ``chain_break_fraction`` is a data vector.

    Args:
        child:
            The structured sampler, or a spec / preset name to build one (default
            ``"Advantage"``).
        cache_size:
            How many embeddings (per model structure and seed) to keep for reuse.
    """

    keyword_checks = {
        "chain_strength": chain_strength_keyword,
        "chain_break_method": one_of(*CHAIN_BREAK_METHODS),
        "embedding_seed": optional(integer(minimum=0)),
    }

    def __init__(self, child: QuantumAnnealerSampler | QuantumAnnealerSpec | str = "Advantage",
                 *, cache_size: int = 32) -> None:
        if not isinstance(child, QuantumAnnealerSampler):
            child = QuantumAnnealerSampler(child)
        self._cache = EmbeddingCache(cache_size)
        self._child = child

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        chain_strength: float | Callable | None = None,
        chain_break_method: str = "majority_vote",
        embedding: Mapping | None = None,
        embedding_seed: int | None = None,
        return_embedding: bool = False,
        num_reads: int = 1,
        annealing_time: float | None = None,
        auto_scale: bool = True,
        answer_mode: str = "histogram",
        label: str | None = None,
        seed: int | None = None,
        h_noise: float | None = None,
        j_noise: float | None = None,
        backend: str = "sqa",
        num_sweeps: int | None = None,
        target_energy: float | None = None,
    ) -> dimod.SampleSet:
        """Embed ``bqm``, anneal it on the child, and map the samples back.

        Args:
            bqm:
                Binary quadratic model (SPIN or BINARY) of any structure.
            chain_strength:
                Strength of the ferromagnetic chain couplers (spin units, before scaling):
                a number, a callable ``f(bqm, embedding) -> float``, or ``None`` for uniform
                torque compensation.
            chain_break_method:
                ``"majority_vote"`` (ties by a fair coin) or ``"discard"`` (drop samples
                with a broken chain).
            embedding:
                Fixed chains ``{variable: qubits}`` (skips minorminer; checked).
            embedding_seed:
                Seed of minorminer; ``None``: the spec's ``embedding_seed``.
            return_embedding:
                Put the chains in ``info["embedding_context"]["embedding"]``.
            num_reads:
                As for :meth:`QuantumAnnealerSampler.sample`.
            annealing_time:
                As for :meth:`QuantumAnnealerSampler.sample`.
            auto_scale:
                As for :meth:`QuantumAnnealerSampler.sample` (applied to the embedded model).
            answer_mode:
                ``"histogram"`` (unique logical samples, sorted by energy) or ``"raw"``.
            label:
                As for :meth:`QuantumAnnealerSampler.sample`.
            seed:
                Seed of the call (the child's seed and the tie-breaking coins); ``None``
                draws one, reported in ``info["seed"]``.
            h_noise:
                As for :meth:`QuantumAnnealerSampler.sample`.
            j_noise:
                As for :meth:`QuantumAnnealerSampler.sample`.
            backend:
                As for :meth:`QuantumAnnealerSampler.sample`.
            num_sweeps:
                As for :meth:`QuantumAnnealerSampler.sample`.
            target_energy:
                As for :meth:`QuantumAnnealerSampler.sample` (your model's units): no read
                stops early; the ``stop_step``/``stop_seconds`` vectors show every
                (logical) sample at the full anneal.

        Returns:
            A :class:`dimod.SampleSet` over the model's variables with a
            ``chain_break_fraction`` vector (and, with ``target_energy``, ``stop_step``
            and ``stop_seconds``). ``info`` holds the child's entries, ``seed``,
            ``fit`` (with the embedding), ``embedding_context``, ``chains``,
            ``chain_lengths``, ``chain_break_fraction_mean``, ``num_discarded`` and
            ``timing`` (the child's, plus ``embedding_ns``).

        Examples:
            >>> import dimod
            >>> from emulators import QuantumAnnealerEmbeddingSampler
            >>> bqm = dimod.BQM.from_ising({}, {("a", "b"): 1.0, ("b", "c"): 1.0,
            ...                                 ("a", "c"): 1.0})
            >>> ss = QuantumAnnealerEmbeddingSampler("Chimera-C4").sample(bqm, num_reads=10,
            ...                                                           seed=1)
            >>> print(ss.first.energy)
            -1.0
        """
        return self._sample(bqm, locals())

    # ------------------------------------------------------------------ composite API
    @property
    def children(self) -> list[QuantumAnnealerSampler]:
        return [self._child]

    @property
    def spec(self) -> QuantumAnnealerSpec:
        """The child's machine spec."""
        return self._child.spec

    @property
    def parameters(self) -> dict[str, list]:
        """Every keyword of :meth:`sample`: the child's (as it lists them) and our own."""
        child = self._child.parameters
        return {name: child.get(name, []) for name in sample_keywords(type(self))}

    @property
    def properties(self) -> dict[str, Any]:
        return {"child_properties": self._child.properties,
                "chain_break_methods": list(CHAIN_BREAK_METHODS)}

    def embedding_for(self, bqm: dimod.BinaryQuadraticModel, seed: int | None = None
                      ) -> Embedding | None:
        """Chains for ``bqm`` (cached per variables, interactions and seed), or ``None``."""
        seed = self.spec.embedding_seed if seed is None else seed
        return self._cache.find(bqm, self.spec.graph, seed=seed,
                                timeout=self.spec.embedding_timeout)

    # ------------------------------------------------------------------ base-class hooks
    def _validated_keywords(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Our keywords by our checks, the child's by the child's (all before any timing)."""
        child_names = sample_keywords(type(self._child))
        child = self._child._validated_keywords(
            {k: v for k, v in given.items() if k in child_names})
        own = super()._validated_keywords(
            {k: v for k, v in given.items() if k not in child_names})
        return {**own, "answer_mode": child.pop("answer_mode"), "seed": child.pop("seed"),
                "num_reads": child["num_reads"], "backend": child["backend"], "child": child}

    def _prepare(self, bqm: dimod.BinaryQuadraticModel, params: dict[str, Any],
                 rng: np.random.Generator) -> PreparedModel:
        spin = as_spin(bqm)
        chains = self._chains(spin, params["embedding"], params["embedding_seed"])
        strength = resolve_chain_strength(params["chain_strength"], spin, chains)
        target = embed_ising(spin, chains, self.spec.graph, strength)
        context: dict[str, Any] = {
            "chain_strength": strength,
            "chain_break_method": params["chain_break_method"],
            "embedding_seed": (self.spec.embedding_seed if params["embedding_seed"] is None
                               else params["embedding_seed"]),
        }
        if params["return_embedding"]:
            context["embedding"] = chains
        info = {"embedding_context": context, "chains": chain_statistics(chains),
                "chain_lengths": {v: len(c) for v, c in chains.items()}}
        fit = self.spec.validate(bqm, embedding=chains, chain_strength=strength)
        return PreparedModel(list(spin.variables), EmbeddedModel(target, chains, strength),
                             fit=fit, info=info)

    def _chains(self, spin: dimod.BinaryQuadraticModel, embedding: Mapping | None,
                seed: int | None) -> Embedding:
        if embedding is not None:
            return check_embedding(embedding, spin, self.spec.graph)
        chains = self.embedding_for(spin, seed)
        if chains is None:
            raise ValueError(
                f"no embedding of the model ({spin.num_variables} variables, "
                f"{spin.num_interactions} interactions) was found on {self.spec.name} "
                f"(embedding_seed {seed}, timeout {self.spec.embedding_timeout:g} s)")
        return chains

    def _sample_arrays(self, arrays: EmbeddedModel, rng: np.random.Generator, *,
                       num_reads: int, record_trace: bool, backend: str, scale: float,
                       child: dict[str, Any], **params: Any) -> EmbeddedResult:
        child_seed = int(rng.integers(0, 2**63 - 1))
        child = dict(child)
        target = child.pop("target_energy")  # logical units: the child's energies differ
        stop = TargetStop(None if target is None else EnergyTarget(target), num_reads)
        stop.begin()
        response = self._child.sample(arrays.target, answer_mode="raw", seed=child_seed,
                                      **child)
        stop.mark(child["num_sweeps"])
        info = {k: v for k, v in response.info.items() if k not in ("timing", "seed")}
        return EmbeddedResult(spins=response.record.sample, steps=child["num_sweeps"],
                              info=info, qubits=list(response.variables),
                              child_timing=dict(response.info["timing"]),
                              stops=stop.record(child["num_sweeps"]))

    def _assemble(self, bqm: dimod.BinaryQuadraticModel, prepared: PreparedModel,
                  result: EmbeddedResult, params: dict[str, Any], seed: int,
                  rng: np.random.Generator) -> dimod.SampleSet:
        logical, fraction, info = unembed(result, prepared.arrays.chains, prepared.labels,
                                          params["chain_break_method"], rng)
        stops = result.stops
        if stops is not None:  # every read ran in full; discarded samples are dropped
            stops = StopRecord(stops.steps[: len(logical)], stops.seconds[: len(logical)])
        logical_result = KernelResult(logical, result.steps, info={**result.info, **info},
                                      vectors={"chain_break_fraction": fraction}, stops=stops)
        return super()._assemble(bqm, prepared, logical_result, params, seed, rng)

    def _finish_sampleset(self, sampleset: dimod.SampleSet, params: dict[str, Any]
                          ) -> dimod.SampleSet:
        return _histogram(sampleset) if params["answer_mode"] == "histogram" else sampleset

    def _timing(self, watch: Stopwatch, prepared: PreparedModel, result: EmbeddedResult,
                params: dict[str, Any]) -> dict[str, float]:
        timing = dict(result.child_timing)
        timing["embedding_ns"] = watch.ns["preprocessing_ns"]
        timing["preprocessing_ns"] = timing.get("preprocessing_ns", 0) + watch.ns[
            "preprocessing_ns"]
        timing["postprocessing_ns"] = timing.get("postprocessing_ns", 0) + watch.ns[
            "postprocessing_ns"]
        return timing
