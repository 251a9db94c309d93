"""Ising/QUBO machine emulators, each a :class:`dimod.Sampler`.

The package exports every sampler, :class:`MachineSpec`, :class:`FitReport` and
:func:`get_preset`:

>>> from emulators import DigitalAnnealerSampler, get_preset
>>> get_preset("DA1").capacity
1024

Importing builds no hardware graph: the quantum-annealer presets build theirs the first time
:func:`get_preset` (or a sampler) asks for them.

Importing the package asks OpenMP threads to sleep, not spin, between parallel regions
(``OMP_WAIT_POLICY=PASSIVE`` unless the user set it, or set
``ISINGBENCH_OMP_WAIT_POLICY=leave``). numba's OpenMP threading layer
otherwise keeps its threads spinning after every ``prange`` kernel, and they then compete
for the cores with the BLAS product or numpy work that follows: measured on 2 cores, a
dense 2,000-spin bSB run with 64 agents went from 5.6e6 to 9.0e6 spin updates/s. The
setting reaches every OpenMP runtime loaded later in the process (torch's too: its small
products then run 3-4x slower), which :data:`OMP_WAIT_POLICY_SET_HERE` lets a caller undo in
a child process.
"""

import os

#: Set to ``leave`` to keep this package from setting ``OMP_WAIT_POLICY``.
LEAVE_WAIT_POLICY = "ISINGBENCH_OMP_WAIT_POLICY"

#: Whether importing this package set ``OMP_WAIT_POLICY`` (the user had not): every OpenMP
#: runtime the process loads afterwards sleeps between regions, torch's included, so the
#: peers study runs other packages in a process of their own (suites.studies.peer_process).
OMP_WAIT_POLICY_SET_HERE = ("OMP_WAIT_POLICY" not in os.environ
                            and os.environ.get(LEAVE_WAIT_POLICY) != "leave")
if OMP_WAIT_POLICY_SET_HERE:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

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
