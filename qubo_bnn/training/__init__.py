"""Training schemes for binary networks.

- :mod:`~qubo_bnn.training.direct_search`: simulated annealing straight over the ±1 weights
  (forward-pass 0-1 loss) -- the accuracy yardstick, no QUBO.
- :mod:`~qubo_bnn.training.unitwise`: the default QUBO scheme (hidden targets + one
  fan-in-sized QUBO per unit over all samples, solved by any dimod sampler).
- :mod:`~qubo_bnn.training.exact_batches`: chained batches of the exact whole-network QUBO.
- :mod:`~qubo_bnn.training.success_curve`: p_s of the exact QUBO against samples per QUBO.
- :mod:`~qubo_bnn.training.report`: the README accuracy table.
"""

from qubo_bnn.training.direct_search import DirectSearchResult, anneal_weights
from qubo_bnn.training.exact_batches import train_exact_batches
from qubo_bnn.training.unitwise import TrainResult, train_unitwise

__all__ = [
    "DirectSearchResult",
    "TrainResult",
    "anneal_weights",
    "train_exact_batches",
    "train_unitwise",
]
