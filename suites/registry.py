"""Machine registry: short names for the samplers a suite can run.

Each entry names a :class:`dimod.Sampler` subclass by import string (``"module:Class"``),
the keyword arguments its constructor takes, default sampling parameters, and optionally the
:mod:`emulators.machine` preset that describes the hardware it models. Adding a machine is one
line in :data:`MACHINES`; nothing else in the suites package needs to change.
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
    """

    target: str
    description: str
    init: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    spec: str | None = None


#: Every machine a suite may name. Entries whose module is not installed (yet) are listed by
#: ``isingbench list`` as unavailable and refused by suite validation with the import error.
MACHINES: dict[str, MachineEntry] = {
    "dwave-sa": MachineEntry(
        "dwave.samplers:SimulatedAnnealingSampler",
        "dwave-samplers reference simulated annealing (CPU)",
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
    ),
    "pt": MachineEntry(
        "emulators.annealing:ParallelTemperingSampler",
        "isingbench parallel tempering (numba)",
    ),
    "da": MachineEntry(
        "emulators.digital_annealer:DigitalAnnealerSampler",
        "Digital Annealer emulator (parallel trial, dynamic offset)",
    ),
    "sb": MachineEntry(
        "emulators.bifurcation:SimulatedBifurcationSampler",
        "simulated bifurcation Ising machine emulator",
    ),
    "pfa": MachineEntry(
        "emulators.bifurcation:ParallelFlipAnnealingSampler",
        "synchronous parallel-flip annealing emulator",
    ),
    "qa": MachineEntry(
        "emulators.quantum_annealer:QuantumAnnealerEmbeddingSampler",
        "quantum annealer model on Advantage (minor embedding, ranges, control noise)",
    ),
}


class UnknownMachineError(KeyError):
    """Raised for a machine name that is not in :data:`MACHINES`."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def machine_entry(name: str) -> MachineEntry:
    """Return the registry entry for ``name``; unknown names list the known ones."""
    try:
        return MACHINES[name]
    except KeyError:
        known = ", ".join(sorted(MACHINES))
        raise UnknownMachineError(f"unknown machine {name!r}; known machines: {known}") from None


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
    """Whether the machine's sampler imports; the second item is the reason when it does not."""
    entry = machine_entry(name)
    try:
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
