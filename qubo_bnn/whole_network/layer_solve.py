"""One layer of the unit-wise scheme: its units' QUBOs as one BQM, solved by one sampler call.

Each unit gets the energy of :mod:`qubo_bnn.whole_network.unit_qubo` at the layer's fixed
targets, with the knobs of :class:`~qubo_bnn.whole_network.options.UnitwiseOptions`:

- target pre-activation ``m = min(fan_in, max(1, target_scale * sqrt(fan_in)) + margin / 2)``
  (:func:`target_preactivation`; the margin regulariser with the activations fixed to their
  targets is the ``+ margin / 2`` shift);
- per-sample weights ``c_s``: 1 (``surrogate="hinge"``: 0.05 for samples already beyond ``m``),
  ``+ flip_weight`` where the target differs from the unit's current activation,
  ``+ focus * k`` for a sample misclassified in ``k`` earlier rounds; then a random
  ``subsample`` share (redrawn per unit) keeps its weight and the others get 0;
- output units of a class-margin layer (``y`` given): a target value per sample from the running
  output pre-activations (:func:`margin_values`), pushed out at least to ``±m`` and clipped to
  ``[-fan_in, fan_in]``, with ``+ flip_weight`` where that bound is not met now;
- linear pulls ``proximity * W_cur`` and the dropout pull.

The units are independent blocks of one BQM (:func:`~qubo_bnn.whole_network.unit_qubo.block_bqm`),
sampled once (warm started from the running weights when ``warm_start``); each unit takes its
lowest-energy read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import dimod
import numpy as np

from qubo_bnn.sampling import run_sampler, split_blocks
from qubo_bnn.whole_network.options import UnitwiseOptions
from qubo_bnn.whole_network.unit_qubo import block_bqm, spin_energy, unit_ising, unit_ising_values

#: Sample weight of a sample already beyond the target with ``surrogate="hinge"``.
HINGE_WEIGHT = 0.05


@dataclass(frozen=True)
class LayerProblem:
    """The data of one layer solve.

    ``mat``: the layer's running weights ``n_l x fan_in`` (bias as the last column); ``units``:
    which units to solve; ``inputs``: ``(S, fan_in)`` ±1 inputs (a +1 column for the bias);
    ``targets``: ``(S, n_l)`` ±1 targets; ``pull``: per-unit extra linear pull (the dropout
    term) or ``None``; ``wrong``: rounds each sample was misclassified (for ``focus``) or
    ``None``; ``y``: class indices when the layer is a class-margin output layer, else ``None``.
    """

    mat: np.ndarray
    units: np.ndarray
    inputs: np.ndarray
    targets: np.ndarray
    pull: np.ndarray | None = None
    wrong: np.ndarray | None = None
    y: np.ndarray | None = None


@dataclass
class LayerSolve:
    """One layer's sampler call: proposed weights per unit (``units`` order) and call facts."""

    weights: list[np.ndarray]
    seconds: float
    best_energy: float
    num_variables: int


def target_preactivation(fan_in: int, options: UnitwiseOptions) -> float:
    """The target pre-activation ``m`` of a unit with ``fan_in`` inputs (module docstring)."""
    m = max(1.0, options.target_scale * np.sqrt(fan_in)) + options.margin / 2.0
    return min(m, float(fan_in))


def margin_values(z_out: np.ndarray, y: np.ndarray, unit: int, delta: float):
    """Class-margin target pre-activation of output ``unit`` per sample, and its direction.

    Class ``unit`` samples: beat the best other output by ``delta``; other samples: stay
    ``delta`` below the true class's output. Returns ``(values, direction)``; ``direction``
    is +1 where the value is a lower bound, -1 where it is an upper bound.
    """
    s = np.arange(y.size)
    own = y == unit
    others = z_out.astype(np.float64).copy()
    others[:, unit] = -np.inf
    best_other = others.max(axis=1)
    true_z = z_out[s, y].astype(np.float64)
    values = np.where(own, best_other + delta, true_z - delta)
    return values, np.where(own, 1, -1)


def _focus(weight: np.ndarray, wrong: np.ndarray | None, options: UnitwiseOptions) -> np.ndarray:
    if options.focus > 0 and wrong is not None:
        return weight + options.focus * wrong
    return weight


def _label_weights(
    layer: LayerProblem, unit: int, m_target: float, options: UnitwiseOptions
) -> np.ndarray:
    """Per-sample weights of a unit fitted to ±1 targets."""
    t = layer.targets[:, unit]
    z = layer.inputs @ layer.mat[unit].astype(np.int64)
    weight = np.ones(layer.inputs.shape[0])
    if options.surrogate == "hinge":
        weight = np.where(t * z < m_target, 1.0, HINGE_WEIGHT)
    if options.flip_weight > 0:
        weight = weight + options.flip_weight * (np.where(z >= 0, 1, -1) != t)
    return _focus(weight, layer.wrong, options)


def _margin_targets(
    layer: LayerProblem, out_z: np.ndarray, unit: int, m_target: float, options: UnitwiseOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Target values and per-sample weights of a class-margin output unit."""
    fan = layer.mat.shape[1]
    values, direction = margin_values(out_z, layer.y, unit, options.class_margin)
    # a bound at least as far out as the one-vs-rest target ``direction * m``
    values = direction * np.maximum(direction * values, m_target)
    values = np.clip(values, -fan, fan)
    short = direction * (out_z[:, unit] - values) < 0  # the bound is not met now
    weight = np.ones(layer.inputs.shape[0]) + options.flip_weight * short
    return values, _focus(weight, layer.wrong, options)


def _subsample(weight: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Keep a random ``share`` of the sample weights (all of them if none would survive)."""
    if share >= 1.0:
        return weight
    weight = weight * (rng.random(weight.size) < share)
    return np.ones(weight.size) if weight.sum() <= 0 else weight


def unit_blocks(
    layer: LayerProblem, options: UnitwiseOptions, rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """``(h, J, offset)`` of every unit of ``layer.units`` (rules in the module docstring).

    ``options`` must have its output-dependent defaults filled in
    (:meth:`~qubo_bnn.whole_network.options.UnitwiseOptions.for_outputs`).
    """
    mat = layer.mat
    out_z = None if layer.y is None else layer.inputs @ mat.T.astype(np.int64)
    m_target = target_preactivation(mat.shape[1], options)
    blocks = []
    for u in layer.units:
        pull = options.proximity * mat[u].astype(float)
        if layer.pull is not None:
            pull = pull + layer.pull[u]
        if out_z is None:
            weight = _label_weights(layer, u, m_target, options)
            weight = _subsample(weight, options.subsample, rng)
            blocks.append(unit_ising(layer.inputs, layer.targets[:, u], weight, m_target, pull))
        else:
            values, weight = _margin_targets(layer, out_z, int(u), m_target, options)
            weight = _subsample(weight, options.subsample, rng)
            blocks.append(unit_ising_values(layer.inputs, values, weight, pull))
    return blocks


def solve_layer(
    sampler: dimod.Sampler,
    layer: LayerProblem,
    options: UnitwiseOptions,
    rng: np.random.Generator,
    sample_kwargs: Mapping | None = None,
) -> LayerSolve:
    """One sampler call for ``layer.units``; the best read per unit block.

    The call's seed is drawn from ``rng`` first, then the subsample draws of
    :func:`unit_blocks`.
    """
    seed = int(rng.integers(2**31 - 1))
    blocks = unit_blocks(layer, options, rng)
    mat, units = layer.mat, layer.units
    n = mat.shape[1]
    variables = list(range(len(units) * n))
    init = None
    if options.warm_start:
        init = ((mat[units].ravel() + 1) // 2).astype(np.int8)[None, :]
    call = run_sampler(sampler, block_bqm(blocks), variables, sample_kwargs, seed, init)
    spins = 2 * call.bits.astype(np.int64) - 1
    weights = []
    for (h, coupling, off), block in zip(blocks, split_blocks(spins, [n] * len(blocks)),
                                         strict=True):
        best = int(np.argmin(spin_energy(h, coupling, off, block)))
        weights.append(block[best].astype(np.int8))
    return LayerSolve(weights, call.seconds, float(call.energies.min()), len(variables))
