"""Spin/bit maps, bounded slack, squared equality and AND penalties, the term accumulator."""

import itertools

import dimod
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qubo_bnn.encoding import (
    QuadraticTerms,
    and_penalty,
    bits_to_spins,
    slack_bits,
    slack_coefficients,
    spins_to_bits,
    squared_linear,
    squared_linear_shared,
)


def test_spin_bit_maps_roundtrip():
    s = np.array([-1, 1, 1, -1])
    np.testing.assert_array_equal(spins_to_bits(s), [0, 1, 1, 0])
    np.testing.assert_array_equal(bits_to_spins(spins_to_bits(s)), s)
    with pytest.raises(ValueError, match="spins"):
        spins_to_bits([0, 1])
    with pytest.raises(ValueError, match="bits"):
        bits_to_spins([2])


@given(st.integers(0, 300))
def test_slack_covers_exactly_the_range(M):
    coef = slack_coefficients(M)
    assert coef.size == (int(np.ceil(np.log2(M + 1))) if M else 0)
    assert (coef >= 1).all()
    sums = {int(np.dot(b, coef)) for b in itertools.product((0, 1), repeat=coef.size)} if (
        coef.size <= 10
    ) else None
    if sums is not None:
        assert sums == set(range(M + 1))
    values = np.arange(M + 1)
    bits = slack_bits(values, coef)
    np.testing.assert_array_equal(bits @ coef, values)


def test_slack_examples_and_errors():
    assert slack_coefficients(8).tolist() == [1, 2, 4, 1]
    assert slack_coefficients(7).tolist() == [1, 2, 4]
    assert slack_coefficients(0).size == 0
    with pytest.raises(ValueError):
        slack_coefficients(-1)
    with pytest.raises(ValueError, match="slack values"):
        slack_bits([9], slack_coefficients(8))


def _energy_table(terms, n):
    qt = QuadraticTerms(n)
    qt.add(terms)
    bqm = qt.to_bqm()
    out = {}
    for bits in itertools.product((0, 1), repeat=n):
        out[bits] = bqm.energy(dict(enumerate(bits)))
    return out


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(-4, 4), min_size=1, max_size=5),
    st.integers(-6, 6),
    st.floats(0.5, 3.0),
)
def test_squared_linear_matches_direct_square(coefs, const, lam):
    n = len(coefs)
    idx = np.arange(n)[None, :]
    terms = squared_linear(idx, np.array(coefs)[None, :], np.array([const]), lam)
    for bits, e in _energy_table(terms, n).items():
        assert e == pytest.approx(lam * (const + np.dot(coefs, bits)) ** 2)


def test_and_penalty_truth_table():
    table = _energy_table(and_penalty([0], [1], [2], 2.0), 3)
    for (x, y, z), e in table.items():
        if z == (x & y):
            assert e == 0
        else:
            assert e >= 2.0


def test_quadratic_terms_sums_duplicates_and_diagonal():
    qt = QuadraticTerms(3)
    qt.add_quadratic([0, 1, 2], [1, 0, 2], [1.0, 2.0, 5.0])
    qt.add_linear([0, 0], [1.0, -1.0])
    qt.add_offset(4.0)
    bqm = qt.to_bqm()
    assert bqm.vartype is dimod.BINARY
    assert bqm.quadratic[(0, 1)] == 3.0
    assert bqm.linear[2] == 5.0 and bqm.linear[0] == 0.0
    assert bqm.offset == 4.0
    assert list(bqm.variables) == [0, 1, 2]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(0, 3), st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_squared_linear_shared_equals_unshared(m1, m2, B, seed):
    rng = np.random.default_rng(seed)
    n = m1 + B * m2
    shared = rng.permutation(n)[:m1]
    rest = np.setdiff1d(np.arange(n), shared)
    per_row = rest.reshape(B, m2) if m2 else np.zeros((B, 0), dtype=np.int64)
    A = rng.integers(-3, 4, size=(B, m1)).astype(float)
    C = rng.integers(-3, 4, size=(B, m2)).astype(float)
    const = rng.integers(-4, 5, size=B).astype(float)
    a = QuadraticTerms(n)
    a.add(squared_linear_shared(shared, A, per_row, C, const, 1.5))
    b = QuadraticTerms(n)
    full_idx = np.concatenate([np.broadcast_to(shared, (B, m1)), per_row], axis=1)
    b.add(squared_linear(full_idx, np.concatenate([A, C], axis=1), const, 1.5))
    states = rng.integers(0, 2, size=(40, n))
    ea = a.to_bqm().energies((states, range(n)))
    eb = b.to_bqm().energies((states, range(n)))
    np.testing.assert_allclose(ea, eb)
