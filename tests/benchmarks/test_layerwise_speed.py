"""Layer-wise head: time to build the C per-class QUBOs and one training iteration (issue 8).

Run:
    .venv/bin/pytest tests/benchmarks/test_layerwise_speed.py -m bench -s

Case: digits, d = 24 random conv features, C = 10 classes, K = 5 and 20 bits (125 and 500
dense bits per class). ``build`` is the QUBO construction alone; ``iteration`` is one outer
iteration (build + reference annealer, 2 reads x 100 sweeps per class + decode).
The accuracy table is ``python -m suites.studies.layerwise_report``.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from qubo_bnn.layerwise.classifier import LayerwiseQuboClassifier
from qubo_bnn.layerwise.features import RandomConvFeatures
from qubo_bnn.layerwise.formulation import LayerwiseProblem

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digits_features():
    x, y = load_digits(return_X_y=True)
    return RandomConvFeatures(24, random_state=0).fit_transform(x.reshape(-1, 8, 8)), y


@pytest.mark.parametrize("bits", [5, 20])
def test_build(benchmark, digits_features, bits):
    z, y = digits_features
    problem = LayerwiseProblem(z, y, ridge=1e-3)
    w = np.zeros(problem.weight_shape)
    forms = benchmark(problem.build, w, bits=bits, radius=0.5)
    assert len(forms) == 10 and forms[0].bqm.num_variables == 25 * bits


@pytest.mark.parametrize("bits", [5, 20])
def test_iteration(benchmark, digits_features, bits):
    z, y = digits_features
    clf = LayerwiseQuboClassifier(bits, iterations=1, sample_kwargs={"num_reads": 2,
                                                                     "num_sweeps": 100},
                                  random_state=0)
    clf.fit(z[:50], y[:50])  # compile the annealer's kernels outside the timing
    fitted = benchmark.pedantic(clf.fit, args=(z, y), rounds=3, iterations=1)
    assert fitted.n_iter_ == 1
