"""Table-lookup product of dense ±c couplings: equal to ``x @ J``, used only where it applies,
and the same SB results as the BLAS product."""

from __future__ import annotations

import numpy as np
import pytest

from emulators.bifurcation import SimulatedBifurcationSampler, kernels_xp
from emulators.bifurcation.sign_product import BLOCK, LANES, SignLookup
from suites.instances import dense_pm1_instance, maxcut_bqm


def pm_matrix(n: int, magnitude: float, seed: int, diagonal: str = "zero") -> np.ndarray:
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.choice([-magnitude, magnitude], (n, n)), 1)
    matrix = upper + upper.T
    if diagonal == "random":
        np.fill_diagonal(matrix, rng.normal(size=n))
    return matrix.astype(np.float32)


@pytest.mark.parametrize("n", [2, 3, BLOCK + 1, 17, 64, 131])
@pytest.mark.parametrize("agents", [1, 4, LANES, LANES + 1, 2 * LANES + 1])
@pytest.mark.parametrize("magnitude, diagonal", [(1.0, "zero"), (0.5, "random"),
                                                 (3.0, "zero")])
def test_lookup_product_equals_x_times_j(n, agents, magnitude, diagonal):
    matrix = pm_matrix(n, magnitude, seed=n + agents, diagonal=diagonal)
    lookup = SignLookup.of(matrix)
    assert lookup is not None
    x = np.random.default_rng(agents).uniform(-1, 1, (agents, n)).astype(np.float32)
    product = lookup.times(x)
    assert product.shape == (agents, n) and product.dtype == np.float32
    assert product.flags.c_contiguous and product.flags.writeable
    exact = x.astype(np.float64) @ matrix.astype(np.float64)
    assert np.allclose(product, exact, rtol=0, atol=2e-6 * magnitude * n)


def test_spins_times_pm1_matrix_are_exact_integers():
    matrix = pm_matrix(200, 1.0, seed=4)
    spins = np.random.default_rng(4).choice([-1.0, 1.0], (LANES, 200)).astype(np.float32)
    assert np.array_equal(SignLookup.of(matrix).times(spins), spins @ matrix)


@pytest.mark.parametrize("make", [
    lambda m: m.astype(np.float64),                      # not float32
    lambda m: m[:, :-1],                                 # not square
    lambda m: m[:1, :1],                                 # one variable
    lambda m: np.where(np.arange(len(m)) == 3, 2 * m, m).astype(np.float32),  # two magnitudes
    lambda m: _with_zero(m, 2, 5),                       # an off-diagonal zero
    lambda m: np.zeros_like(m),                          # nothing coupled
])
def test_matrices_the_lookup_does_not_apply_to(make):
    assert SignLookup.of(make(pm_matrix(12, 1.0, seed=1))) is None


def _with_zero(matrix: np.ndarray, i: int, j: int) -> np.ndarray:
    out = matrix.copy()
    out[i, j] = out[j, i] = 0
    return out


def test_coupling_matrix_multiplies_pm1_batches_by_lookup():
    matrix = pm_matrix(40, 1.0, seed=2)
    coupling = kernels_xp.CouplingMatrix(np, matrix)
    assert coupling.lookup is not None
    assert kernels_xp.CouplingMatrix(np, pm_matrix(40, 1.0, seed=2) * np.eye(40)).lookup is None
    x = np.random.default_rng(2).uniform(-1, 1, (kernels_xp.LOOKUP_MIN_AGENTS, 40))
    assert np.allclose(coupling.times(x.astype(np.float32)), x @ matrix, atol=1e-5)
    assert coupling.times(x).dtype == np.float64  # float64 batches go through BLAS


@pytest.mark.parametrize("variant", ["bSB", "dSB"])
def test_sb_energies_are_the_same_with_the_lookup_and_with_blas(variant, monkeypatch):
    """The two products differ only in the order of float32 additions, so SB on a ±1 model
    reaches the same energies (the trajectories are chaotic, so compared as distributions)."""
    bqm = maxcut_bqm(dense_pm1_instance(120, seed=7))
    params = {"variant": variant, "num_reads": 64, "num_steps": 400, "seed": 3}
    with_lookup = SimulatedBifurcationSampler().sample(bqm, **params).record.energy
    monkeypatch.setattr(kernels_xp, "LOOKUP_MIN_AGENTS", 10**9)
    with_blas = SimulatedBifurcationSampler().sample(bqm, **params).record.energy
    scale = abs(with_blas.mean())  # halving the product moves the bSB mean by 3.5%, dSB 12%
    assert abs(with_lookup.mean() - with_blas.mean()) < 0.01 * scale
    assert abs(with_lookup.min() - with_blas.min()) < 0.01 * scale
