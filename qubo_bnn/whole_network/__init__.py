"""The whole-network formulation: a binary network's training written as QUBOs.

- :mod:`~qubo_bnn.whole_network.network`: the binary network (any feed-forward DAG) and
  :mod:`~qubo_bnn.whole_network.layers`, the flat view of a layered one the trainers share.
- :mod:`~qubo_bnn.whole_network.formulation`: the exact whole-network QUBO (DESIGN.md 6.1);
  :mod:`~qubo_bnn.whole_network.margin` its margin term,
  :mod:`~qubo_bnn.whole_network.dropout` the dropout-style regulariser (6.2).
- Trainers, their knobs in :mod:`~qubo_bnn.whole_network.options` and their outcome in
  :mod:`~qubo_bnn.whole_network.result`:
  :mod:`~qubo_bnn.whole_network.unitwise` (hidden targets from
  :mod:`~qubo_bnn.whole_network.targets`, then one QUBO per unit,
  :mod:`~qubo_bnn.whole_network.unit_qubo`, one sampler call per layer,
  :mod:`~qubo_bnn.whole_network.layer_solve`),
  :mod:`~qubo_bnn.whole_network.exact_batches` (chained batches of the exact QUBO),
  :mod:`~qubo_bnn.whole_network.direct_search` (annealing straight over the weights, no QUBO)
  and :mod:`~qubo_bnn.whole_network.ste` (the float straight-through-estimator baseline).
- :mod:`~qubo_bnn.whole_network.classifier`: the scikit-learn classifier ``QuboBNNClassifier``.
"""
