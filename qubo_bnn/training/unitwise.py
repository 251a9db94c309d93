"""Unit-wise QUBO training: hidden targets, then one fan-in sized QUBO per unit, alternating.

Why: the exact whole-network QUBO (DESIGN.md 6.1) has per-sample activations, products and
slack; one weight flip breaks one equality per sample, so single-flip annealers freeze beyond a
handful of samples (6.5). This scheme keeps the machine deciding every weight but removes the
per-sample auxiliaries: they are fixed by a cheap classical step, and what remains per unit is a
dense QUBO over that unit's weights only, built from *all* training samples at once.

One round (layers ``1..L``, the output layer last):

1. Forward pass of the running network (activations ``a``, pre-activations ``z``).
2. Targets, from the output backwards (:mod:`qubo_bnn.training.targets`): output units get the
   labels (one-vs-rest ±1 with several outputs); each hidden layer gets, per sample, the nearest
   pattern (cheapest flips, weighted by ``|z| + 1``) that makes the next layer right. This fixes
   exactly the activation bits of the exact formulation, chosen as close to the forward pass as
   possible.
3. Per layer, every unit gets the energy of :mod:`qubo_bnn.training.unit_qubo`: the
   least-squares relaxation of its sign constraints at the fixed targets (slack dropped), with
   target pre-activation ``m = min(fan_in, max(1, target_scale * sqrt(fan_in)) + margin / 2)``
   -- the margin regulariser ``-mu sum a z`` of DESIGN.md 6.2 with the activations fixed to
   their targets is exactly the ``+ margin / 2`` shift. Per-sample weights ``c_s``: a random
   half of the samples (``subsample``, redrawn per unit and round) get weight 1, the others 0;
   samples whose target differs from the unit's current activation get ``+ flip_weight`` (the
   targets otherwise mostly repeat the current activations and the running weights would be
   their own optimum); samples misclassified in ``k`` earlier rounds get ``+ focus * k``.
   Linear pulls: ``proximity * W_cur`` toward the running weights (the exact formulation's
   ``weight_bias``) and, with dropout, ``dropout_strength * W_bar``. The layer's units are
   independent blocks of one BQM: **one sampler call per layer**, warm started from the running
   weights when the sampler accepts ``initial_states``.
4. Each unit takes its lowest-energy read (the blocks are independent). The layer's proposal is
   accepted as a whole, else unit by unit, when the full training 0-1 loss (forward pass) does
   not rise -- or rises by ``d`` errors with probability ``exp(-d / T)``, ``T = accept_temperature
   * S * (1 - round / rounds)``. The best network by training loss is kept; training stops after
   ``patience`` rounds without a new best.

Dropout (DESIGN.md 6.2, our reading for this scheme): with rate ``p > 0`` each round first
solves a *subnetwork*: hidden units are dropped with probability ``p`` (at least one kept per
layer), targets are chosen for the subnetwork (dropped units contribute nothing downstream) and
the kept units' QUBOs are solved with those targets. ``W_bar`` is the running mean over rounds of
the subnetwork solutions (per weight, over the rounds in which its unit was kept); the full
solve of step 3 adds the linear term ``-dropout_strength * W_bar . w``. Only linear terms change
between solves.

These choices (subsample 0.5, flip_weight 10, focus 0.2, target_scale 1.5, T 0.01) were set by
measurement on 3-vs-8 digits and small teacher networks; ``surrogate="hinge"`` (samples beyond
the margin at the running weights get weight 0.05) is kept as an option. Samples per QUBO do not
enter its size: a layer QUBO has ``n_l * (n_(l-1) + bias)`` variables.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import dimod
import numpy as np

from qubo_bnn.training._layers import LayerShape, _bias_column, forward_layers, predict_from_output
from qubo_bnn.training._sampling import run_sampler
from qubo_bnn.training.targets import hidden_targets
from qubo_bnn.training.unit_qubo import block_bqm, spin_energy, unit_ising


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


def _all_targets(shape, mats, z, a, y, keeps):
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
            a[layer], z[layer - 1], w_next, b_next, goal, is_output, keeps[layer]
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
    target_scale: float = 1.5,
    surrogate: str = "squared",
    focus: float = 0.2,
    flip_weight: float = 10.0,
    accept_temperature: float = 0.01,
    subsample: float = 0.5,
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
    if initial_weights is None:
        flat = rng.choice(np.array([-1, 1], dtype=np.int8), size=shape.num_weights)
    else:
        flat = shape.join(initial_weights).copy()
    mats = shape.split(flat)
    errors = _errors(shape, flat, x, y)
    best_flat, best_errors = flat.copy(), errors
    w_bar_sum = [np.zeros(m.shape) for m in mats]
    w_bar_cnt = [np.zeros(m.shape) for m in mats]
    result = TrainResult([], errors)
    cfg = {"scale": target_scale, "margin": margin, "surrogate": surrogate, "focus": focus,
           "flip_weight": flip_weight,
           "subsample": subsample, "rng": rng}
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
            targets = _all_targets(shape, mats, z, a, y, keeps)
            for layer in range(1, shape.num_layers + 1):
                units = np.arange(shape.sizes[layer])
                if keeps[layer] is not None:
                    units = units[keeps[layer]]
                sub = _solve_layer(
                    shape, mats, layer, units, _bias_column(a[layer - 1], shape.bias[layer]),
                    targets[layer - 1], cfg, proximity, None, sampler, sample_kwargs,
                    warm_start, int(rng.integers(2**31 - 1)), result,
                )
                src_kept = np.ones(mats[layer - 1].shape[1], dtype=bool)
                if keeps[layer - 1] is not None:
                    src_kept[: shape.sizes[layer - 1]] = keeps[layer - 1]
                for u, w in zip(units, sub, strict=True):
                    w_bar_sum[layer - 1][u] += w * src_kept
                    w_bar_cnt[layer - 1][u] += src_kept
        for layer in range(1, shape.num_layers + 1):
            z, a = forward_layers(shape, flat, x)
            targets = _all_targets(shape, mats, z, a, y, [None] * (shape.num_layers + 1))
            pull_bar = None
            if dropout > 0:
                cnt = np.maximum(w_bar_cnt[layer - 1], 1)
                pull_bar = dropout_strength * w_bar_sum[layer - 1] / cnt
            units = np.arange(shape.sizes[layer])
            props = _solve_layer(
                shape, mats, layer, units, _bias_column(a[layer - 1], shape.bias[layer]),
                targets[layer - 1], cfg, proximity, pull_bar, sampler, sample_kwargs,
                warm_start, int(rng.integers(2**31 - 1)), result, wrong,
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


def _solve_layer(
    shape, mats, layer, units, inputs, targets, cfg, proximity, pull_bar, sampler,
    sample_kwargs, warm_start, seed, result, wrong=None,
) -> list[np.ndarray]:
    """One sampler call for the given units of ``layer``; best read per unit block."""
    mat = mats[layer - 1]
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
        if cfg["subsample"] < 1.0:
            weight = weight * (cfg["rng"].random(weight.size) < cfg["subsample"])
            if weight.sum() <= 0:
                weight = np.ones(inputs.shape[0])
        blocks.append(unit_ising(inputs, t, weight, m_target, pull))
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
