"""Whole-network BNN QUBO size and build time against samples per QUBO and hidden width.

Run: .venv/bin/pytest tests/benchmarks/test_bnn_qubo_size.py -m bench -s
"""

import time

import numpy as np
import pytest

from qubo_bnn.datasets import load_digits_binary
from qubo_bnn.whole_network.formulation import build_bnn_qubo, layered_variable_counts
from qubo_bnn.whole_network.network import BinaryNetwork

SAMPLES = [10, 20, 40, 80]
HIDDEN = [2, 4, 8]


@pytest.fixture(scope="module")
def digits():
    d = load_digits_binary(classes=(3, 8), size=8, seed=0)
    return d.X_train, d.y_train


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("n_samples", SAMPLES)
def test_build_time(benchmark, digits, n_samples, hidden):
    X, y = digits
    sizes = [64, hidden, 1]
    net = BinaryNetwork.layered(sizes, rng=0)
    f = benchmark(build_bnn_qubo, net, X[:n_samples], y[:n_samples])
    assert f.counts == layered_variable_counts(sizes, n_samples)
    benchmark.extra_info.update(
        variables=f.num_variables, interactions=f.bqm.num_interactions, **f.counts
    )


def test_size_table(benchmark, digits):
    """One pass over the grid, printed as a table (64-h-1 on binarised 8x8 digits, 3 vs 8)."""
    X, y = digits

    def table():
        rows = []
        for hidden in HIDDEN:
            for n in SAMPLES:
                net = BinaryNetwork.layered([64, hidden, 1], rng=0)
                t0 = time.perf_counter()
                f = build_bnn_qubo(net, X[:n], y[:n])
                rows.append((hidden, n, f.num_variables, f.bqm.num_interactions,
                             time.perf_counter() - t0))
        return rows

    rows = benchmark.pedantic(table, rounds=1, iterations=1)
    lines = ["| network | samples | variables | interactions | build s |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| 64-{h}-1 | {n} | {v} | {i} | {t:.3f} |" for h, n, v, i, t in rows]
    print("\n" + "\n".join(lines))
    # linear growth in samples (DESIGN 6.1): equal increments per added sample block
    by_h = {h: [v for hh, _, v, _, _ in rows if hh == h] for h in HIDDEN}
    for vs in by_h.values():
        per_sample = np.diff(vs) / np.diff(SAMPLES)
        assert np.allclose(per_sample, per_sample[0])
