"""What the whole-network QUBO trainers return."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class TrainResult:
    """Outcome of a QUBO training scheme.

    ``weights``: per-layer matrices ``n_l x (n_(l-1) [+1])`` (bias as last column) of the best
    network by training errors (left empty by schemes that return the network itself);
    ``errors``: its training errors; ``history``: one dict per round; ``sampler_seconds``: wall
    time inside sampler calls; ``best_energy``: lowest QUBO energy of the last call (for the
    record); ``violations``: constraint violations found in the decoded samples (always 0 when
    every variable is a weight); ``qubo_sizes``: variables per sampled QUBO.
    """

    weights: list[np.ndarray]
    errors: int
    history: list[dict] = field(default_factory=list)
    sampler_seconds: float = 0.0
    sampler_calls: int = 0
    best_energy: float = float("nan")
    violations: int = 0
    qubo_sizes: list[int] = field(default_factory=list)

    def add_call(self, seconds: float, best_energy: float, num_variables: int) -> None:
        """Count one sampler call: its wall time, lowest energy and QUBO size."""
        self.sampler_seconds += seconds
        self.sampler_calls += 1
        self.best_energy = float(best_energy)
        self.qubo_sizes.append(int(num_variables))
