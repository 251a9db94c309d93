"""The dropout-style regulariser of the whole-network BNN QUBO (DESIGN.md section 6.2).

Iterative (:func:`dropout_regularise`), our reading of "reduced subnetworks adjust linear
penalties" — the rule, exactly:

1. For rounds ``r = 1..R``: draw a drop set with a ``numpy`` generator from ``seed``: each
   hidden neuron (``drop="hidden"``; outputs are never dropped) or each data input
   (``drop="inputs"``) is dropped independently with probability ``rate``. Draws that leave a
   kept neuron without a kept incoming edge, or a kept hidden neuron without a kept outgoing
   edge, are redrawn (at most 1000 times).
2. Remove the dropped nodes and every edge touching them; build the exact QUBO of that
   subnetwork on the same training data (same ``loss``, ``penalty``, ``margin``), sample it with
   the given dimod sampler, and decode the lowest-energy sample into ±1 weights.
3. For every edge (and bias) of the full network, ``W_bar`` is the mean of its subnetwork
   weights over the rounds in which it was kept (0 if it was never kept).
4. The full network's QUBO gets the linear term ``-eta * sum_e W_bar_e * W_e`` (spins
   ``W = 2w - 1``; passed as ``weight_bias = -eta * W_bar``). Only linear coefficients of the
   weight bits change, so the exactness bound is unaffected.

It combines with the margin term (:mod:`qubo_bnn.whole_network.margin`):
``dropout_regularise(..., margin=mu)`` builds every subnetwork QUBO and the final full QUBO with
the margin term as well.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dimod
import numpy as np

from qubo_bnn.sampling import with_seed
from qubo_bnn.whole_network.formulation import build_bnn_qubo
from qubo_bnn.whole_network.network import BinaryNetwork, as_network
from qubo_bnn.whole_network.options import DropoutOptions

__all__ = [
    "DropoutResult",
    "dropout_regularise",
    "draw_dropout",
    "subnetwork",
]


def subnetwork(
    network: BinaryNetwork, drop_neurons=(), drop_inputs=()
) -> tuple[BinaryNetwork, np.ndarray, np.ndarray, np.ndarray]:
    """The network without the given neurons/inputs and every edge touching them.

    Returns ``(sub, edge_map, neuron_map, input_map)``: the subnetwork (weights copied), and for
    each of its edges / neurons / inputs the index in the full network. Raises ``ValueError``
    when an output is dropped or a kept neuron is left without incoming edges.
    """
    n_in = network.n_inputs
    drop_neurons = np.unique(np.asarray(drop_neurons, dtype=np.int64))
    drop_inputs = np.unique(np.asarray(drop_inputs, dtype=np.int64))
    if np.isin(drop_neurons, network.outputs).any():
        raise ValueError("drop_neurons must not contain an output neuron")
    keep_in = np.setdiff1d(np.arange(n_in), drop_inputs)
    keep_neu = np.setdiff1d(np.arange(network.n_neurons), drop_neurons)
    if keep_in.size == 0:
        raise ValueError("every input was dropped")
    node_new = -np.ones(n_in + network.n_neurons, dtype=np.int64)
    node_new[keep_in] = np.arange(keep_in.size)
    node_new[n_in + keep_neu] = keep_in.size + np.arange(keep_neu.size)
    src, dst = network.edges[:, 0], network.edges[:, 1]
    edge_keep = np.flatnonzero((node_new[src] >= 0) & (node_new[dst] >= 0))
    new_edges = np.stack([node_new[src[edge_keep]], node_new[dst[edge_keep]]], axis=1)
    out_new = node_new[n_in + network.outputs] - keep_in.size
    biases = None if network.biases is None else network.biases[keep_neu]
    sub = BinaryNetwork.from_edges(
        int(keep_in.size), int(keep_neu.size), new_edges, outputs=out_new,
        weights=network.weights[edge_keep], biases=biases,
    )
    # from_edges keeps the relative order of kept edges (both orders sort by dst, then src)
    return sub, edge_keep, keep_neu, keep_in


def _valid_drop(network: BinaryNetwork, drop_neu: np.ndarray, drop_in: np.ndarray) -> bool:
    n_in = network.n_inputs
    dropped = np.zeros(n_in + network.n_neurons, dtype=bool)
    dropped[drop_in] = True
    dropped[n_in + drop_neu] = True
    if dropped[:n_in].all():
        return False
    src, dst = network.edges[:, 0], network.edges[:, 1]
    kept = ~dropped[src] & ~dropped[dst]
    n_into = np.bincount(dst[kept] - n_in, minlength=network.n_neurons)
    from_neu = kept & (src >= n_in)
    n_out = np.bincount(src[from_neu] - n_in, minlength=network.n_neurons)
    alive = ~dropped[n_in:]
    is_output = np.zeros(network.n_neurons, dtype=bool)
    is_output[network.outputs] = True
    if (alive & (n_into == 0)).any():
        return False
    return not (alive & ~is_output & (n_out == 0)).any()


def draw_dropout(
    network: BinaryNetwork, rate: float, drop: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One valid drop set ``(neurons, inputs)`` per the rule in the module docstring."""
    if drop not in ("hidden", "inputs"):
        raise ValueError(f"drop must be 'hidden' or 'inputs', got {drop!r}")
    hidden = np.setdiff1d(np.arange(network.n_neurons), network.outputs)
    if drop == "hidden" and hidden.size == 0:
        raise ValueError("drop='hidden' needs a network with hidden neurons")
    for _ in range(1000):
        if drop == "hidden":
            neu = hidden[rng.random(hidden.size) < rate]
            inp = np.zeros(0, np.int64)
        else:
            neu = np.zeros(0, np.int64)
            inp = np.flatnonzero(rng.random(network.n_inputs) < rate)
        if _valid_drop(network, neu, inp):
            return neu, inp
    raise ValueError(f"no valid drop set found in 1000 draws at rate {rate}; lower the rate")


@dataclass
class DropoutResult:
    """Outcome of :func:`dropout_regularise`.

    ``mean_weights`` (n_edges,) and ``mean_biases`` are ``W_bar`` (0 where never kept),
    ``kept_counts`` how often each edge (then each bias) was kept, ``weight_bias`` the linear
    coefficients given to the full QUBO, ``formulation`` the full QUBO with them, ``rounds``
    one record per round, ``network``/``sampleset`` the solved full problem when asked.
    """

    mean_weights: np.ndarray
    mean_biases: np.ndarray | None
    kept_counts: np.ndarray
    weight_bias: np.ndarray
    formulation: Any
    rounds: list[dict] = field(default_factory=list)
    network: BinaryNetwork | None = None
    sampleset: dimod.SampleSet | None = None


def dropout_regularise(
    network_topology: BinaryNetwork,
    X,
    y,
    sampler: dimod.Sampler,
    options: DropoutOptions | None = None,
    *,
    sample_kwargs: Mapping | None = None,
    seed: int | None = 0,
    **build_kwargs,
) -> DropoutResult:
    """Run the iterative dropout-style regulariser (rule in the module docstring).

    ``options``: rounds, rate, eta, what is dropped and whether the full QUBO is solved too
    (:class:`~qubo_bnn.whole_network.options.DropoutOptions`; ``None``: its defaults).
    ``sampler`` is any dimod sampler, called as ``sampler.sample(bqm, **sample_kwargs)``
    (a ``seed`` drawn from ``seed`` is added when the sampler takes one and none is given).
    ``build_kwargs`` (``loss``, ``penalty``, ``margin``, ``weight_bias``) go to
    :func:`~qubo_bnn.whole_network.formulation.build_bnn_qubo`; a given ``weight_bias`` is
    added to the dropout term of the full QUBO (subnetwork QUBOs do not get it). With
    ``options.solve`` the full QUBO is sampled too and ``network`` is its best decoded network.
    """
    options = DropoutOptions() if options is None else options
    net = as_network(network_topology)
    if not isinstance(sampler, dimod.Sampler) and not hasattr(sampler, "sample"):
        raise TypeError("sampler must be a dimod sampler (with a .sample(bqm, ...) method)")
    X = np.asarray(X)
    sample_kwargs = dict(sample_kwargs or {})
    base_h = build_kwargs.pop("weight_bias", None)
    rng = np.random.default_rng(seed)

    E = net.n_edges
    n_w = E + (net.n_neurons if net.has_bias else 0)
    total = np.zeros(n_w)
    count = np.zeros(n_w, dtype=np.int64)
    history = []
    for r in range(options.rounds):
        t0 = time.perf_counter()
        drop_neu, drop_in = draw_dropout(net, options.rate, options.drop, rng)
        sub, edge_map, neu_map, in_map = subnetwork(net, drop_neu, drop_in)
        form = build_bnn_qubo(sub, X[:, in_map], y, **build_kwargs)
        best = sampler.sample(form.bqm, **with_seed(sampler, sample_kwargs, rng)).first
        sub_net = form.decode(best.sample)
        total[edge_map] += sub_net.weights
        count[edge_map] += 1
        if net.has_bias:
            total[E + neu_map] += sub_net.biases
            count[E + neu_map] += 1
        history.append({
            "round": r,
            "dropped_neurons": drop_neu.tolist(),
            "dropped_inputs": drop_in.tolist(),
            "num_variables": form.num_variables,
            "energy": float(best.energy),
            "feasible": form.check(best.sample).feasible,
            "subnetwork_loss": form.zero_one_loss(sub_net),
            "seconds": time.perf_counter() - t0,
        })
    mean = np.divide(total, count, out=np.zeros(n_w), where=count > 0)
    h = _full_pull(mean, options.eta, base_h, E)
    full = build_bnn_qubo(net, X, y, weight_bias=h, **build_kwargs)
    sampleset = network = None
    if options.solve:
        sampleset = sampler.sample(full.bqm, **with_seed(sampler, sample_kwargs, rng))
        network = full.decode(sampleset.first.sample)
    return DropoutResult(
        mean_weights=mean[:E],
        mean_biases=mean[E:] if net.has_bias else None,
        kept_counts=count,
        weight_bias=h,
        formulation=full,
        rounds=history,
        network=network,
        sampleset=sampleset,
    )


def _full_pull(mean: np.ndarray, eta: float, base_h, n_edges: int) -> np.ndarray:
    """``-eta * W_bar`` plus a given ``weight_bias`` (over the weights, or weights and biases)."""
    h = -float(eta) * mean
    if base_h is not None:
        base_h = np.asarray(base_h, dtype=np.float64).ravel()
        if base_h.size not in (n_edges, mean.size):
            raise ValueError(
                f"weight_bias must hold {n_edges} or {mean.size} numbers, got {base_h.size}"
            )
        h[: base_h.size] += base_h
    return h
