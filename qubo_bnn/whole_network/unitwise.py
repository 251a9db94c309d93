"""Unit-wise QUBO training: hidden targets, then one fan-in sized QUBO per unit, alternating.

Why: the exact whole-network QUBO (DESIGN.md 6.1) has per-sample activations, products and
slack; one weight flip breaks one equality per sample, so single-flip annealers freeze beyond a
handful of samples (6.5). This scheme keeps the machine deciding every weight but removes the
per-sample auxiliaries: they are fixed by a cheap classical step, and what remains per unit is a
dense QUBO over that unit's weights only, built from *all* training samples at once, so its
size (``n_l * (n_(l-1) + bias)`` variables per layer) does not grow with the data.

One round (layers ``1..L``, the output layer last; knobs in
:class:`~qubo_bnn.whole_network.options.UnitwiseOptions`):

1. Forward pass of the running network (activations ``a``, pre-activations ``z``).
2. Targets, from the output backwards (:func:`~qubo_bnn.whole_network.targets.layer_targets`):
   a single output gets the label (±1); each hidden layer gets, per sample, the nearest pattern
   (cheapest flips, weighted by ``|z| + 1``) that makes the next layer right. This fixes
   exactly the activation bits of the exact formulation, chosen as close to the forward pass as
   possible. Several outputs (``multiclass="margin"``): the loss is the one accuracy is
   measured by, 0-1 on the argmax of the output pre-activations. The last hidden layer's
   targets are chosen against that argmax, *graded*: a pattern that leaves the sample wrong
   costs ``1 + max_(k != y) z_k - z_y``, so the greedy flips (``target_flips`` per sample)
   close the gap to the true class even when one flip cannot fix the sample; the output units
   get class-margin target values instead of one-vs-rest labels. ``multiclass="ovr"`` keeps
   the one-vs-rest ±1 labels and the plain 0-1 targets.
3. Per layer, one sampler call over all its units
   (:func:`~qubo_bnn.whole_network.layer_solve.solve_layer`: the least-squares relaxation of
   each unit's sign constraints at the fixed targets, per-sample weights, linear pulls
   ``proximity * W_cur`` and, with dropout, ``dropout_strength * W_bar``).
4. Each unit takes its lowest-energy read. The layer's proposal is accepted as a whole, else
   unit by unit, when the full training 0-1 loss (forward pass) does not rise -- or rises by
   ``d`` errors with probability ``exp(-d / T)``, ``T = accept_temperature * S * (1 - round /
   rounds)``. The best network by training loss is kept; training stops after ``patience``
   rounds without a new best.

Dropout (DESIGN.md 6.2, our reading for this scheme): with rate ``p > 0`` each round first
solves a *subnetwork*: hidden units are dropped with probability ``p`` (at least one kept per
layer), targets are chosen for the subnetwork (dropped units contribute nothing downstream) and
the kept units' QUBOs are solved with those targets. ``W_bar`` is the running mean over rounds of
the subnetwork solutions (per weight, over the rounds in which its unit was kept); the full
solve of step 3 adds the linear term ``-dropout_strength * W_bar . w``. Only linear terms change
between solves.

Start: the given weights (``init="given"``), or the class-prototype signs of
:func:`prototype_weights` (``init="prototype"``: a cheap, non-iterative start; the sampler
still makes every later weight decision). The README's "BNN training as QUBOs" section gives
the measurements behind the defaults.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import dimod
import numpy as np

from qubo_bnn.whole_network.layer_solve import LayerProblem, LayerSolve, solve_layer
from qubo_bnn.whole_network.layers import (
    LayerShape,
    bias_column,
    count_errors,
    forward_layers,
    layered_start,
    predict_from_output,
)
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.options import UnitwiseOptions
from qubo_bnn.whole_network.result import TrainResult
from qubo_bnn.whole_network.targets import layer_targets


def train_unitwise(
    x: np.ndarray,
    y: np.ndarray,
    layers: Sequence[int] | LayerShape | BinaryNetwork,
    sampler: dimod.Sampler,
    options: UnitwiseOptions | None = None,
    *,
    sample_kwargs: Mapping | None = None,
    seed: int | None = None,
    callback: Callable[[dict], None] | None = None,
) -> TrainResult:
    """Train a layered network with the unit-wise scheme (module docstring).

    ``x`` ``(S, n_0)`` ±1; ``y`` class indices (0/1 for one output). ``layers``: layer sizes or
    a :class:`~qubo_bnn.whole_network.layers.LayerShape` (random ±1 start drawn from ``seed``)
    or a layered :class:`~qubo_bnn.whole_network.network.BinaryNetwork` (its weights are the
    start). ``options``: the scheme's knobs (``None``: the defaults). ``sample_kwargs`` go to
    every ``sampler.sample`` call; ``seed`` seeds the start, the draws and the sampler calls;
    ``callback`` receives each history row.
    """
    rng = np.random.default_rng(seed)
    shape, start = layered_start(layers)
    options = (UnitwiseOptions() if options is None else options).for_outputs(
        int(shape.sizes[-1])
    )
    run = _Run(np.asarray(x), np.asarray(y), shape, sampler, options, sample_kwargs)
    flat = _start_weights(run, start, rng)
    errors = count_errors(shape, flat, run.x, run.y)
    best_flat, best_errors = flat.copy(), errors
    mean = _SubnetworkMean(shape) if options.dropout > 0 else None
    result = TrainResult([], errors)
    stale = 0
    wrong = np.zeros(run.x.shape[0])  # rounds in which each sample was misclassified
    for rnd in range(options.rounds):
        z, _ = forward_layers(shape, flat, run.x)
        wrong += predict_from_output(z[-1]) != run.y
        t_round = time.perf_counter()
        temp = options.accept_temperature * run.x.shape[0] * (1.0 - rnd / options.rounds)
        ok = _acceptor(temp, rng)
        if mean is not None:
            for layer, units, solve, src_kept in _subnetwork_solves(run, flat, rng):
                result.add_call(solve.seconds, solve.best_energy, solve.num_variables)
                mean.add(layer, units, solve.weights, src_kept)
        flat, errors, accepted, solves = _full_round(run, flat, errors, mean, wrong, ok, rng)
        for solve in solves:
            result.add_call(solve.seconds, solve.best_energy, solve.num_variables)
        improved = errors < best_errors
        if errors <= best_errors:
            best_flat, best_errors = flat.copy(), errors
        stale = 0 if improved else stale + 1
        row = {
            "round": rnd,
            "train_errors": errors,
            "train_loss": errors / run.x.shape[0],
            "best_errors": best_errors,
            "accepted_units": accepted,
            "seconds": time.perf_counter() - t_round,
        }
        result.history.append(row)
        if callback is not None:
            callback(row)
        if stale >= options.patience:
            break
    result.weights = [m.copy() for m in shape.split(best_flat)]
    result.errors = best_errors
    return result


@dataclass(frozen=True)
class _Run:
    """The fixed inputs of one training run (``options`` with its defaults filled in)."""

    x: np.ndarray
    y: np.ndarray
    shape: LayerShape
    sampler: dimod.Sampler
    options: UnitwiseOptions
    sample_kwargs: Mapping | None

    @property
    def margin_mode(self) -> bool:
        """Several outputs trained on class-margin targets."""
        return self.options.multiclass == "margin" and self.shape.sizes[-1] > 1

    def problem(self, layer: int, mats, units, inputs, targets, **extra) -> LayerProblem:
        """The :class:`LayerProblem` of ``layer`` (class indices given to a margin output)."""
        y = self.y if self.margin_mode and layer == self.shape.num_layers else None
        inputs = bias_column(inputs, self.shape.bias[layer])
        return LayerProblem(mats[layer - 1], units, inputs, targets[layer - 1], y=y, **extra)

    def targets(self, mats, forward, keeps) -> list[np.ndarray]:
        """Every layer's targets at the running weights (keeps: the dropout unit masks)."""
        return layer_targets(self.shape, mats, forward, self.y, keeps, self.margin_mode,
                             self.options.target_flips)

    def solve(self, problem: LayerProblem, rng: np.random.Generator) -> LayerSolve:
        return solve_layer(self.sampler, problem, self.options, rng, self.sample_kwargs)


class _SubnetworkMean:
    """``W_bar``: per weight, the mean of the subnetwork solutions over the rounds it was kept."""

    def __init__(self, shape: LayerShape):
        mats = shape.split(np.zeros(shape.num_weights))
        self.sums = [np.zeros(m.shape) for m in mats]
        self.counts = [np.zeros(m.shape) for m in mats]

    def add(self, layer: int, units, weights, src_kept: np.ndarray) -> None:
        for u, w in zip(units, weights, strict=True):
            self.sums[layer - 1][u] += w * src_kept
            self.counts[layer - 1][u] += src_kept

    def pull(self, layer: int, strength: float) -> np.ndarray:
        """``strength * W_bar`` of ``layer`` (0 where a weight was never kept)."""
        return strength * self.sums[layer - 1] / np.maximum(self.counts[layer - 1], 1)


def _start_weights(run: _Run, start: np.ndarray | None, rng: np.random.Generator) -> np.ndarray:
    """The flat start: given, or random ±1 drawn from ``rng``; the prototypes if asked."""
    shape = run.shape
    if start is None:
        flat = rng.choice(np.array([-1, 1], dtype=np.int8), size=shape.num_weights)
    else:
        flat = start.copy()
    if run.options.init == "prototype":
        flat = shape.join(prototype_weights(shape, run.x, run.y, rng))
    return flat


def _subnetwork_solves(run: _Run, flat: np.ndarray, rng: np.random.Generator) -> list[tuple]:
    """Dropout: draw the kept hidden units, solve their QUBOs at the subnetwork's targets.

    Returns ``(layer, units, solve, src_kept)`` per layer; ``src_kept`` marks the kept inputs
    of the layer (its bias column always kept).
    """
    shape = run.shape
    rate = run.options.dropout
    keeps = [None] + [_dropout_mask(rng, n, rate) for n in shape.sizes[1:-1]] + [None]
    z, a = forward_layers(shape, flat, run.x)
    a = [_masked(a[i], keeps[i]) for i in range(len(a))]
    mats = shape.split(flat)
    targets = run.targets(mats, (z, a), keeps)
    out = []
    for layer in range(1, shape.num_layers + 1):
        units = np.arange(shape.sizes[layer])
        if keeps[layer] is not None:
            units = units[keeps[layer]]
        solve = run.solve(run.problem(layer, mats, units, a[layer - 1], targets), rng)
        src_kept = np.ones(mats[layer - 1].shape[1], dtype=bool)
        if keeps[layer - 1] is not None:
            src_kept[: shape.sizes[layer - 1]] = keeps[layer - 1]
        out.append((layer, units, solve, src_kept))
    return out


def _full_round(
    run: _Run,
    flat: np.ndarray,
    errors: int,
    mean: _SubnetworkMean | None,
    wrong: np.ndarray,
    ok: Callable[[int, int], bool],
    rng: np.random.Generator,
) -> tuple[np.ndarray, int, int, list[LayerSolve]]:
    """Solve and try every layer in turn; returns ``(flat, errors, accepted units, solves)``."""
    shape = run.shape
    no_keeps = [None] * (shape.num_layers + 1)
    accepted = 0
    solves = []
    for layer in range(1, shape.num_layers + 1):
        z, a = forward_layers(shape, flat, run.x)
        mats = shape.split(flat)
        targets = run.targets(mats, (z, a), no_keeps)
        pull = None if mean is None else mean.pull(layer, run.options.dropout_strength)
        units = np.arange(shape.sizes[layer])
        problem = run.problem(layer, mats, units, a[layer - 1], targets, pull=pull,
                              wrong=wrong)
        solve = run.solve(problem, rng)
        solves.append(solve)
        flat, errors, n_accepted = _accept(run, flat, layer, solve.weights, errors, ok)
        accepted += n_accepted
    return flat, errors, accepted, solves


def _accept(
    run: _Run,
    flat: np.ndarray,
    layer: int,
    proposals: list[np.ndarray],
    errors: int,
    ok: Callable[[int, int], bool],
) -> tuple[np.ndarray, int, int]:
    """Try a layer's proposals on a copy of ``flat``: all at once, else unit by unit.

    Returns the new flat weights, their training errors and how many units changed.
    """
    shape, x, y = run.shape, run.x, run.y
    cand = flat.copy()
    mat = shape.split(cand)[layer - 1]
    old_layer = mat.copy()
    mat[:] = np.asarray(proposals)
    joint = count_errors(shape, cand, x, y)
    if ok(joint, errors):  # the whole layer at once
        return cand, joint, int(np.sum(np.any(old_layer != mat, axis=1)))
    mat[:] = old_layer
    accepted = 0
    for u, w in enumerate(proposals):  # else unit by unit
        if np.array_equal(mat[u], w):
            continue
        mat[u] = w
        new_errors = count_errors(shape, cand, x, y)
        if ok(new_errors, errors):
            errors = new_errors
            accepted += 1
        else:
            mat[u] = old_layer[u]
    return cand, errors, accepted


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
