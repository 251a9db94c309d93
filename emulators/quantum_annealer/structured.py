"""The QPU-like structured sampler: takes models native to the hardware graph only.

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
   backend;
5. scores the samples on the *submitted* model and reports timing: wall-clock ns keys, the
   QPU microsecond keys and ``modelled_hardware_s``.
"""

from __future__ import annotations

import numbers
from typing import Any

import dimod
import numpy as np

from emulators._core import (
    Stopwatch,
    as_spin,
    build_sampleset,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_unknown_kwargs,
    make_rng,
    validate_bqm,
)
from emulators.quantum_annealer.backends import BACKENDS, run_backend
from emulators.quantum_annealer.physics import (
    apply_control_errors,
    auto_scale_factor,
    check_in_ranges,
)
from emulators.quantum_annealer.presets import QuantumAnnealerSpec, resolve_spec

__all__ = ["ANSWER_MODES", "QuantumAnnealerSampler"]

ANSWER_MODES = ("histogram", "raw")

_PARAMETER_DOCS = {
    "num_reads": "Number of anneal-read cycles (answers), a positive integer in "
                 "num_reads_range.",
    "annealing_time": "Annealing duration in microseconds, within annealing_time_range.",
    "auto_scale": "Rescale h and J by one common factor to use as much of h_range and j_range "
                  "as possible (True), or take them as given (False).",
    "answer_mode": "'histogram' (unique samples with num_occurrences, sorted by energy) or "
                   "'raw' (one row per read, in read order).",
    "label": "Free-text problem label, returned in info['problem_label'].",
    "seed": "Seed of the emulator (control errors and Monte Carlo); same seed and backend give "
            "identical samples.",
    "h_noise": "Width (hardware units) of the Gaussian control error on every h, drawn once "
               "per call (emulator parameter; default an assumption).",
    "j_noise": "Width (hardware units) of the Gaussian control error on every J, drawn once "
               "per call (emulator parameter; default an assumption).",
    "backend": "'sqa' (continuous-time path-integral simulated quantum annealing, "
               "dwave-samplers), 'sqa-trotter' (discrete-time Trotter SQA, numba) or "
               "'classical' (Metropolis annealing to the effective temperature) "
               "(emulator parameter).",
    "num_sweeps": "Monte Carlo sweeps per read; default annealing_time x "
                  "schedule.sweeps_per_us (emulator parameter).",
}


class QuantumAnnealerSampler(dimod.Sampler, dimod.Structured):
    """A D-Wave-style QPU emulator restricted to its hardware graph.

    Parameters
    ----------
    spec:
        A :class:`~.presets.QuantumAnnealerSpec` or a preset name (``"Advantage"``,
        ``"Advantage2"``, ``"Chimera-C4"``).

    Sampling keywords: ``num_reads`` (default 1, as on a QPU), ``annealing_time`` (µs,
    default ``spec.default_annealing_time``), ``auto_scale`` (default True), ``answer_mode``
    (``"histogram"`` default, or ``"raw"``), ``label``, and the emulator's own ``seed``,
    ``h_noise``/``j_noise`` (default ``spec.h_noise``/``spec.j_noise``), ``backend``
    (``"sqa"`` default, ``"sqa-trotter"`` or ``"classical"``; see :mod:`.backends`) and
    ``num_sweeps``.

    Examples
    --------
    >>> sampler = QuantumAnnealerSampler("Chimera-C4")
    >>> ss = sampler.sample_ising({0: 0.5}, {(0, 4): -1.0}, num_reads=10, seed=1)
    >>> float(ss.first.energy)
    -1.5
    """

    def __init__(self, spec: str | QuantumAnnealerSpec = "Advantage") -> None:
        self.spec = resolve_spec(spec)
        graph = self.spec.graph
        self._nodelist = sorted(graph.nodes)
        self._edgelist = sorted(tuple(sorted(edge)) for edge in graph.edges)
        self._properties = self._build_properties()
        self._parameters = {name: ["parameters"] for name in _PARAMETER_DOCS}

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

    @property
    def parameters(self) -> dict[str, list]:
        """Accepted keyword arguments of :meth:`sample`."""
        return self._parameters

    def _build_properties(self) -> dict[str, Any]:
        spec = self.spec
        timing = spec.timing
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
            "parameters": dict(_PARAMETER_DOCS),
            "problem_timing_data": {
                "typical_programming_time": timing.programming_time_us,
                "default_annealing_time": spec.default_annealing_time,
                "readout_time_model": "constant",
                "readout_time_per_sample": timing.readout_time_us,
                "qpu_delay_time_per_sample": timing.delay_time_us,
            },
            "emulator": {
                "backends": list(BACKENDS),
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

    # ------------------------------------------------------------------ checks
    def _check_structure(self, bqm: dimod.BinaryQuadraticModel) -> None:
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

    def _parse(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        spec = self.spec
        check_unknown_kwargs(type(self).__name__, kwargs, self._parameters)
        lo, hi = spec.num_reads_range
        num_sweeps = kwargs.get("num_sweeps")
        auto_scale = kwargs.get("auto_scale", True)
        if not isinstance(auto_scale, (bool, np.bool_)):
            raise TypeError(f"auto_scale must be True or False, got {auto_scale!r}")
        annealing_time = check_positive_float(
            "annealing_time", kwargs.get("annealing_time", spec.default_annealing_time))
        t_lo, t_hi = spec.annealing_time_range
        if not t_lo <= annealing_time <= t_hi:
            raise ValueError(f"annealing_time must be in [{t_lo:g}, {t_hi:g}] us, got "
                             f"{annealing_time:g}")
        label = kwargs.get("label")
        if label is not None and not isinstance(label, str):
            raise TypeError(f"label must be a string, got {type(label).__name__}")
        parsed = {
            "num_reads": check_positive_int("num_reads", kwargs.get("num_reads", 1), lo, hi),
            "annealing_time": annealing_time,
            "auto_scale": bool(auto_scale),
            "answer_mode": check_choice("answer_mode", kwargs.get("answer_mode", "histogram"),
                                        ANSWER_MODES),
            "label": label,
            "h_noise": check_positive_float("h_noise", kwargs.get("h_noise", spec.h_noise),
                                            allow_zero=True),
            "j_noise": check_positive_float("j_noise", kwargs.get("j_noise", spec.j_noise),
                                            allow_zero=True),
            "backend": check_choice("backend", kwargs.get("backend", "sqa"), BACKENDS),
            "seed": kwargs.get("seed"),
        }
        if num_sweeps is None:
            num_sweeps = spec.schedule.num_sweeps(annealing_time)
        elif not isinstance(num_sweeps, numbers.Integral) or isinstance(num_sweeps, bool):
            raise TypeError(f"num_sweeps must be an integer or None, got {num_sweeps!r}")
        parsed["num_sweeps"] = check_positive_int("num_sweeps", num_sweeps)
        return parsed

    # ------------------------------------------------------------------ sampling
    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Anneal ``bqm`` (native to the hardware graph); see the class docstring."""
        params = self._parse(kwargs)
        validate_bqm(bqm)
        self._check_structure(bqm)
        rng, seed = make_rng(params["seed"])
        spec = self.spec
        watch = Stopwatch()
        with watch.section("preprocessing"):
            spin = as_spin(bqm)
            labels = list(spin.variables)
            h, (rows, cols, j), _ = spin.to_numpy_vectors(variable_order=labels)
            if params["auto_scale"]:
                scale = auto_scale_factor(h, j, spec.bias_range, spec.coupler_range)
            else:
                check_in_ranges(h, j, spec.bias_range, spec.extended_j_range)
                scale = 1.0
            h_hw, j_hw = apply_control_errors(h * scale, j * scale, params["h_noise"],
                                              params["j_noise"], rng)
            kernel_seed = int(rng.integers(1, 2**31 - 1))
            fit = spec.validate(bqm)
        with watch.section("sampling"):
            spins = run_backend(params["backend"], h_hw, rows, cols, j_hw,
                                num_reads=params["num_reads"], num_sweeps=params["num_sweeps"],
                                schedule=spec.schedule, seed=kernel_seed)
        with watch.section("postprocessing"):
            info: dict[str, Any] = {
                "seed": seed,
                "backend": params["backend"],
                "num_sweeps": params["num_sweeps"],
                "auto_scale_factor": scale,
                "control_errors": {"h_noise": params["h_noise"], "j_noise": params["j_noise"]},
                "fit": fit,
            }
            if params["label"] is not None:
                info["problem_label"] = params["label"]
            sampleset = build_sampleset(bqm, labels, spins, info=info)
            if params["answer_mode"] == "histogram" and len(sampleset) > 1:
                sampleset = _histogram(sampleset)
        timing: dict[str, float] = dict(watch.timing(None))
        timing.update(spec.timing.report(params["num_reads"], params["annealing_time"]))
        sampleset.info["timing"] = timing
        return sampleset


def _histogram(sampleset: dimod.SampleSet) -> dimod.SampleSet:
    """Unique samples with their counts, lowest energy first (ties in first-seen order)."""
    aggregated = sampleset.aggregate()
    order = np.argsort(aggregated.record.energy, kind="stable")
    return dimod.SampleSet(aggregated.record[order], aggregated.variables,
                           dict(sampleset.info), aggregated.vartype)
