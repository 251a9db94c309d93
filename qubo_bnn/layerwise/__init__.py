"""The layer-wise formulation: a softmax head on frozen features, trained by K-bit QUBOs.

- :mod:`~qubo_bnn.layerwise.formulation`: Böhning's majoriser as C per-class K-bit QUBOs
  (DESIGN.md 6.3), on the fixed-point grids of :mod:`~qubo_bnn.layerwise.fixed_point`.
- :mod:`~qubo_bnn.layerwise.features`: frozen random convolution features.
- :mod:`~qubo_bnn.layerwise.classifier`: the scikit-learn classifier
  ``LayerwiseQuboClassifier``.
- :mod:`~qubo_bnn.layerwise.baselines`: float baselines on the same features.
- :mod:`~qubo_bnn.layerwise.fit_check`: one class's QUBO and which machines it fits.
"""
