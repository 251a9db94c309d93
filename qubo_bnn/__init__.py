"""BNN training problems as QUBOs, solvable by any dimod sampler.

Two formulations, each in its package: :mod:`qubo_bnn.whole_network` (a binary network's
weights as QUBO variables) and :mod:`qubo_bnn.layerwise` (a softmax head's K-bit weights).
Shared by both: :mod:`~qubo_bnn.datasets` (data), :mod:`~qubo_bnn.encoding` (spin/bit maps
and penalty terms), :mod:`~qubo_bnn.formulation` (the ``Formulation`` interface),
:mod:`~qubo_bnn.sampling` (how every sampler is called) and :mod:`~qubo_bnn.estimators` (what
the scikit-learn estimators share).

The public API is importable from the package itself (``from qubo_bnn import
QuboBNNClassifier``); each name is imported from its module on first use, so ``import
qubo_bnn`` loads neither scikit-learn, dimod nor numba.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (kept light)

#: Public name -> the module that defines it.
_EXPORTS = {
    # scikit-learn estimators
    "QuboBNNClassifier": "qubo_bnn.whole_network.classifier",
    "LayerwiseQuboClassifier": "qubo_bnn.layerwise.classifier",
    "RandomConvFeatures": "qubo_bnn.layerwise.features",
    # the network, the QUBO builders and the trainers' options
    "BinaryNetwork": "qubo_bnn.whole_network.network",
    "build_bnn_qubo": "qubo_bnn.whole_network.formulation",
    "BNNFormulation": "qubo_bnn.whole_network.formulation",
    "dropout_regularise": "qubo_bnn.whole_network.dropout",
    "LayerwiseProblem": "qubo_bnn.layerwise.formulation",
    "UnitwiseOptions": "qubo_bnn.whole_network.options",
    "ExactBatchOptions": "qubo_bnn.whole_network.options",
    "default_sampler": "qubo_bnn.sampling",
    # data
    "BinaryDataset": "qubo_bnn.datasets",
    "DatasetUnavailableError": "qubo_bnn.datasets",
    "binarise_images": "qubo_bnn.datasets",
    "load_digits_binary": "qubo_bnn.datasets",
    "load_digits_images": "qubo_bnn.datasets",
    "load_fashion_mnist_binary": "qubo_bnn.datasets",
    "load_mnist_5k": "qubo_bnn.datasets",
    "load_mnist_binary": "qubo_bnn.datasets",
    "one_hot_pm1": "qubo_bnn.datasets",
}
__all__ = [
    "BNNFormulation",
    "BinaryDataset",
    "BinaryNetwork",
    "DatasetUnavailableError",
    "ExactBatchOptions",
    "LayerwiseProblem",
    "LayerwiseQuboClassifier",
    "QuboBNNClassifier",
    "RandomConvFeatures",
    "UnitwiseOptions",
    "binarise_images",
    "build_bnn_qubo",
    "default_sampler",
    "dropout_regularise",
    "load_digits_binary",
    "load_digits_images",
    "load_fashion_mnist_binary",
    "load_mnist_5k",
    "load_mnist_binary",
    "one_hot_pm1",
]

if TYPE_CHECKING:  # the same names, eagerly, for type checkers and IDEs
    from qubo_bnn.datasets import (
        BinaryDataset,
        DatasetUnavailableError,
        binarise_images,
        load_digits_binary,
        load_digits_images,
        load_fashion_mnist_binary,
        load_mnist_5k,
        load_mnist_binary,
        one_hot_pm1,
    )
    from qubo_bnn.layerwise.classifier import LayerwiseQuboClassifier
    from qubo_bnn.layerwise.features import RandomConvFeatures
    from qubo_bnn.layerwise.formulation import LayerwiseProblem
    from qubo_bnn.sampling import default_sampler
    from qubo_bnn.whole_network.classifier import QuboBNNClassifier
    from qubo_bnn.whole_network.dropout import dropout_regularise
    from qubo_bnn.whole_network.formulation import BNNFormulation, build_bnn_qubo
    from qubo_bnn.whole_network.network import BinaryNetwork
    from qubo_bnn.whole_network.options import ExactBatchOptions, UnitwiseOptions


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
