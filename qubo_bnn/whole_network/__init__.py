"""The whole-network formulation: a binary network's training written as QUBOs.

- :mod:`~qubo_bnn.whole_network.network`: the binary network (any feed-forward DAG).
- :mod:`~qubo_bnn.whole_network.formulation`: the exact whole-network QUBO (DESIGN.md 6.1);
  :mod:`~qubo_bnn.whole_network.margin` its margin term,
  :mod:`~qubo_bnn.whole_network.dropout` the dropout-style regulariser (6.2).
- Trainers: :mod:`~qubo_bnn.whole_network.unitwise` (hidden targets + one QUBO per unit,
  built by :mod:`~qubo_bnn.whole_network.targets` and :mod:`~qubo_bnn.whole_network.unit_qubo`),
  :mod:`~qubo_bnn.whole_network.exact_batches` (chained batches of the exact QUBO),
  :mod:`~qubo_bnn.whole_network.direct_search` (annealing straight over the weights, no QUBO),
  :mod:`~qubo_bnn.whole_network.ste` (float straight-through-estimator baseline); their typed
  options in :mod:`~qubo_bnn.whole_network.options`, the flat layered view they share in
  :mod:`~qubo_bnn.whole_network.layers`.
- :mod:`~qubo_bnn.whole_network.classifier`: the scikit-learn classifier ``QuboBNNClassifier``.
"""
