"""Tests of the layer-wise majoriser and its per-class K-bit QUBOs."""

import dimod
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qubo_bnn.formulation import Formulation
from qubo_bnn.layerwise.formulation import LayerwiseProblem


def make_problem(seed, n=30, d=3, c=3, ridge=0.0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % c  # every class present
    rng.shuffle(y)
    x = rng.normal(size=(c, d))[y] + rng.normal(size=(n, d))  # learnable: class centres + noise
    return LayerwiseProblem(x, y, n_classes=c, ridge=ridge), rng


problems = st.tuples(
    st.integers(0, 10_000),  # seed
    st.integers(2, 4),  # d
    st.integers(2, 4),  # C
    st.sampled_from([0.0, 0.05]),  # ridge
)


@settings(max_examples=40, deadline=None)
@given(problems, st.integers(1, 6), st.floats(0.05, 2.0))
def test_energy_plus_constant_is_the_surrogate_at_decoded_weights(spec, bits, radius):
    seed, d, c, ridge = spec
    problem, rng = make_problem(seed, d=d, c=c, ridge=ridge)
    iterate = rng.normal(scale=0.5, size=problem.weight_shape)
    forms = problem.build(iterate, bits=bits, radius=radius)
    assert len(forms) == c and all(isinstance(f, Formulation) for f in forms)
    samples = [dict(enumerate(rng.integers(0, 2, size=f.grid.num_bits))) for f in forms]
    weights = problem.decode(forms, samples)
    energies = [f.bqm.energy(s) for f, s in zip(forms, samples, strict=True)]
    assert sum(energies) == pytest.approx(problem.surrogate(weights, iterate), rel=1e-9, abs=1e-9)
    for f, s, e in zip(forms, samples, energies, strict=True):
        without_offset = e - f.bqm.offset
        assert without_offset + f.constant == pytest.approx(f.loss(f.decode(s)), abs=1e-9)
        assert f.check(s).feasible


@settings(max_examples=40, deadline=None)
@given(problems, st.floats(0.01, 3.0))
def test_surrogate_bounds_the_objective_and_touches_it_at_the_iterate(spec, scale):
    seed, d, c, ridge = spec
    problem, rng = make_problem(seed, d=d, c=c, ridge=ridge)
    iterate = rng.normal(scale=scale, size=problem.weight_shape)
    maj = problem.majoriser(iterate)
    assert maj.value(iterate) == pytest.approx(problem.objective(iterate), rel=1e-12)
    for _ in range(5):
        w = iterate + rng.normal(scale=scale, size=iterate.shape)
        assert maj.value(w) >= problem.objective(w) - 1e-12
    if ridge == 0:
        assert problem.objective(iterate) == pytest.approx(problem.cross_entropy(iterate))


def test_gradient_matches_finite_differences():
    problem, rng = make_problem(4, d=3, c=3)
    w = rng.normal(size=problem.weight_shape)
    eps = 1e-6
    numeric = np.zeros_like(w)
    for idx in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[idx] = eps
        up, down = problem.cross_entropy(w + step), problem.cross_entropy(w - step)
        numeric[idx] = (up - down) / (2 * eps)
    np.testing.assert_allclose(problem.gradient(w), numeric, atol=1e-7)


def test_qubo_matrix_is_the_design_formula_without_ridge():
    problem, rng = make_problem(2, d=2, c=3)
    iterate = rng.normal(size=problem.weight_shape)
    forms = problem.build(iterate, bits=3, radius=0.6)
    g = problem.gradient(iterate)
    a = problem.gram
    for f in forms:
        e = f.grid.matrix()
        delta = f.grid.offset - iterate[f.class_index]
        expected = 0.25 * e.T @ a @ e
        expected[np.diag_indices_from(expected)] += e.T @ (g[f.class_index] + 0.5 * a @ delta)
        got = np.diag([f.bqm.get_linear(i) for i in range(f.grid.num_bits)])
        for (u, v), bias in f.bqm.quadratic.items():
            got[min(u, v), max(u, v)] = bias
        # bᵀ Q b with Q symmetric is Σ_i Q_ii b_i + Σ_(i<j) 2 Q_ij b_i b_j on bits
        np.testing.assert_allclose(got, np.triu(2 * expected, 1) + np.diag(np.diag(expected)),
                                   atol=1e-12)
        constant = (problem.cross_entropy(iterate) / 3 + g[f.class_index] @ delta
                    + 0.25 * delta @ a @ delta)
        assert f.bqm.offset == pytest.approx(constant)


def test_exact_minimum_never_exceeds_the_iterate_and_cross_entropy_never_increases():
    problem, _ = make_problem(7, n=40, d=2, c=3)
    weights = np.zeros(problem.weight_shape)
    solver = dimod.ExactSolver()
    values = [problem.cross_entropy(weights)]
    radius = 1.0
    for _ in range(6):
        forms = problem.build(weights, bits=3, radius=radius)
        best = [solver.sample(f.bqm).first for f in forms]
        maj = forms[0].majoriser
        for f, b in zip(forms, best, strict=True):
            assert b.energy <= maj.constants[f.class_index] + 1e-12
        weights = problem.decode(forms, [b.sample for b in best])
        values.append(problem.cross_entropy(weights))
        radius *= 0.8
    assert np.all(np.diff(values) <= 1e-12)
    assert values[-1] < values[0] - 0.05  # it actually learns


def test_float_minimiser_is_the_stationary_point_of_the_majoriser():
    problem, rng = make_problem(3, d=3, c=4, ridge=0.01)
    iterate = rng.normal(size=problem.weight_shape)
    maj = problem.majoriser(iterate)
    w = maj.minimiser()
    np.testing.assert_allclose(maj.linear + (w - iterate) @ maj.hessian, 0, atol=1e-10)
    assert maj.value(w) <= maj.value(iterate)


def test_check_reports_non_binary_values_and_decode_needs_every_variable():
    problem, _ = make_problem(1)
    form = problem.build(np.zeros(problem.weight_shape), bits=2, radius=1.0)[0]
    sample = dict.fromkeys(range(form.grid.num_bits), 0)
    assert form.check(sample).feasible
    sample[3] = 2
    assert form.check(sample).violations == {"domain": [3]}
    with pytest.raises(ValueError, match="lacks variables"):
        form.decode({0: 1})
    assert form.counts == {"weight": 8}


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((np.zeros((4, 2)), np.array([0, 1, 0])), {}, ValueError, "labels"),
        ((np.zeros((4, 2)), np.array([0.0, 1, 0, 1])), {}, TypeError, "labels"),
        ((np.zeros((4, 2)), np.array([0, 1, 0, 1])), {"n_classes": 1}, ValueError, "n_classes"),
        ((np.zeros((4, 2)), np.array([0, 1, 0, 1])), {"ridge": -1.0}, ValueError, "ridge"),
        ((np.zeros(4), np.array([0, 1, 0, 1])), {}, ValueError, "features"),
    ],
)
def test_bad_problem_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        LayerwiseProblem(*args, **kwargs)


def test_bad_build_arguments():
    problem, _ = make_problem(0)
    w = np.zeros(problem.weight_shape)
    with pytest.raises(ValueError, match="radius"):
        problem.build(w, bits=2, radius=0.0)
    with pytest.raises(ValueError, match="radius"):
        problem.build(w, bits=2, radius=np.ones(7))
    with pytest.raises(ValueError, match="weights"):
        problem.build(np.zeros((2, 2)), bits=2, radius=1.0)
    with pytest.raises(ValueError, match="bits"):
        problem.build(w, bits=0, radius=1.0)


def test_baselines_minimise_the_same_objective():
    from qubo_bnn.layerwise.baselines import (
        fit_boehning_float,
        fit_logistic_lbfgs,
        fit_logistic_sgd,
    )

    problem, _ = make_problem(8, n=60, d=3, c=3, ridge=0.01)
    x, y = problem.phi[:, :-1], problem.labels
    lr = fit_logistic_lbfgs(x, y, ridge=0.01, max_iter=5000)
    w_lr = np.hstack([lr.coef_, lr.intercept_[:, None]])
    # L-BFGS solves it: the gradient of mean CE + ridge/2 ||w||² (bias unpenalised) vanishes
    grad = problem.gradient(w_lr) + 0.01 * w_lr * problem.ridge_mask
    np.testing.assert_allclose(grad, 0, atol=1e-3)
    w_mm, _ = fit_boehning_float(x, y, ridge=0.01, iterations=40)
    values = [problem.objective(w) for w in (np.zeros_like(w_mm), w_mm, w_lr)]
    assert values[0] > values[1] >= values[2] - 1e-9
    assert fit_logistic_sgd(x, y, ridge=0.01, random_state=0).score(x, y) > 0.5
    with pytest.raises(ValueError, match="ridge"):
        fit_logistic_lbfgs(x, y, ridge=0.0)
    with pytest.raises(ValueError, match="iterations"):
        fit_boehning_float(x, y, iterations=-1)
