"""Reference annealers: Metropolis simulated annealing and parallel tempering (numba)."""

from emulators.annealing.sampler import ParallelTemperingSampler, SimulatedAnnealingSampler

__all__ = ["ParallelTemperingSampler", "SimulatedAnnealingSampler"]
