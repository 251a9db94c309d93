"""Exact-formulation training: small batches of the whole-network QUBO, chained.

The reference scheme (``scheme="exact"`` of the classifier; knobs in
:class:`~qubo_bnn.whole_network.options.ExactBatchOptions`): every round builds the exact QUBO
of DESIGN.md 6.1 (:func:`qubo_bnn.whole_network.formulation.build_bnn_qubo`) on a batch of
``batch_size`` training samples, half of them drawn from the currently misclassified ones and
the rest from the lowest-margin ones (smallest output ``|z|``), with

- a linear pull ``weight_bias = -proximity * W_cur`` toward the running weights,
- the margin term (``margin``) of the formulation, and, with ``dropout > 0``, one round of the
  dropout-style regulariser of :mod:`qubo_bnn.whole_network.dropout` on the same batch
  (its ``-eta * W_bar`` is added to the pull),
- initial states ``encode(running network)`` when the sampler accepts ``initial_states``.

The lowest-energy read is checked (violated constraints are counted), decoded to its weights
(which repairs any violated activation by a forward pass) and accepted when the full training
0-1 loss does not rise. Any DAG topology works. This is the scheme single-flip annealers
struggle with beyond a few samples per QUBO (DESIGN.md 6.5); it is kept as the reference.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import dimod
import numpy as np

from qubo_bnn.sampling import run_sampler
from qubo_bnn.whole_network.dropout import dropout_regularise
from qubo_bnn.whole_network.formulation import BNNFormulation, build_bnn_qubo
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.options import DropoutOptions, ExactBatchOptions
from qubo_bnn.whole_network.result import TrainResult
from qubo_bnn.whole_network.targets import output_targets


def _spins(net: BinaryNetwork) -> np.ndarray:
    w = net.weights.astype(np.float64)
    return w if net.biases is None else np.concatenate([w, net.biases.astype(np.float64)])


def _choose_batch(net, x, y, size, rng) -> np.ndarray:
    z = net.preactivations(x)[:, net.outputs]
    wrong = np.flatnonzero(net.predict_class(x) != y)
    size = min(size, x.shape[0])
    n_wrong = min(wrong.size, (size + 1) // 2)
    pick = rng.choice(wrong, size=n_wrong, replace=False) if n_wrong else np.zeros(0, int)
    rest = np.setdiff1d(np.arange(x.shape[0]), pick)
    margin = np.abs(z).min(axis=1)[rest] + rng.random(rest.size)  # random tie-break
    pick = np.concatenate([pick, rest[np.argsort(margin)[: size - n_wrong]]])
    return pick.astype(np.int64)


def train_exact_batches(
    x: np.ndarray,
    y: np.ndarray,
    network: BinaryNetwork,
    sampler: dimod.Sampler,
    options: ExactBatchOptions | None = None,
    *,
    sample_kwargs: Mapping | None = None,
    seed: int | None = None,
    callback: Callable[[dict], None] | None = None,
) -> tuple[BinaryNetwork, TrainResult]:
    """Train ``network`` (its weights are the start) on ``x`` (±1), ``y`` (class indices).

    ``options``: the scheme's knobs (``None``: the defaults); ``sample_kwargs`` go to every
    ``sampler.sample`` call; ``seed`` seeds the batches, dropout draws and sampler calls;
    ``callback`` receives each history row. Returns the best network by training errors and a
    :class:`~qubo_bnn.whole_network.result.TrainResult` (its ``weights`` list is left empty:
    the network is returned instead). See the module docstring.
    """
    options = ExactBatchOptions() if options is None else options
    rng = np.random.default_rng(seed)
    net = network.copy()
    errors = int(np.sum(net.predict_class(x) != y))
    best_net, best_errors = net.copy(), errors
    result = TrainResult([], errors)
    for rnd in range(options.rounds):
        t0 = time.perf_counter()
        batch = _choose_batch(net, x, y, options.batch_size, rng)
        form, subnetwork_calls = _batch_qubo(net, x[batch], y[batch], sampler, options,
                                             sample_kwargs, rng)
        result.sampler_calls += subnetwork_calls
        variables = list(range(form.num_variables))
        init = form.encode(net)[None, :] if options.warm_start else None
        call = run_sampler(
            sampler, form.bqm, variables, sample_kwargs, int(rng.integers(2**31 - 1)), init
        )
        best = int(np.argmin(call.energies))
        result.add_call(call.seconds, call.energies[best], form.num_variables)
        report = form.check(call.bits[best])
        result.violations += report.num_violated
        cand = form.decode(call.bits[best])  # weights only: activations repaired by forward pass
        cand_errors = int(np.sum(cand.predict_class(x) != y))
        accepted = cand_errors <= errors
        if accepted:
            net, errors = cand, cand_errors
        if errors <= best_errors:
            best_net, best_errors = net.copy(), errors
        row = {
            "round": rnd,
            "train_errors": errors,
            "train_loss": errors / x.shape[0],
            "best_errors": best_errors,
            "accepted": bool(accepted),
            "violated_constraints": report.num_violated,
            "qubo_variables": form.num_variables,
            "seconds": time.perf_counter() - t0,
        }
        result.history.append(row)
        if callback is not None:
            callback(row)
        if best_errors == 0 and options.margin == 0 and options.dropout == 0:
            break
    result.errors = best_errors
    return best_net, result


def _batch_qubo(
    net: BinaryNetwork,
    xb: np.ndarray,
    yb: np.ndarray,
    sampler: dimod.Sampler,
    options: ExactBatchOptions,
    sample_kwargs: Mapping | None,
    rng: np.random.Generator,
) -> tuple[BNNFormulation, int]:
    """The batch's exact QUBO with the pull toward ``net`` (and, with dropout, its round).

    Returns the formulation and the sampler calls the dropout round made (0 or 1).
    """
    yb = output_targets(yb, net.n_outputs)
    pull = -options.proximity * _spins(net)
    if options.dropout == 0:
        form = build_bnn_qubo(net, xb, yb, margin=options.margin, penalty=options.penalty,
                              weight_bias=pull)
        return form, 0
    reg = dropout_regularise(
        net, xb, yb, sampler,
        DropoutOptions(rounds=1, rate=options.dropout, eta=options.dropout_strength),
        sample_kwargs=sample_kwargs, seed=int(rng.integers(2**31 - 1)),
        margin=options.margin, penalty=options.penalty, weight_bias=pull,
    )
    return reg.formulation, 1
