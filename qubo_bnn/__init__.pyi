"""The public names of ``qubo_bnn`` (type checkers read this stub; at run time
``lazy_loader`` reads it to import each name from its module on first use)."""

from .datasets import (
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
from .layerwise.classifier import LayerwiseQuboClassifier
from .layerwise.features import RandomConvFeatures
from .layerwise.formulation import LayerwiseProblem
from .sampling import default_sampler
from .whole_network.classifier import QuboBNNClassifier
from .whole_network.dropout import dropout_regularise
from .whole_network.formulation import (
    BNNFormulation,
    build_bnn_qubo,
)
from .whole_network.network import BinaryNetwork
from .whole_network.options import (
    ExactBatchOptions,
    UnitwiseOptions,
)

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
