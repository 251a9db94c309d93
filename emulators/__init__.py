"""Ising/QUBO machine emulators, each a :class:`dimod.Sampler`.

The package exports every sampler, :class:`MachineSpec`, :class:`FitReport` and
:func:`get_preset`:

>>> from emulators import DigitalAnnealerSampler, get_preset
>>> get_preset("DA1").capacity
1024

Importing builds no hardware graph: the quantum-annealer presets build theirs the first time
:func:`get_preset` (or a sampler) asks for them.

Importing the package asks OpenMP threads to sleep, not spin, between parallel regions
(``OMP_WAIT_POLICY=PASSIVE`` unless the user set it). numba's OpenMP threading layer
otherwise keeps its threads spinning after every ``prange`` kernel, and they then compete
for the cores with the BLAS product or numpy work that follows: measured on 2 cores, a
dense 2,000-spin bSB run with 64 agents went from 5.6e6 to 9.0e6 spin updates/s.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from emulators.annealing import ParallelTemperingSampler, SimulatedAnnealingSampler  # noqa: E402
from emulators.bifurcation import (  # noqa: E402
    ParallelFlipAnnealingSampler,
    SimulatedBifurcationSampler,
)
from emulators.digital_annealer import DigitalAnnealerSampler  # noqa: E402
from emulators.machine import FitReport, MachineSpec, get_preset  # noqa: E402
from emulators.quantum_annealer import (  # noqa: E402
    QuantumAnnealerEmbeddingSampler,
    QuantumAnnealerSampler,
)

__all__ = [
    "DigitalAnnealerSampler",
    "FitReport",
    "MachineSpec",
    "ParallelFlipAnnealingSampler",
    "ParallelTemperingSampler",
    "QuantumAnnealerEmbeddingSampler",
    "QuantumAnnealerSampler",
    "SimulatedAnnealingSampler",
    "SimulatedBifurcationSampler",
    "get_preset",
]
