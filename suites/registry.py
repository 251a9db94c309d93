"""Machine registry: the short names a suite's ``machine:`` key may take.

Two tables of :class:`MachineEntry`:

* :data:`MACHINES`: samplers. Each names a :class:`dimod.Sampler` subclass by import string
  (``"module:Class"``), the keyword arguments its constructor takes, default sampling
  parameters, the :mod:`emulators.machine` preset that describes the hardware it models, the
  sampling keyword that counts its steps and how a study scales an annealing budget to it. A
  sampler samples the QUBO problems and solves every QUBO of a training problem
  (:mod:`suites.trainers.qubo`).
* :data:`TRAINERS`: machine-free training methods (direct weight search, STE, float
  majorise-minimise, L-BFGS, SGD), each a :class:`suites.trainers.base.Trainer` subclass whose
  own parameters are the machine's ``params``.

Adding a machine or a trainer is one line in its table; nothing else in the suites package
needs to change.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import dimod


@dataclass(frozen=True)
class MachineEntry:
    """How to construct one machine.

    Attributes
    ----------
    target:
        Import string ``"package.module:ClassName"`` of a ``dimod.Sampler`` subclass.
    description:
        One line for ``isingbench list``.
    init:
        Keyword arguments for the sampler's constructor.
    defaults:
        Sampling keyword arguments used unless a suite overrides them.
    spec:
        Name of the :mod:`emulators.machine` preset this machine models, if any.
    step_param:
        The sampling keyword that counts the machine's steps per read (a sweep, one parallel
        trial, one integration step); ``None`` when it has none (greedy descent, tabu,
        trainers).
    budget_scale:
        ``(reads, steps)`` per read and per sweep of an annealing budget: how
        :meth:`budget` turns ``num_reads`` x ``num_sweeps`` into this machine's keywords (our
        choice; one Digital Annealer step flips at most one bit, a bifurcation step moves
        every spin a little).
    """

    target: str
    description: str
    init: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    spec: str | None = None
    step_param: str | None = None
    budget_scale: tuple[int, int] = (1, 1)

    def budget(self, num_reads: int, num_sweeps: int) -> dict[str, int]:
        """Sampling keywords for an annealing budget of ``num_reads`` x ``num_sweeps``."""
        reads, steps = self.budget_scale
        kwargs = {"num_reads": reads * num_reads}
        if self.step_param is not None:
            kwargs[self.step_param] = steps * num_sweeps
        return kwargs


#: Every machine a suite may name. Entries whose module is not installed (yet) are listed by
#: ``isingbench list`` as unavailable and refused by suite validation with the import error.
MACHINES: dict[str, MachineEntry] = {
    "dwave-sa": MachineEntry(
        "dwave.samplers:SimulatedAnnealingSampler",
        "dwave-samplers reference simulated annealing (CPU)",
        step_param="num_sweeps",
    ),
    "dwave-greedy": MachineEntry(
        "dwave.samplers:SteepestDescentSampler",
        "dwave-samplers steepest descent from random states (CPU baseline)",
    ),
    "dwave-tabu": MachineEntry(
        "dwave.samplers:TabuSampler",
        "dwave-samplers tabu search (CPU baseline)",
    ),
    "sa": MachineEntry(
        "emulators.annealing:SimulatedAnnealingSampler",
        "isingbench simulated annealing (numba)",
        step_param="num_sweeps",
    ),
    "pt": MachineEntry(
        "emulators.annealing:ParallelTemperingSampler",
        "isingbench parallel tempering (numba)",
        step_param="num_sweeps",
    ),
    "da": MachineEntry(
        "emulators.digital_annealer:DigitalAnnealerSampler",
        "Digital Annealer emulator (parallel trial, dynamic offset)",
        step_param="number_iterations",
        budget_scale=(1, 50),
    ),
    "sb": MachineEntry(
        "emulators.bifurcation:SimulatedBifurcationSampler",
        "simulated bifurcation Ising machine emulator",
        step_param="num_steps",
        budget_scale=(4, 10),
    ),
    "pfa": MachineEntry(
        "emulators.bifurcation:ParallelFlipAnnealingSampler",
        "synchronous parallel-flip annealing emulator",
        step_param="num_sweeps",
    ),
    "qa": MachineEntry(
        "emulators.quantum_annealer:QuantumAnnealerEmbeddingSampler",
        "quantum annealer model on Advantage (minor embedding, ranges, control noise)",
        step_param="num_sweeps",
    ),
}

#: Machine-free training methods a suite may name as a machine of a training problem (the
#: job's machine IS the trainer). See :mod:`suites.trainers`.
TRAINERS: dict[str, MachineEntry] = {
    "direct": MachineEntry(
        "suites.trainers.whole_network:DirectSearchTrainer",
        "direct simulated annealing over a binary network's ±1 weights (DESIGN.md 6.5)",
    ),
    "ste": MachineEntry(
        "suites.trainers.whole_network:STETrainer",
        "the binary network's architecture trained by gradient descent (straight-through "
        "estimator)",
    ),
    "float-mm": MachineEntry(
        "suites.trainers.layerwise:FloatMMTrainer",
        "the layer-wise head's majorise-minimise iteration with exact float steps",
    ),
    "lbfgs": MachineEntry(
        "suites.trainers.layerwise:LBFGSTrainer",
        "logistic regression on the head's features, L-BFGS to convergence (scikit-learn)",
    ),
    "sgd": MachineEntry(
        "suites.trainers.layerwise:SGDTrainer",
        "log-loss SGD on the head's features (scikit-learn)",
    ),
}


class UnknownMachineError(KeyError):
    """Raised for a machine name that is not in :data:`MACHINES`."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def machine_entry(name: str) -> MachineEntry:
    """Return the entry of a sampler or trainer ``name``; unknown names list the known ones."""
    entry = MACHINES.get(name) or TRAINERS.get(name)
    if entry is None:
        raise UnknownMachineError(f"unknown machine {name!r}; known machines: "
                                  f"{', '.join(sorted(MACHINES))}; trainers: "
                                  f"{', '.join(sorted(TRAINERS))}")
    return entry


def is_trainer(name: str) -> bool:
    """Whether ``name`` is a machine-free trainer (:data:`TRAINERS`) rather than a sampler."""
    return name in TRAINERS


def budgeted_sampler(name: str, num_reads: int, num_sweeps: int
                     ) -> tuple[dimod.Sampler, dict[str, int]]:
    """A sampler machine built from its entry, with the keywords of an annealing budget."""
    if name not in MACHINES:
        raise ValueError(f"unknown machine {name!r}; known: {', '.join(MACHINES)}")
    entry = MACHINES[name]
    return make_sampler(entry.target, entry.init), entry.budget(num_reads, num_sweeps)


def import_object(target: str) -> Any:
    """Import ``"module:attribute"`` and return the attribute."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"import string {target!r} must look like 'package.module:Name'")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ImportError(f"module {module_name!r} has no attribute {attribute!r}") from None


@cache
def sampler_class(target: str) -> type[dimod.Sampler]:
    """Import a sampler class by import string and check it is a ``dimod.Sampler``."""
    cls = import_object(target)
    if not (isinstance(cls, type) and issubclass(cls, dimod.Sampler)):
        raise TypeError(f"{target!r} is not a dimod.Sampler subclass")
    return cls


def machine_available(name: str) -> tuple[bool, str]:
    """Whether the machine's sampler (or trainer) imports; the second item is the reason when
    it does not."""
    entry = machine_entry(name)
    try:
        if is_trainer(name):
            import_object(entry.target)
        else:
            sampler_class(entry.target)
    except (ImportError, TypeError) as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""


def available_machines() -> list[str]:
    """Names of the registered machines whose samplers can be imported here."""
    return [name for name in MACHINES if machine_available(name)[0]]


#: MachineSpec fields a suite may override in ``init: {spec: {preset: ..., <field>: ...}}``.
SPEC_OVERRIDES = ("name", "capacity", "coupler_bits", "bias_bits", "coupler_range",
                  "bias_range", "coefficient_dtype")


def resolve_init(init: Mapping[str, Any] | None) -> dict[str, Any]:
    """Constructor arguments, with a ``spec`` given as a mapping turned into a MachineSpec.

    ``{spec: {preset: DA1, coupler_bits: 8, bias_bits: 8}}`` is the preset ``DA1`` (see
    ``isingbench machines``) with those fields replaced, named ``"DA1[bias_bits=8,
    coupler_bits=8]"`` unless a ``name`` is given: how a suite sweeps a machine's precision.
    Any other ``init`` is returned unchanged.
    """
    out = dict(init or {})
    spec = out.get("spec")
    if not isinstance(spec, Mapping):
        return out
    if "preset" not in spec:
        raise ValueError(f"init.spec {dict(spec)!r}: a mapping needs 'preset' (a name from "
                         "'isingbench machines') and the fields to replace")
    unknown = sorted(set(spec) - {"preset", *SPEC_OVERRIDES})
    if unknown:
        raise ValueError(f"init.spec: unknown field(s) {', '.join(unknown)}; allowed: preset, "
                         f"{', '.join(SPEC_OVERRIDES)}")
    from emulators.machine import get_preset  # noqa: PLC0415 - only suites that override

    base = get_preset(str(spec["preset"]))
    fields = {k: (tuple(v) if k.endswith("_range") and v is not None else v)
              for k, v in spec.items() if k != "preset"}
    changed = ", ".join(f"{k}={v}" for k, v in sorted(fields.items()) if k != "name")
    fields.setdefault("name", f"{base.name}[{changed}]")
    fields.setdefault("notes", f"{base.notes} Overridden by the suite: {changed}.")
    out["spec"] = dataclasses.replace(base, **fields)
    return out


def make_sampler(target: str, init: dict[str, Any] | None = None) -> dimod.Sampler:
    """Construct a sampler from its import string and constructor arguments.

    A ``spec`` given as a mapping is resolved by :func:`resolve_init`.
    """
    return sampler_class(target)(**resolve_init(init))


def sampler_parameters(target: str, init: dict[str, Any] | None = None) -> set[str]:
    """Names of the sampling keyword arguments a sampler accepts (its ``parameters``)."""
    return set(make_sampler(target, init).parameters)
