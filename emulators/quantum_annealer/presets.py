"""The quantum-annealer presets, built on first use: ``"Advantage"`` (Pegasus P16),
``"Advantage2"`` (Zephyr Z(12, 4)) and ``"Chimera-C4"``.

Importing this module registers them with :func:`emulators.machine.register_lazy_preset`;
:func:`~emulators.machine.get_preset` builds a preset's hardware graph the first time it is
asked for and keeps the spec. The presets are perfect graphs (every qubit and coupler works);
a real chip has a few tens of qubits fewer (build one with :func:`~.spec.make_spec` on a
:func:`~.graphs.hardware_graph` with broken qubits). The small Chimera preset uses
Advantage's ranges and timing (our choice).
"""

from __future__ import annotations

import functools

from emulators.machine import get_preset, register_lazy_preset
from emulators.quantum_annealer.spec import QuantumAnnealerSpec, make_spec

__all__ = ["resolve_spec"]

_NOTES = ("Ranges, annealing-time and num_reads limits as the public mock sampler copies them "
          "(DESIGN.md 5.3); perfect working graph (a real chip has a few tens of qubits fewer); "
          "timing from D-Wave's Advantage 4.1 timing data (emulators.calibration); "
          "control-error widths and the anneal schedule are assumptions.")

register_lazy_preset(
    "Advantage",
    functools.partial(make_spec, "Advantage", "pegasus", 16,
                      notes="Pegasus P16, fabric only. " + _NOTES),
    "advantage_system", "pegasus-p16",
)
register_lazy_preset(
    "Advantage2",
    functools.partial(make_spec, "Advantage2", "zephyr", (12, 4),
                      notes="Zephyr Z(12, 4). " + _NOTES),
    "advantage2_system", "zephyr-z12",
)
register_lazy_preset(
    "Chimera-C4",
    functools.partial(make_spec, "Chimera-C4", "chimera", (4, 4, 4),
                      notes="Small Chimera C(4, 4, 4) with Advantage's ranges and timing (our "
                            "choice) for quick tests. " + _NOTES),
    "chimera-small",
)


def resolve_spec(spec: str | QuantumAnnealerSpec) -> QuantumAnnealerSpec:
    """A preset by name, or ``spec`` itself if it is already a :class:`QuantumAnnealerSpec`."""
    if isinstance(spec, QuantumAnnealerSpec):
        return spec
    if isinstance(spec, str):
        found = get_preset(spec)
        if not isinstance(found, QuantumAnnealerSpec):
            raise ValueError(f"machine spec {spec!r} is not a quantum annealer")
        return found
    raise TypeError(f"spec must be a preset name or a QuantumAnnealerSpec, got "
                    f"{type(spec).__name__}")
