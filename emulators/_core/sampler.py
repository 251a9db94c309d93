"""The base class of every emulator sampler, and the SampleSet assembly they share.

One call of :meth:`EmulatorSampler._sample` (what each machine's ``sample`` returns):

1. the model is checked (:func:`~.validation.validate_bqm`) and every keyword of the
   signature goes through the machine's checks (:meth:`~EmulatorSampler._validated_keywords`)
   — all before any timed section, the same way for every machine;
2. a model without variables gives ``num_reads`` empty samples with the model's offset as
   energy and ``info["timing"]`` (dimod's convention, as dwave-samplers' samplers do);
3. ``preprocessing``: :meth:`~EmulatorSampler._prepare` stores the model as the machine does
   (quantised by its :class:`~emulators.machine.MachineSpec`, with a fit report) and reads
   the start states;
4. ``sampling``: :meth:`~EmulatorSampler._sample_arrays` runs the machine's engine;
5. ``postprocessing``: :meth:`~EmulatorSampler._assemble` re-scores the samples on the
   *original* model (:func:`build_sampleset`) and collects ``info`` (seed, backend, fit,
   trace, the engine's entries);
6. ``info["timing"]``: the three phases in ns and ``modelled_hardware_s`` from the spec's clock.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import dimod
import numpy as np

from emulators._core.arrays import IsingArrays, ising_arrays, parse_initial_states
from emulators._core.devices import device_sync
from emulators._core.keywords import (
    Check,
    explain_unknown_keywords,
    integer,
    one_of,
    sample_keywords,
    truth,
)
from emulators._core.seeds import make_rng
from emulators._core.target import (
    EnergyTarget,
    StopRecord,
    energy_slack,
    original_arrays,
    target_energy,
)
from emulators._core.timing import Stopwatch, Trace
from emulators._core.validation import validate_bqm

__all__ = [
    "COMMON_KEYWORDS",
    "EmulatorSampler",
    "KernelResult",
    "PreparedModel",
    "build_sampleset",
    "empty_sampleset",
]

#: Keywords the base class handles itself; every other keyword goes to the machine's engine.
COMMON_KEYWORDS = ("num_reads", "seed", "record_trace", "backend")


@dataclass
class KernelResult:
    """What a machine's engine returns to :class:`EmulatorSampler`.

    ``spins`` is ``(reads, n)`` int8 over the prepared model's labels; ``steps`` the number of
    sweeps/Monte Carlo steps the machine ran (for the clock model: with a target energy, until
    its last read stopped); ``trace`` the best-so-far trace in the kernel's energy units;
    ``info`` extra machine-specific entries; ``vectors`` per-read data vectors for the
    SampleSet; ``stops`` when each read stopped (calls with ``target_energy``), which become
    the ``stop_step`` and ``stop_seconds`` vectors.
    """

    spins: np.ndarray
    steps: int
    trace: Trace | None = None
    info: dict[str, Any] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    stops: StopRecord | None = None


@dataclass
class PreparedModel:
    """The model as the machine holds it, made in the ``preprocessing`` phase.

    ``arrays`` is what the engine takes (:class:`~.arrays.IsingArrays` unless a machine says
    otherwise) over the variables ``labels``; kernel energies are ``scale`` times model
    energies. ``quantised`` says the stored model differs from the original (then the samples
    get a ``quantised_energy`` vector and traces are scaled back). ``initial_states`` are the
    parsed start states (machines with that keyword), ``info`` entries for ``SampleSet.info``.
    ``original`` is the model as given, over ``labels``, when the call has a target energy
    and the stored model's energies differ from it by more than the target's tolerance (see
    :func:`~.target.energy_slack`). ``machine`` is what the machine derives from the stored
    model alone before it samples (:meth:`EmulatorSampler._prepare_machine`), handed to
    :meth:`~EmulatorSampler._sample_arrays` as ``prepared``.
    """

    labels: list
    arrays: Any
    fit: Any = None
    scale: float = 1.0
    quantised: bool = False
    initial_states: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)
    original: IsingArrays | None = None
    machine: Any = None


def build_sampleset(
    bqm: dimod.BinaryQuadraticModel,
    labels: list,
    spins: np.ndarray,
    *,
    info: dict[str, Any] | None = None,
    vectors: dict[str, np.ndarray] | None = None,
) -> dimod.SampleSet:
    """A SampleSet of ``spins`` (over ``labels``) re-scored on the original ``bqm``.

    Samples are returned in ``bqm``'s vartype; ``vectors`` add per-read data vectors (e.g.
    ``quantised_energy``).
    """
    spins = np.asarray(spins, dtype=np.int8)
    samples = spins if bqm.vartype is dimod.SPIN else ((spins + 1) // 2).astype(np.int8)
    energies = bqm.energies((samples, labels))
    return dimod.SampleSet.from_samples(
        (samples, labels), vartype=bqm.vartype, energy=energies, info=info or {},
        **(vectors or {}),
    )


def empty_sampleset(bqm: dimod.BinaryQuadraticModel, num_reads: int,
                    info: dict[str, Any]) -> dimod.SampleSet:
    """``num_reads`` samples of a model without variables (energy: its offset)."""
    samples = np.empty((num_reads, 0), dtype=np.int8)
    return dimod.SampleSet.from_samples((samples, []), vartype=bqm.vartype,
                                        energy=np.full(num_reads, float(bqm.offset)), info=info)


class EmulatorSampler(dimod.Sampler, ABC):
    """Base class of every emulator: keyword checks, quantisation, timing and assembly.

    A machine subclasses it and writes:

    * ``sample(self, bqm, *, <keywords with defaults>)`` with an ``Args:`` docstring,
      returning ``self._sample(bqm, locals())``; ``parameters`` is read off that signature;
    * :attr:`keyword_checks` — a :data:`~.keywords.Check` per keyword that needs one, and
      :meth:`_resolve_keywords` for rules between keywords (or :attr:`options_class` to
      bundle the machine's keywords into one settings object);
    * :meth:`_sample_arrays` — the call into its engine.

    ``num_reads``, ``seed``, ``record_trace`` and ``backend`` are handled here, and the check
    of ``target_energy`` (a machine that takes it lists it in its signature and passes it to
    its engine, see :mod:`~emulators._core.target`).
    """

    spec: Any = None
    backends: tuple[str, ...] = ("cpu",)
    #: Checks of this machine's own keywords (name -> check), run before any timed section.
    keyword_checks: ClassVar[Mapping[str, Check]] = {}
    #: What each ``parameters`` entry lists (dimod: the relevant ``properties`` keys).
    parameter_properties: ClassVar[tuple[str, ...]] = ()
    #: A dataclass whose fields are keywords of :meth:`sample`, bundled for the engine.
    options_class: ClassVar[type | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "sample" in cls.__dict__:  # an unknown keyword's error lists the accepted ones
            cls.sample = explain_unknown_keywords(cls.__dict__["sample"])

    @property
    def parameters(self) -> dict[str, list]:
        """Every keyword of :meth:`sample` (read off its signature)."""
        return {name: list(self.parameter_properties) for name in sample_keywords(type(self))}

    @property
    def properties(self) -> dict[str, Any]:
        props: dict[str, Any] = {"backends": list(self.backends)}
        if self.spec is not None:
            props["spec"] = self.spec.to_dict()
        return props

    # ------------------------------------------------------------------ keywords
    def _keyword_checks(self) -> dict[str, Check]:
        """The checks of every keyword: the common ones, then the machine's."""
        return {"num_reads": integer(), "backend": one_of(*self.backends),
                "record_trace": truth, "target_energy": target_energy, **self.keyword_checks}

    def _validated_keywords(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every keyword checked and normalised (signature order), then the joint rules."""
        checks = self._keyword_checks()
        params = {name: checks[name](name, value) if name in checks else value
                  for name, value in given.items()}
        return self._resolve_keywords(params)

    def _resolve_keywords(self, params: dict[str, Any]) -> dict[str, Any]:
        """Rules between keywords and defaults that depend on other keywords.

        Default: with :attr:`options_class` set, its fields are taken out of ``params`` and
        passed to :meth:`_sample_arrays` as one ``options`` object.
        """
        if self.options_class is None:
            return params
        names = {f.name for f in dataclasses.fields(self.options_class)}
        options = self.options_class(**{k: v for k, v in params.items() if k in names})
        return {**{k: v for k, v in params.items() if k not in names}, "options": options}

    # ------------------------------------------------------------------ one call
    def _sample(self, bqm: dimod.BinaryQuadraticModel, call: Mapping[str, Any]
                ) -> dimod.SampleSet:
        """Sample ``bqm``; ``call`` holds the keywords of :meth:`sample` (its ``locals()``)."""
        validate_bqm(bqm)
        params = self._validated_keywords({name: call[name]
                                           for name in sample_keywords(type(self))})
        rng, seed = make_rng(params.pop("seed", None))
        backend = params.get("backend", "cpu")
        if bqm.num_variables == 0:
            return self._empty(bqm, params, seed)
        self._check_model(bqm, params)
        sync = device_sync(backend)
        watch = Stopwatch()
        with watch.section("preprocessing"):
            prepared = self._prepare(bqm, params, rng)
        with watch.section("sampling", sync=sync):
            result = self._run(prepared, rng, params)
        with watch.section("postprocessing"):
            sampleset = self._finish_sampleset(
                self._assemble(bqm, prepared, result, params, seed, rng), params)
        sampleset.info["timing"] = self._timing(watch, prepared, result, params)
        return sampleset

    def _empty(self, bqm: dimod.BinaryQuadraticModel, params: dict[str, Any], seed: int
               ) -> dimod.SampleSet:
        watch = Stopwatch()
        with watch.section("postprocessing"):
            info = {"seed": seed, "backend": params.get("backend", "cpu")}
            sampleset = self._finish_sampleset(
                empty_sampleset(bqm, params["num_reads"], info), params)
        sampleset.info["timing"] = watch.timing(None)
        return sampleset

    def _check_model(self, bqm: dimod.BinaryQuadraticModel, params: dict[str, Any]) -> None:
        """Refuse a model the machine cannot take before any work (default: accept)."""

    def _prepare(self, bqm: dimod.BinaryQuadraticModel, params: dict[str, Any],
                 rng: np.random.Generator) -> PreparedModel:
        """Store the model as the machine does and read the start states."""
        fit, working, scale = self._prepare_model(bqm, params)
        arrays = ising_arrays(working)
        initial = None
        if "initial_states" in params:
            initial = parse_initial_states(params["initial_states"], bqm, arrays.labels,
                                           params["num_reads"], rng)
        original = None
        target = params.get("target_energy")
        if scale is not None and target is not None:
            tolerance = EnergyTarget(target).bound - target
            if energy_slack(bqm, arrays, float(scale)) / float(scale) > 0.5 * tolerance:
                original = original_arrays(bqm, arrays.labels)
        return PreparedModel(arrays.labels, arrays, fit=fit,
                             scale=1.0 if scale is None else float(scale),
                             quantised=scale is not None, initial_states=initial,
                             original=original, machine=self._prepare_machine(arrays, params))

    def _prepare_machine(self, arrays: IsingArrays, params: dict[str, Any]) -> Any:
        """What the machine derives from the stored model alone, in ``preprocessing``
        (couplings in its kernel's layout, a time step from the largest eigenvalue, ...), so
        that ``sampling`` times the run itself, as dwave-samplers splits its phases; ``None``
        (the default) for nothing."""
        return None

    def _prepare_model(self, bqm: dimod.BinaryQuadraticModel, params: dict[str, Any]):
        """Return ``(fit_report, model_to_sample, scale)``; ``scale`` is None if unquantised.

        ``params`` are the call's validated keywords.
        """
        if self.spec is None:
            return None, bqm, None
        fit = self.spec.validate(bqm)
        self._check_fit(fit, bqm, params)
        quantised = self.spec.quantise(bqm)
        if quantised.exact:
            return fit, bqm, None
        return fit, quantised.bqm, quantised.scale

    def _check_fit(self, fit: Any, bqm: dimod.BinaryQuadraticModel,
                   params: dict[str, Any]) -> None:
        """Refuse models the machine cannot take (default: over capacity)."""
        if not fit.fits_capacity:
            raise ValueError(
                f"the model has {bqm.num_variables} variables but {self.spec.name} holds at most "
                f"{self.spec.capacity} ({bqm.num_variables - self.spec.capacity} too many)"
            )

    def _run(self, prepared: PreparedModel, rng: np.random.Generator,
             params: dict[str, Any]) -> KernelResult:
        """Call :meth:`_sample_arrays` with the machine's own keywords."""
        machine = {k: v for k, v in params.items() if k not in COMMON_KEYWORDS}
        if machine.get("target_energy") is not None:
            machine["target_energy"] = EnergyTarget(machine["target_energy"], prepared.original)
        if prepared.initial_states is not None:
            machine["initial_states"] = prepared.initial_states
        if prepared.machine is not None:
            machine["prepared"] = prepared.machine
        return self._sample_arrays(
            prepared.arrays, rng, num_reads=params["num_reads"],
            record_trace=params.get("record_trace", False), backend=params.get("backend", "cpu"),
            scale=prepared.scale, **machine)

    def _assemble(self, bqm: dimod.BinaryQuadraticModel, prepared: PreparedModel,
                  result: KernelResult, params: dict[str, Any], seed: int,
                  rng: np.random.Generator) -> dimod.SampleSet:
        """The SampleSet of ``result`` on the original model, with the call's ``info``.

        ``rng`` is the call's generator, for machines whose postprocessing draws (e.g. the
        tie-breaking coins of an unembedding).
        """
        info: dict[str, Any] = {"seed": seed, "backend": params.get("backend", "cpu"),
                                **prepared.info, **result.info}
        if prepared.fit is not None:
            info["fit"] = prepared.fit
        vectors = dict(result.vectors)
        if result.stops is not None:
            vectors.update(result.stops.vectors())
        if prepared.quantised:
            vectors["quantised_energy"] = prepared.arrays.energies(result.spins)
        if result.trace is not None:
            trace = result.trace.rescaled(prepared.scale) if prepared.quantised else result.trace
            info["trace"] = trace.to_dict()
        return build_sampleset(bqm, prepared.labels, result.spins, info=info, vectors=vectors)

    def _finish_sampleset(self, sampleset: dimod.SampleSet, params: dict[str, Any]
                          ) -> dimod.SampleSet:
        """A last change to the SampleSet inside ``postprocessing`` (default: none)."""
        return sampleset

    def _timing(self, watch: Stopwatch, prepared: PreparedModel, result: KernelResult,
                params: dict[str, Any]) -> dict[str, float]:
        """``info["timing"]``: the phases, and the modelled hardware time of the spec's clock."""
        modelled = None if self.spec is None else self.spec.clock.seconds(
            result.steps, params["num_reads"], len(prepared.labels))
        return watch.timing(modelled)

    @abstractmethod
    def _sample_arrays(
        self,
        arrays: IsingArrays,
        rng: np.random.Generator,
        *,
        num_reads: int,
        record_trace: bool,
        backend: str,
        scale: float,
        **params: Any,
    ) -> KernelResult:
        """Run the machine's engine on ``arrays`` and return the final spins.

        ``arrays`` hold the model as the machine stores it: multiplied by ``scale`` (1.0 when
        the spec did not quantise it), so energies in the model's units are those of
        ``arrays`` divided by ``scale``. ``params`` are the machine's own validated keywords;
        a ``target_energy`` arrives as an :class:`~.target.EnergyTarget` (or ``None``).
        """
