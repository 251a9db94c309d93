"""Quantum-annealer (D-Wave-style QPU) emulator.

* :class:`QuantumAnnealerSampler` — a ``dimod.Structured`` sampler restricted to the hardware
  graph, with QPU-style properties and parameters;
* :class:`QuantumAnnealerEmbeddingSampler` — embeds arbitrary models with minorminer and
  unembeds by majority vote;
* :class:`QuantumAnnealerSpec`, :func:`make_spec`, :func:`hardware_graph` — machines; the
  presets ``"Advantage"`` (Pegasus P16), ``"Advantage2"`` (Zephyr Z(12, 4)) and
  ``"Chimera-C4"`` register with :func:`emulators.machine.get_preset` on import.
"""

from emulators.quantum_annealer.embedding import QuantumAnnealerEmbeddingSampler
from emulators.quantum_annealer.physics import AnnealSchedule
from emulators.quantum_annealer.presets import (
    ADVANTAGE,
    ADVANTAGE2,
    CHIMERA_SMALL,
    QuantumAnnealerSpec,
    hardware_graph,
    make_spec,
)
from emulators.quantum_annealer.structured import QuantumAnnealerSampler
from emulators.quantum_annealer.timing import QpuTiming

__all__ = [
    "ADVANTAGE",
    "ADVANTAGE2",
    "CHIMERA_SMALL",
    "AnnealSchedule",
    "QpuTiming",
    "QuantumAnnealerEmbeddingSampler",
    "QuantumAnnealerSampler",
    "QuantumAnnealerSpec",
    "hardware_graph",
    "make_spec",
]
