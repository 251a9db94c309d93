"""BNN training problems as QUBOs, solvable by any dimod sampler.

Two formulations, each in its package: :mod:`qubo_bnn.whole_network` (a binary network's
weights as QUBO variables) and :mod:`qubo_bnn.layerwise` (a softmax head's K-bit weights).
Shared by both: :mod:`~qubo_bnn.datasets` (data), :mod:`~qubo_bnn.encoding` (spin/bit maps
and penalty terms), :mod:`~qubo_bnn.formulation` (the ``Formulation`` interface),
:mod:`~qubo_bnn.sampling` (how every sampler is called) and :mod:`~qubo_bnn.estimators` (what
the scikit-learn estimators share).

The public API is importable from the package itself (``from qubo_bnn import
QuboBNNClassifier``). The names are listed in ``__init__.pyi``, the stub type checkers read;
``lazy_loader`` reads it too and imports each name from its module on first use, so ``import
qubo_bnn`` loads neither scikit-learn, dimod nor numba.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
