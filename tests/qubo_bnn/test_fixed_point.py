"""Tests of the K-bit fixed-point grid (qubo_bnn.layerwise.fixed_point)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qubo_bnn.layerwise.fixed_point import FixedPointGrid, grid_on_point


@st.composite
def grids(draw, max_bits=16, max_size=5):
    bits = draw(st.integers(1, max_bits))
    n = draw(st.integers(1, max_size))
    floats = st.floats(-10, 10, allow_nan=False)
    centre = np.array(draw(st.lists(floats, min_size=n, max_size=n)))
    radius = np.array(draw(st.lists(st.floats(1e-3, 5), min_size=n, max_size=n)))
    return FixedPointGrid(centre, radius, bits)


@settings(max_examples=60, deadline=None)
@given(grids(), st.data())
def test_bits_round_trip_on_the_grid(grid, data):
    bits = np.array(data.draw(st.lists(st.integers(0, 1), min_size=grid.num_bits,
                                       max_size=grid.num_bits)))
    values = grid.decode(bits)
    np.testing.assert_array_equal(grid.encode(values), bits)
    np.testing.assert_allclose(grid.quantise(values), values, rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(grids(), st.data())
def test_encode_picks_the_nearest_grid_point(grid, data):
    u = np.array(data.draw(st.lists(st.floats(-1.5, 1.5), min_size=grid.size,
                                     max_size=grid.size)))
    values = grid.centre + u * grid.radius
    q = grid.quantise(values)
    inside = np.abs(u) <= 1
    assert np.all(np.abs(q - values)[inside] <= grid.step[inside] / 2 + 1e-9)
    # outside the range the value is clipped to the nearest end
    low, high = grid.offset, grid.centre + grid.radius
    np.testing.assert_allclose(q[u < -1], low[u < -1], atol=1e-12)
    np.testing.assert_allclose(q[u > 1], high[u > 1], atol=1e-12)


def test_matrix_is_the_block_diagonal_place_values():
    grid = FixedPointGrid([0.0, 1.0], [1.0, 3.0], 3)
    step = np.array([2 / 7, 6 / 7])
    expected = np.zeros((2, 6))
    expected[0, :3] = step[0] * np.array([1, 2, 4])
    expected[1, 3:] = step[1] * np.array([1, 2, 4])
    np.testing.assert_allclose(grid.matrix(), expected)
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, size=(10, 6))
    np.testing.assert_allclose(grid.decode(bits), grid.offset + bits @ grid.matrix().T)


def test_all_zeros_and_all_ones_are_the_range_ends():
    grid = FixedPointGrid([2.0, -1.0, 0.5], 0.25, 5)
    np.testing.assert_allclose(grid.decode(np.zeros(15)), [1.75, -1.25, 0.25])
    np.testing.assert_allclose(grid.decode(np.ones(15)), [2.25, -0.75, 0.75])
    assert grid.levels == 32


@pytest.mark.parametrize("bits", [1, 2, 5, 20])
def test_grid_on_point_contains_the_point(bits):
    point = np.array([0.3, -2.0, 7.5])
    grid = grid_on_point(point, 0.4, bits)
    np.testing.assert_array_equal(grid.index(point), (1 << (bits - 1)) - 1)
    np.testing.assert_allclose(grid.quantise(point), point, atol=1e-12)
    assert np.all(np.abs(grid.centre - point) <= grid.step)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"centre": [0.0], "radius": 1.0, "bits": 0}, ValueError, "bits"),
        ({"centre": [0.0], "radius": 1.0, "bits": True}, TypeError, "bits"),
        ({"centre": [0.0], "radius": 1.0, "bits": 2.0}, TypeError, "bits"),
        ({"centre": [0.0], "radius": 0.0, "bits": 2}, ValueError, "radius"),
        ({"centre": [0.0, 1.0], "radius": [1.0, 1.0, 1.0], "bits": 2}, ValueError, "radius"),
        ({"centre": [[0.0]], "radius": 1.0, "bits": 2}, ValueError, "centre"),
        ({"centre": [np.nan], "radius": 1.0, "bits": 2}, ValueError, "centre"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        FixedPointGrid(**kwargs)


def test_decode_rejects_wrong_lengths_and_non_binary_values():
    grid = FixedPointGrid([0.0, 0.0], 1.0, 2)
    with pytest.raises(ValueError, match="last dimension 4"):
        grid.decode([0, 1, 0])
    with pytest.raises(ValueError, match="0 and 1"):
        grid.decode([0, 2, 0, 1])
    with pytest.raises(ValueError, match="last dimension 2"):
        grid.encode([0.1])
