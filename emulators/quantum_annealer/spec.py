"""The quantum-annealer machine spec: working graph, analog ranges, timing, schedule, noise.

Ranges as the public mock copies them (DESIGN.md §5.3): h ∈ [−4, 4], J ∈ [−1, 1], extended
J ∈ [−2, 1]; annealing time 0.5–2000 µs (default 20); num_reads 1–10,000. Timing,
control-error widths and the anneal schedule are assumptions (see :mod:`.timing` and
:mod:`.physics`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dimod
import networkx as nx
import numpy as np

from emulators._core.arrays import as_spin
from emulators.machine import EXACT_LIMIT, FitReport, MachineSpec
from emulators.quantum_annealer.chains import (
    Embedding,
    chain_statistics,
    check_embedding,
    embed_ising,
    find_embedding,
    uniform_torque_compensation,
)
from emulators.quantum_annealer.graphs import TOPOLOGIES, full_size, hardware_graph
from emulators.quantum_annealer.physics import (
    DEFAULT_H_NOISE,
    DEFAULT_J_NOISE,
    AnnealSchedule,
    auto_scale_factor,
)
from emulators.quantum_annealer.timing import QpuTiming

__all__ = ["QuantumAnnealerSpec", "make_spec"]


def _check_range(name: str, value: Any, positive: bool = False) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (lo, hi), got {value!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi) or (positive and lo <= 0):
        raise ValueError(f"{name} must be (lo, hi) with lo < hi{' and lo > 0' * positive}, "
                         f"got {value!r}")
    return lo, hi


@dataclass(frozen=True)
class QuantumAnnealerSpec(MachineSpec):
    """A D-Wave-style annealer: working graph, analog ranges, timing, schedule, noise.

    On top of :class:`~emulators.machine.MachineSpec` (``bias_range`` = ``h_range``,
    ``coupler_range`` = ``j_range``, ``graph`` = working qubits and couplers, ``capacity`` =
    number of working qubits): ``extended_j_range`` (allowed with ``auto_scale=False``),
    ``annealing_time_range`` and ``default_annealing_time`` (µs), ``num_reads_range``,
    ``timing`` (:class:`~.timing.QpuTiming`; ``clock`` is derived from it),
    ``schedule`` (:class:`~.physics.AnnealSchedule`), default control-error widths
    ``h_noise``/``j_noise`` (hardware units; assumptions), and the minorminer settings used by
    :meth:`validate` and the embedding sampler (``embedding_seed``, ``embedding_timeout``).
    """

    topology: str = "custom"
    topology_shape: tuple[int, ...] = ()
    extended_j_range: tuple[float, float] = (-2.0, 1.0)
    annealing_time_range: tuple[float, float] = (0.5, 2000.0)
    default_annealing_time: float = 20.0
    num_reads_range: tuple[int, int] = (1, 10000)
    timing: QpuTiming = field(default_factory=QpuTiming)
    schedule: AnnealSchedule = field(default_factory=AnnealSchedule)
    h_noise: float = DEFAULT_H_NOISE
    j_noise: float = DEFAULT_J_NOISE
    embedding_seed: int = 0
    embedding_timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.graph is None:
            raise ValueError("a QuantumAnnealerSpec needs a hardware graph (graph=...)")
        if self.coupler_range is None or self.bias_range is None:
            raise ValueError("a QuantumAnnealerSpec needs coupler_range and bias_range")
        super().__post_init__()
        object.__setattr__(self, "extended_j_range",
                           _check_range("extended_j_range", self.extended_j_range))
        object.__setattr__(self, "annealing_time_range",
                           _check_range("annealing_time_range", self.annealing_time_range,
                                        positive=True))
        lo, hi = self.annealing_time_range
        if not lo <= self.default_annealing_time <= hi:
            raise ValueError(f"default_annealing_time {self.default_annealing_time} is outside "
                             f"annealing_time_range {self.annealing_time_range}")
        r_lo, r_hi = (int(v) for v in self.num_reads_range)
        if not 1 <= r_lo <= r_hi:
            raise ValueError(f"num_reads_range must be (lo, hi) with 1 <= lo <= hi, got "
                             f"{self.num_reads_range!r}")
        object.__setattr__(self, "num_reads_range", (r_lo, r_hi))
        for name in ("h_noise", "j_noise"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        object.__setattr__(self, "clock", self.timing.clock())
        object.__setattr__(self, "capacity", self.graph.number_of_nodes())

    # ------------------------------------------------------------------ description
    @property
    def num_qubits(self) -> int:
        """Qubit labels of the full lattice (working or not), as a QPU reports it."""
        if self.topology in TOPOLOGIES:
            return full_size(self.topology, self.topology_shape)
        return self.graph.number_of_nodes()

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(
            topology={"type": self.topology, "shape": list(self.topology_shape)},
            extended_j_range=self.extended_j_range,
            annealing_time_range=self.annealing_time_range,
            default_annealing_time=self.default_annealing_time,
            num_reads_range=self.num_reads_range,
            timing=dataclasses.asdict(self.timing),
            schedule=dataclasses.asdict(self.schedule),
            h_noise=self.h_noise,
            j_noise=self.j_noise,
        )
        return out

    # ------------------------------------------------------------------ fit
    def _structure_index(self) -> tuple[dict, np.ndarray]:
        """``(qubit -> index, sorted coupler keys lo * n + hi)``, built once per spec."""
        cached = self.__dict__.get("_structure")
        if cached is None:
            index = {q: i for i, q in enumerate(self.graph.nodes)}
            pairs = np.array([(index[u], index[v]) for u, v in self.graph.edges],
                             dtype=np.int64).reshape(-1, 2)
            keys = np.sort(pairs.min(axis=1) * len(index) + pairs.max(axis=1))
            cached = (index, keys)
            object.__setattr__(self, "_structure", cached)
        return cached

    def structure_problems(self, bqm: dimod.BinaryQuadraticModel) -> tuple[list, list]:
        """``(variables that are not working qubits, interactions that are not couplers)``."""
        index, keys = self._structure_index()
        labels = list(bqm.variables)
        absent = [v for v in labels if v not in index]
        _, (rows, cols, _), _ = bqm.to_numpy_vectors(variable_order=labels)
        where = np.array([index.get(v, -1) for v in labels], dtype=np.int64)
        a, b = where[rows], where[cols]
        wanted = np.minimum(a, b) * len(index) + np.maximum(a, b)
        pos = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        found = (a >= 0) & (b >= 0) & (len(keys) > 0)
        if len(keys):
            found &= keys[pos] == wanted
        missing = [(labels[r], labels[c]) for r, c in zip(rows[~found], cols[~found],
                                                          strict=True)]
        return absent, missing

    def is_native(self, bqm: dimod.BinaryQuadraticModel) -> bool:
        """Whether every variable is a working qubit and every interaction a coupler."""
        absent, missing = self.structure_problems(bqm)
        return not absent and not missing

    def scaled_ranges(self, bqm: dimod.BinaryQuadraticModel) -> dict[str, Any]:
        """Auto-scale factor and the h and J ranges a (spin-form) model uses after it."""
        spin = as_spin(bqm)
        h, (_, _, j), _ = spin.to_numpy_vectors()
        scale = auto_scale_factor(h, j, self.bias_range, self.coupler_range)
        h, j = h * scale, j * scale
        return {
            "auto_scale_factor": scale,
            "h_range_used": [float(h.min(initial=0.0)), float(h.max(initial=0.0))],
            "j_range_used": [float(j.min(initial=0.0)), float(j.max(initial=0.0))],
        }

    def validate(
        self,
        bqm: dimod.BinaryQuadraticModel,
        exact_limit: int = EXACT_LIMIT,
        *,
        embedding: Mapping | None = None,
        chain_strength: float | None = None,
    ) -> FitReport:
        """A :class:`FitReport`; models that are not native are embedded with minorminer.

        ``fits_connectivity`` is True when the model is native or an embedding is found (or
        ``embedding`` is given and valid). ``extra`` holds ``native``, ``embedding_found``,
        ``qubits_used``, ``longest_chain``, ``mean_chain_length``, ``chain_strength`` (spin
        units, before scaling) and the ``auto_scale_factor``, ``h_range_used`` and
        ``j_range_used`` of the model the machine would be programmed with. Scaling onto a
        continuous range keeps ground states, so ``ground_state_survives`` is True for models
        up to ``exact_limit`` variables when nothing is clipped.
        """
        quantised = self.quantise(bqm)
        n = bqm.num_variables
        reasons: list[str] = []
        extra: dict[str, Any] = {}
        native = embedding is None and self.is_native(bqm)
        strength = None
        if native:
            chains = {v: (v,) for v in bqm.variables}
            programmed = bqm
        elif n > self.capacity:
            chains = None
            reasons.append(f"{n:,} variables exceed the {self.capacity:,} working qubits by "
                           f"{n - self.capacity:,}")
        elif embedding is not None:
            chains = check_embedding(embedding, bqm, self.graph)
        else:
            chains = find_embedding(bqm, self.graph, seed=self.embedding_seed,
                                    timeout=self.embedding_timeout)
            if chains is None:
                reasons.append(f"minorminer found no embedding (seed {self.embedding_seed}, "
                               f"timeout {self.embedding_timeout:g} s)")
        extra["native"] = native
        extra["embedding_found"] = chains is not None
        if chains is not None and not native:
            strength = (uniform_torque_compensation(bqm) if chain_strength is None
                        else float(chain_strength))
            programmed = embed_ising(bqm, chains, self.graph, strength)
        if chains is not None:
            extra.update(chain_statistics(chains), chain_strength=strength)
            extra.update(self.scaled_ranges(programmed))
            if not native:
                reasons.append(f"embedded with {extra['qubits_used']:,} qubits, longest chain "
                               f"{extra['longest_chain']}")
        if quantised.num_clipped:
            reasons.append(f"{quantised.num_clipped} coefficients clipped to the range")
        survives = True if n <= exact_limit and quantised.num_clipped == 0 else None
        return FitReport(
            machine=self.name,
            num_variables=n,
            num_interactions=bqm.num_interactions,
            capacity=self.capacity,
            fits_capacity=n <= self.capacity,
            fits_connectivity=chains is not None,
            scale=extra.get("auto_scale_factor", quantised.scale),
            max_abs_error=quantised.max_abs_error,
            max_rel_error=quantised.max_rel_error,
            num_rounded_to_zero=quantised.num_rounded_to_zero,
            num_clipped=quantised.num_clipped,
            ground_state_survives=survives,
            ground_state_gap=0.0 if survives else None,
            reasons=reasons,
            extra=extra,
            clock_source=self.clock.source,
        )

    def find_embedding(self, bqm: dimod.BinaryQuadraticModel, seed: int | None = None
                       ) -> Embedding | None:
        """Chains for ``bqm`` on this machine (``seed`` defaults to ``embedding_seed``)."""
        return find_embedding(bqm, self.graph,
                              seed=self.embedding_seed if seed is None else seed,
                              timeout=self.embedding_timeout)


def make_spec(
    name: str,
    topology: str | nx.Graph,
    shape: int | tuple[int, ...] | None = None,
    *,
    h_range: tuple[float, float] = (-4.0, 4.0),
    j_range: tuple[float, float] = (-1.0, 1.0),
    notes: str = "",
    **options: Any,
) -> QuantumAnnealerSpec:
    """A :class:`QuantumAnnealerSpec` on a lattice (``topology``, ``shape``: see
    :func:`~.graphs.hardware_graph`) or on a networkx graph of your own.

    For a chip with broken qubits or couplers, pass the graph
    ``hardware_graph(topology, shape, broken_qubits=..., num_broken_qubits=..., seed=...)``.
    ``options`` are the remaining :class:`QuantumAnnealerSpec` fields (``extended_j_range``,
    ``timing``, ``schedule``, ``h_noise``, ``j_noise``, ...).
    """
    graph = hardware_graph(topology, shape)
    family = graph.graph.get("family", "custom")
    return QuantumAnnealerSpec(
        name=name,
        coupler_range=j_range,
        bias_range=h_range,
        vartype=dimod.SPIN,
        graph=graph,
        topology=family,
        topology_shape=tuple(graph.graph.get("shape", ())),
        notes=notes,
        **options,
    )
