"""GPU / FPGA Ising machines: simulated bifurcation and parallel-flip annealing.

* :class:`SimulatedBifurcationSampler` — aSB, bSB, dSB and the heated variants (Goto et al.
  2019, 2021; Kanao & Goto 2022), many agents per call;
* :class:`ParallelFlipAnnealingSampler` — all-spins-at-once stochastic annealing: momentum
  annealing (Okuyama et al. 2019), stochastic cellular automata annealing (Yamamoto et al.
  2017) and graph-colouring (checkerboard) Metropolis.

Importing the package registers the presets of :mod:`emulators.bifurcation.presets`.
"""

from emulators.bifurcation import presets
from emulators.bifurcation.engine import SCHEMES, VARIANTS
from emulators.bifurcation.sampler import ParallelFlipAnnealingSampler, SimulatedBifurcationSampler

__all__ = [
    "SCHEMES",
    "VARIANTS",
    "ParallelFlipAnnealingSampler",
    "SimulatedBifurcationSampler",
    "presets",
]
