"""Unit-wise QUBO training: hidden targets, then one fan-in sized QUBO per unit, alternating.

Why: the exact whole-network QUBO (DESIGN.md 6.1) has per-sample activations, products and
slack; one weight flip breaks one equality per sample, so single-flip annealers freeze beyond a
handful of samples (6.5). This scheme keeps the machine deciding every weight but removes the
per-sample auxiliaries: they are fixed by a cheap classical step, and what remains per unit is a
dense QUBO over that unit's weights only, built from *all* training samples at once.

One round (layers ``1..L``, the output layer last):

1. Forward pass of the running network (activations ``a``, pre-activations ``z``).
2. Targets, from the output backwards (:mod:`qubo_bnn.whole_network.targets`): a single output
   gets the label (±1); each hidden layer gets, per sample, the nearest pattern (cheapest
   flips, weighted by ``|z| + 1``) that makes the next layer right. This fixes exactly the
   activation bits of the exact formulation, chosen as close to the forward pass as possible.
   Several outputs (``multiclass="margin"``, default): the loss is the one accuracy is measured
   by, 0-1 on the argmax of the output pre-activations. The last hidden layer's targets are
   chosen against that argmax, *graded*: a pattern that leaves the sample wrong costs
   ``1 + max_(k != y) z_k - z_y``, so the greedy flips (``target_flips`` per sample) close the
   gap to the true class even when one flip cannot fix the sample. The output units get
   class-margin targets instead of one-vs-rest labels (step 3).
3. Per layer, every unit gets the energy of :mod:`qubo_bnn.whole_network.unit_qubo`: the
   least-squares relaxation of its sign constraints at the fixed targets (slack dropped), with
   target pre-activation ``m = min(fan_in, max(1, target_scale * sqrt(fan_in)) + margin / 2)``
   -- the margin regulariser ``-mu sum a z`` of DESIGN.md 6.2 with the activations fixed to
   their targets is exactly the ``+ margin / 2`` shift. Per-sample weights ``c_s``: a random
   half of the samples (``subsample``, redrawn per unit and round) get weight 1, the others 0;
   samples whose target differs from the unit's current activation get ``+ flip_weight`` (the
   targets otherwise mostly repeat the current activations and the running weights would be
   their own optimum); samples misclassified in ``k`` earlier rounds get ``+ focus * k``.
   Output units with several outputs (``multiclass="margin"``): unit ``c`` gets, per sample, a
   *target value* from the running pre-activations ``Z`` of the other outputs -- class-``c``
   samples ``v_s = max_(k != c) Z_sk + class_margin`` (beat the best wrong class; default 4:
   on 5 ten-class splits 4 gave test 0.580, 2 gave 0.559 and 6 gave 0.548), other
   samples ``v_s = Z_s,y - class_margin`` (stay below the true class) -- pushed out at least to
   the one-vs-rest value ``±m`` and clipped to ``[-fan_in, fan_in]``; the energy is
   ``sum_s c_s (w.x_s - v_s)^2`` (:func:`~qubo_bnn.whole_network.unit_qubo.unit_ising_values`),
   with ``+ flip_weight`` on the samples whose bound is not met now. ``multiclass="ovr"``
   keeps the one-vs-rest ±1 labels and the plain 0-1 targets (the earlier rule).
   Linear pulls: ``proximity * W_cur`` toward the running weights (the exact formulation's
   ``weight_bias``) and, with dropout, ``dropout_strength * W_bar``. The layer's units are
   independent blocks of one BQM: **one sampler call per layer**, warm started from the running
   weights when the sampler accepts ``initial_states``.
4. Each unit takes its lowest-energy read (the blocks are independent). The layer's proposal is
   accepted as a whole, else unit by unit, when the full training 0-1 loss (forward pass) does
   not rise -- or rises by ``d`` errors with probability ``exp(-d / T)``, ``T = accept_temperature
   * S * (1 - round / rounds)``; ``accept_temperature`` defaults to 0.01 with one output and to
   0 with several (measured: uphill moves only cost the ten-class task). The best network by
   training loss is kept; training stops after ``patience`` rounds without a new best.

Dropout (DESIGN.md 6.2, our reading for this scheme): with rate ``p > 0`` each round first
solves a *subnetwork*: hidden units are dropped with probability ``p`` (at least one kept per
layer), targets are chosen for the subnetwork (dropped units contribute nothing downstream) and
the kept units' QUBOs are solved with those targets. ``W_bar`` is the running mean over rounds of
the subnetwork solutions (per weight, over the rounds in which its unit was kept); the full
solve of step 3 adds the linear term ``-dropout_strength * W_bar . w``. Only linear terms change
between solves.

Start: the given weights (the estimator's random network, ``init="given"``), or with
``init="prototype"`` the class-prototype signs of :func:`prototype_weights` (a cheap,
non-iterative start; the sampler still makes every later weight decision). The default is the
prototype start with several outputs and the given weights with one. Measured with the
reference annealer (4 reads x 200 sweeps per QUBO, 3 data splits x 3 seeds): ten-class 8x8
digits, 64-16-10, 10 rounds, test 0.708 +- 0.023 given -> 0.758 +- 0.027 prototype (60 rounds,
one split: 0.736 -> 0.775); 3 vs 8 8x8, 64-4-1, 20 rounds, 0.948 +- 0.021 -> 0.957 +- 0.009
(inside the noise, so one output keeps the random start); ten-class 4x4, 16-16-10, 10 rounds,
0.533 +- 0.028 -> 0.510 +- 0.032 (16 pixels leave the prototypes little to say).

These choices (subsample 0.5, flip_weight 10, focus 0.2, target_scale 2.0 with one output and
1.5 with several, T 0.01) were set by measurement on 3-vs-8 digits, ten-class 4x4 digits and
small teacher networks (on 3 vs 8 over 8 splits, with the estimator's 8 reads x 1000 sweeps,
target_scale 2.0 gave test 0.950 mean / 0.917 worst against 0.943 / 0.898 for 1.5);
``surrogate="hinge"`` (samples beyond the margin at the running weights get weight 0.05) is
kept as an option. Ten classes (4x4 digits, 16-16-10, 5 splits): the class-margin targets with
graded hidden targets and no uphill moves raised test accuracy from 0.476 ± 0.043 (one-vs-rest,
T 0.01; 0.514 ± 0.016 with the current reference annealer) to 0.580 ± 0.024; a prototype
start, more rounds, reads chosen by training loss, solving the output layer twice per round,
other subsample / flip_weight / target_scale / focus values did not beat it beyond the
split-to-split noise there (on 8x8 images the prototype start does: see "Start" above).
Samples per QUBO do not enter its size: a layer QUBO has ``n_l * (n_(l-1) + bias)`` variables.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import dimod
import numpy as np

from qubo_bnn.sampling import run_sampler
from qubo_bnn.whole_network.layers import (
    LayerShape,
    bias_column,
    forward_layers,
    predict_from_output,
)
from qubo_bnn.whole_network.targets import hidden_targets
from qubo_bnn.whole_network.unit_qubo import block_bqm, spin_energy, unit_ising, unit_ising_values


@dataclass
class TrainResult:
    """What a training scheme returns.

    ``weights``: per-layer matrices ``n_l x (n_(l-1) [+1])`` (bias as last column) of the best
    network by training errors; ``history``: one dict per round; ``sampler_seconds``: wall time
    inside sampler calls; ``best_energy``: lowest QUBO energy returned by the last call per
    layer (for the record); ``violations``: constraint violations found in the decoded samples
    (always 0 here: every variable is a weight).
    """

    weights: list[np.ndarray]
    errors: int
    history: list[dict] = field(default_factory=list)
    sampler_seconds: float = 0.0
    sampler_calls: int = 0
    best_energy: float = float("nan")
    violations: int = 0
    qubo_sizes: list[int] = field(default_factory=list)


def _errors(shape: LayerShape, flat: np.ndarray, x: np.ndarray, y: np.ndarray) -> int:
    z, _ = forward_layers(shape, flat, x)
    return int(np.sum(predict_from_output(z[-1]) != y))


def _output_targets(y: np.ndarray, n_out: int) -> np.ndarray:
    if n_out == 1:
        return np.where(y == 1, 1, -1)[:, None]
    t = -np.ones((y.size, n_out), dtype=np.int64)
    t[np.arange(y.size), y] = 1
    return t


def _all_targets(shape, mats, z, a, y, keeps, graded=False, max_flips=4):
    """Targets (±1, ``S x n_l``) for every layer l = 1..L (index l-1)."""
    num_layers = shape.num_layers
    out = [None] * num_layers
    out[-1] = _output_targets(y, shape.sizes[-1])
    goal: np.ndarray = y
    for layer in range(num_layers - 1, 0, -1):
        nxt = mats[layer]  # weights of layer+1, shape n_(l+1) x (n_l [+1])
        n_l = shape.sizes[layer]
        w_next, b_next = nxt[:, :n_l], (nxt[:, n_l] if shape.bias[layer + 1] else None)
        is_output = layer + 1 == num_layers
        out[layer - 1] = hidden_targets(
            a[layer], z[layer - 1], w_next, b_next, goal, is_output, keeps[layer],
            graded=graded and is_output, max_flips=max_flips,
        )
        goal = out[layer - 1]
    return out


def train_unitwise(
    x: np.ndarray,
    y: np.ndarray,
    sizes: list[int],
    sampler: dimod.Sampler,
    *,
    bias: bool = False,
    rounds: int = 60,
    margin: float = 0.0,
    dropout: float = 0.0,
    dropout_strength: float = 0.5,
    proximity: float = 0.0,
    sample_kwargs: Mapping | None = None,
    warm_start: bool = True,
    patience: int = 20,
    target_scale: float | None = None,
    surrogate: str = "squared",
    focus: float = 0.2,
    flip_weight: float = 10.0,
    accept_temperature: float | None = None,
    subsample: float = 0.5,
    multiclass: str = "margin",
    class_margin: float = 4.0,
    target_flips: int = 4,
    init: str | None = None,
    initial_weights: list[np.ndarray] | None = None,
    seed: int | None = None,
    callback: Callable[[dict], None] | None = None,
) -> TrainResult:
    """Train a layered network with the unit-wise scheme (module docstring).

    ``x`` ``(S, sizes[0])`` ±1; ``y`` class indices (0/1 for one output). ``rounds``: maximum
    rounds; training stops early after ``patience`` rounds without a new best. The remaining
    keywords are the knobs of the module docstring. ``callback`` receives each history row.
    Arguments are assumed validated by the caller (the estimator validates them).
    """
    rng = np.random.default_rng(seed)
    shape = LayerShape.build(sizes, bias)
    one_output = shape.sizes[-1] == 1
    if accept_temperature is None:  # measured: several outputs train better without uphill moves
        accept_temperature = 0.01 if one_output else 0.0
    if target_scale is None:  # measured: 2.0 generalises better on 3 vs 8, 1.5 on ten classes
        target_scale = 2.0 if one_output else 1.5
    if init is None:  # measured (module docstring): the prototype start pays with several outputs
        init = "given" if one_output else "prototype"
    if initial_weights is None:
        flat = rng.choice(np.array([-1, 1], dtype=np.int8), size=shape.num_weights)
    else:
        flat = shape.join(initial_weights).copy()
    if init == "prototype":
        flat = shape.join(prototype_weights(shape, x, y, rng))
    mats = shape.split(flat)
    errors = _errors(shape, flat, x, y)
    best_flat, best_errors = flat.copy(), errors
    w_bar_sum = [np.zeros(m.shape) for m in mats]
    w_bar_cnt = [np.zeros(m.shape) for m in mats]
    result = TrainResult([], errors)
    cfg = {"scale": target_scale, "margin": margin, "surrogate": surrogate, "focus": focus,
           "flip_weight": flip_weight,
           "subsample": subsample, "rng": rng, "class_margin": class_margin}
    margin_mode = multiclass == "margin" and shape.sizes[-1] > 1
    stale = 0
    wrong = np.zeros(x.shape[0])  # rounds in which each sample was misclassified
    for rnd in range(rounds):
        z, a = forward_layers(shape, flat, x)
        wrong += predict_from_output(z[-1]) != y
        t_round = time.perf_counter()
        accepted = 0
        temp = accept_temperature * x.shape[0] * (1.0 - rnd / rounds)
        ok = _acceptor(temp, rng)
        if dropout > 0:
            keeps = [None] + [
                _dropout_mask(rng, n, dropout) for n in shape.sizes[1:-1]
            ] + [None]
            z, a = forward_layers(shape, flat, x)
            a = [_masked(a[i], keeps[i]) for i in range(len(a))]
            targets = _all_targets(shape, mats, z, a, y, keeps, margin_mode, target_flips)
            for layer in range(1, shape.num_layers + 1):
                units = np.arange(shape.sizes[layer])
                if keeps[layer] is not None:
                    units = units[keeps[layer]]
                sub = _solve_layer(
                    shape, mats, layer, units, bias_column(a[layer - 1], shape.bias[layer]),
                    targets[layer - 1], cfg, proximity, None, sampler, sample_kwargs,
                    warm_start, int(rng.integers(2**31 - 1)), result,
                    y=y if margin_mode and layer == shape.num_layers else None,
                )
                src_kept = np.ones(mats[layer - 1].shape[1], dtype=bool)
                if keeps[layer - 1] is not None:
                    src_kept[: shape.sizes[layer - 1]] = keeps[layer - 1]
                for u, w in zip(units, sub, strict=True):
                    w_bar_sum[layer - 1][u] += w * src_kept
                    w_bar_cnt[layer - 1][u] += src_kept
        for layer in range(1, shape.num_layers + 1):
            z, a = forward_layers(shape, flat, x)
            targets = _all_targets(
                shape, mats, z, a, y, [None] * (shape.num_layers + 1), margin_mode, target_flips
            )
            pull_bar = None
            if dropout > 0:
                cnt = np.maximum(w_bar_cnt[layer - 1], 1)
                pull_bar = dropout_strength * w_bar_sum[layer - 1] / cnt
            units = np.arange(shape.sizes[layer])
            props = _solve_layer(
                shape, mats, layer, units, bias_column(a[layer - 1], shape.bias[layer]),
                targets[layer - 1], cfg, proximity, pull_bar, sampler, sample_kwargs,
                warm_start, int(rng.integers(2**31 - 1)), result, wrong,
                y=y if margin_mode and layer == shape.num_layers else None,
            )
            old_layer = mats[layer - 1].copy()
            mats[layer - 1][units] = np.asarray(props)
            joint = _errors(shape, flat, x, y)
            if ok(joint, errors):  # the whole layer at once
                accepted += int(np.sum(np.any(old_layer != mats[layer - 1], axis=1)))
                errors = joint
                continue
            mats[layer - 1][:] = old_layer
            for u, w in zip(units, props, strict=True):  # else unit by unit
                if np.array_equal(mats[layer - 1][u], w):
                    continue
                mats[layer - 1][u] = w  # mats are views into flat
                new_errors = _errors(shape, flat, x, y)
                if ok(new_errors, errors):
                    errors = new_errors
                    accepted += 1
                else:
                    mats[layer - 1][u] = old_layer[u]
        improved = errors < best_errors
        if errors <= best_errors:
            best_flat, best_errors = flat.copy(), errors
        stale = 0 if improved else stale + 1
        row = {
            "round": rnd,
            "train_errors": errors,
            "train_loss": errors / x.shape[0],
            "best_errors": best_errors,
            "accepted_units": accepted,
            "seconds": time.perf_counter() - t_round,
        }
        result.history.append(row)
        if callback is not None:
            callback(row)
        if stale >= patience:
            break
    result.weights = [m.copy() for m in shape.split(best_flat)]
    result.errors = best_errors
    return result


def prototype_weights(
    shape: LayerShape, x: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> list[np.ndarray]:
    """Class-prototype signs, layer by layer: a cheap, non-iterative starting network.

    Unit ``j`` of a layer with inputs ``h`` gets ``sign(mean(h | class c) - mean(h | class d))``
    with ``c = j mod C``; ``d`` is "all samples" for the first ``C`` units and a random other
    class after that. Output unit ``c`` (several outputs) gets ``sign(mean(h | c) - mean(h))``;
    a single output ``sign(mean(h | 1) - mean(h | 0))``. Zero differences and biases take a
    random sign.
    """
    classes = np.unique(y)
    n_cls = classes.size
    h = np.asarray(x, dtype=np.float64)
    mats = []
    for layer in range(1, shape.num_layers + 1):
        n_units = int(shape.sizes[layer])
        means = np.stack([h[y == c].mean(axis=0) for c in classes])
        overall = h.mean(axis=0)
        rows = []
        for j in range(n_units):
            c = j % n_cls
            if layer == shape.num_layers and n_units == 1:
                diff = means[-1] - means[0]
            elif j < n_cls:
                diff = means[c] - overall
            else:
                d = (c + 1 + rng.integers(n_cls - 1)) % n_cls
                diff = means[c] - means[d]
            rows.append(diff)
        diff = np.stack(rows)
        w = np.where(diff > 0, 1, np.where(diff < 0, -1, 0))
        w = np.where(w == 0, rng.choice([-1, 1], size=w.shape), w).astype(np.int8)
        if shape.bias[layer]:
            w = np.column_stack([w, rng.choice([-1, 1], size=n_units)]).astype(np.int8)
        mats.append(w)
        inp = h if not shape.bias[layer] else np.column_stack([h, np.ones(h.shape[0])])
        h = np.where(inp @ w.T >= 0, 1.0, -1.0)
    return mats


def _acceptor(temp: float, rng: np.random.Generator) -> Callable[[int, int], bool]:
    """Metropolis test on the change of training errors at temperature ``temp``."""

    def ok(new: int, cur: int) -> bool:
        if new <= cur:
            return True
        return temp > 0 and rng.random() < np.exp(-(new - cur) / temp)

    return ok


def _dropout_mask(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    keep = rng.random(n) >= rate
    if not keep.any():
        keep[rng.integers(n)] = True
    return keep


def _masked(a: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
    return a if keep is None else a * keep[None, :]


def _margin_values(z_out: np.ndarray, y: np.ndarray, unit: int, delta: float):
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


def _solve_layer(
    shape, mats, layer, units, inputs, targets, cfg, proximity, pull_bar, sampler,
    sample_kwargs, warm_start, seed, result, wrong=None, y=None,
) -> list[np.ndarray]:
    """One sampler call for the given units of ``layer``; best read per unit block.

    ``y`` (class indices) is given for an output layer trained on class-margin targets.
    """
    mat = mats[layer - 1]
    out_z = None if y is None else inputs @ mat.T.astype(np.int64)
    blocks = []
    fan = mat.shape[1]
    m_target = max(1.0, cfg["scale"] * np.sqrt(fan)) + cfg["margin"] / 2.0
    m_target = min(m_target, float(fan))
    for u in units:
        pull = proximity * mat[u].astype(float)
        if pull_bar is not None:
            pull = pull + pull_bar[u]
        t = targets[:, u]
        weight = np.ones(inputs.shape[0])
        if cfg["surrogate"] == "hinge":
            tz = t * (inputs @ mat[u].astype(np.int64))
            weight = np.where(tz < m_target, 1.0, 0.05)
        if cfg["flip_weight"] > 0:
            cur = np.where(inputs @ mat[u].astype(np.int64) >= 0, 1, -1)
            weight = weight + cfg["flip_weight"] * (cur != t)
        if cfg["focus"] > 0 and wrong is not None:
            weight = weight + cfg["focus"] * wrong
        values = None
        if out_z is not None:
            values, direction = _margin_values(out_z, y, int(u), cfg["class_margin"])
            # a bound at least as far out as the one-vs-rest target ``direction * m``
            values = direction * np.maximum(direction * values, m_target)
            values = np.clip(values, -fan, fan)
            zc = out_z[:, u]
            short = direction * (zc - values) < 0  # the bound is not met now
            weight = np.ones(inputs.shape[0]) + cfg["flip_weight"] * short
            if cfg["focus"] > 0 and wrong is not None:
                weight = weight + cfg["focus"] * wrong
        if cfg["subsample"] < 1.0:
            weight = weight * (cfg["rng"].random(weight.size) < cfg["subsample"])
            if weight.sum() <= 0:
                weight = np.ones(inputs.shape[0])
        if values is None:
            blocks.append(unit_ising(inputs, t, weight, m_target, pull))
        else:
            blocks.append(unit_ising_values(inputs, values, weight, pull))
    bqm = block_bqm(blocks)
    n = mat.shape[1]
    variables = list(range(len(units) * n))
    init = None
    if warm_start:
        init = ((mat[units].ravel() + 1) // 2).astype(np.int8)[None, :]
    call = run_sampler(sampler, bqm, variables, sample_kwargs, seed, init)
    result.sampler_seconds += call.seconds
    result.sampler_calls += 1
    result.best_energy = float(call.energies.min())
    result.qubo_sizes.append(len(variables))
    spins = 2 * call.bits.astype(np.int64) - 1
    out = []
    for k, (h, coupling, off) in enumerate(blocks):
        block = spins[:, k * n : (k + 1) * n]
        best = int(np.argmin(spin_energy(h, coupling, off, block)))
        out.append(block[best].astype(np.int8))
    return out
