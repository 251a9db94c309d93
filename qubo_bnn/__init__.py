"""BNN training problems as QUBOs, solvable by any dimod sampler.

Two formulations, each in its package: :mod:`qubo_bnn.whole_network` (a binary network's
weights as QUBO variables) and :mod:`qubo_bnn.layerwise` (a softmax head's K-bit weights).
Shared by both: :mod:`~qubo_bnn.datasets` (data), :mod:`~qubo_bnn.encoding` (spin/bit maps
and penalty terms), :mod:`~qubo_bnn.formulation` (the ``Formulation`` interface) and
:mod:`~qubo_bnn.sampling` (how every sampler is called).
"""
