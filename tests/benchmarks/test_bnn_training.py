"""The training bar: QuboBNNClassifier (defaults, reference annealer) vs the direct search.

Bar (issue 4): on 3-vs-8 binarised 8x8 digits (70/30 split, 64-4-1) the classifier with its
defaults and the reference annealer reaches test accuracy >= 0.92 and within 3 points of the
direct-search reference on the same split, fitting in <= 2 minutes.

Run (about 3 x 40 s): .venv/bin/pytest tests/benchmarks/test_bnn_training.py -m bench -s
"""

from __future__ import annotations

import numpy as np
import pytest

from qubo_bnn.datasets import load_digits_binary
from qubo_bnn.whole_network.classifier import QuboBNNClassifier
from qubo_bnn.whole_network.direct_search import anneal_weights
from qubo_bnn.whole_network.layers import errors_of
from qubo_bnn.whole_network.options import DirectSearchOptions


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bar_3_vs_8(benchmark, seed):
    d = load_digits_binary((3, 8), 8, seed=seed)
    ytr, yte = (d.y_train > 0).astype(int), (d.y_test > 0).astype(int)
    ref = anneal_weights(d.X_train, ytr, [64, 4, 1],
                         DirectSearchOptions(num_reads=2, num_sweeps=2000), seed=seed)
    ref_test = 1 - errors_of(d.X_test, yte, ref.weights, False) / yte.size

    def fit():
        return QuboBNNClassifier(random_state=seed).fit(d.X_train, d.y_train)

    clf = benchmark.pedantic(fit, rounds=1, iterations=1)
    test = clf.score(d.X_test, d.y_test)
    benchmark.extra_info.update(
        test_accuracy=test, train_accuracy=clf.train_accuracy_, direct_search_test=ref_test,
        fit_seconds=clf.fit_seconds_, solver_seconds=clf.solver_seconds_,
        sampler=type(clf.sampler_).__module__,
    )
    print(f"\nseed {seed}: QUBO test {test:.3f} (train {clf.train_accuracy_:.3f}), direct "
          f"search test {ref_test:.3f}, fit {clf.fit_seconds_:.1f} s")
    assert type(clf.sampler_).__module__.startswith("emulators.annealing")
    assert test >= 0.92
    assert test >= ref_test - 0.03
    assert clf.fit_seconds_ <= 120.0
    assert np.isfinite(clf.best_energy_)
