"""Quantum-annealer (D-Wave-style QPU) emulator.

* :class:`QuantumAnnealerSampler` — a ``dimod.Structured`` sampler restricted to the hardware
  graph, with QPU-style properties and parameters;
* :class:`QuantumAnnealerEmbeddingSampler` — embeds arbitrary models with minorminer and
  unembeds by majority vote;
* :class:`QuantumAnnealerSpec`, :func:`make_spec`, :func:`hardware_graph` — machines; the
  presets ``"Advantage"`` (Pegasus P16), ``"Advantage2"`` (Zephyr Z(12, 4)) and
  ``"Chimera-C4"`` register with :func:`emulators.machine.get_preset` on import and build
  their graphs on first use.
"""

from emulators.quantum_annealer import presets
from emulators.quantum_annealer.graphs import hardware_graph
from emulators.quantum_annealer.physics import AnnealSchedule
from emulators.quantum_annealer.sampler import (
    QuantumAnnealerEmbeddingSampler,
    QuantumAnnealerSampler,
)
from emulators.quantum_annealer.spec import QuantumAnnealerSpec, make_spec
from emulators.quantum_annealer.timing import QpuTiming

__all__ = [
    "AnnealSchedule",
    "QpuTiming",
    "QuantumAnnealerEmbeddingSampler",
    "QuantumAnnealerSampler",
    "QuantumAnnealerSpec",
    "hardware_graph",
    "make_spec",
    "presets",
]
