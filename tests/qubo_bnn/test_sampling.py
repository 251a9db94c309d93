"""The sampler-call helpers both formulations use (qubo_bnn.sampling)."""

from __future__ import annotations

import dimod
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qubo_bnn.sampling import (
    block_union,
    ordered_bits,
    run_sampler,
    split_blocks,
    takes_seed,
    with_seed,
)


def _random_bqm(rng, n, vartype):
    lin = rng.normal(size=n)
    quad = {(i, j): rng.normal() for i in range(n) for j in range(i + 1, n) if rng.random() < 0.6}
    return dimod.BinaryQuadraticModel(dict(enumerate(lin)), quad, rng.normal(), vartype)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.integers(1, 5), min_size=1, max_size=4),
       st.sampled_from([dimod.SPIN, dimod.BINARY]))
def test_union_energy_is_the_sum_of_the_blocks(seed, sizes, vartype):
    rng = np.random.default_rng(seed)
    bqms = [_random_bqm(rng, n, vartype) for n in sizes]
    union = block_union(bqms)
    assert list(union.variables) == list(range(sum(sizes)))
    values = (0, 1) if vartype is dimod.BINARY else (-1, 1)
    reads = rng.choice(values, size=(6, sum(sizes)))
    parts = split_blocks(reads, sizes)
    assert [p.shape[1] for p in parts] == sizes
    expected = sum(b.energies((p, range(b.num_variables))) for b, p in zip(bqms, parts,
                                                                            strict=True))
    np.testing.assert_allclose(union.energies((reads, range(sum(sizes)))), expected)


def test_union_refuses_mixed_or_no_models():
    with pytest.raises(ValueError, match="empty"):
        block_union([])
    with pytest.raises(ValueError, match="vartype"):
        block_union([dimod.BQM({0: 1.0}, {}, 0.0, "SPIN"), dimod.BQM({0: 1.0}, {}, 0.0, "BINARY")])


class _Seeded(dimod.Sampler):
    """ExactSolver that declares ``seed`` and ``initial_states`` and records its keywords."""

    parameters = {"seed": [], "initial_states": [], "num_reads": []}
    properties = {}

    def __init__(self):
        self.calls = []

    def sample(self, bqm, **kwargs):
        self.calls.append(kwargs)
        return dimod.ExactSolver().sample(bqm)


def test_seeds_are_added_only_when_declared_and_unset():
    seeded, plain = _Seeded(), dimod.ExactSolver()
    assert takes_seed(seeded, {}) and not takes_seed(seeded, {"seed": 1})
    assert not takes_seed(plain, {})
    assert with_seed(seeded, {"num_reads": 2}, 5) == {"num_reads": 2, "seed": 5}
    assert with_seed(seeded, {"seed": 1}, 5) == {"seed": 1}
    assert with_seed(plain, None, 5) == {}
    rng = np.random.default_rng(0)
    with_seed(plain, {}, rng)  # no seed taken: the generator is not advanced
    assert rng.integers(2**31 - 1) == np.random.default_rng(0).integers(2**31 - 1)


def test_ordered_bits_map_spins_and_follow_the_variable_order():
    bqm = dimod.BinaryQuadraticModel({"a": 1.0, "b": -1.0}, {}, 0.0, dimod.SPIN)
    ss = dimod.ExactSolver().sample(bqm)
    bits = ordered_bits(ss, ["b", "a"])
    assert bits.dtype == np.int8 and set(np.unique(bits)) <= {0, 1}
    assert bits.shape == (4, 2)
    best_first = ordered_bits(ss, ["b", "a"], sorted_by="energy")
    assert best_first[0].tolist() == [1, 0]  # b = +1, a = -1


def test_run_sampler_warm_start_and_energies():
    bqm = dimod.BinaryQuadraticModel({0: 1.0, 1: -2.0}, {(0, 1): 0.5}, 0.25, dimod.BINARY)
    sampler = _Seeded()
    call = run_sampler(sampler, bqm, [1, 0], {"num_reads": 3}, seed=7,
                       initial_bits=np.array([[1, 0]], dtype=np.int8))
    kwargs = sampler.calls[0]
    assert kwargs["seed"] == 7 and kwargs["num_reads"] == 3
    states, labels = kwargs["initial_states"]
    assert labels == [1, 0] and states.shape == (3, 2)
    assert np.all(np.diff(call.energies) >= 0)  # lowest energy first
    np.testing.assert_allclose(call.energies, bqm.energies((call.bits, [1, 0])))
