"""Whole-network BNN training as one QUBO (DESIGN.md section 6.1), any feed-forward DAG.

:func:`build_bnn_qubo` returns a :class:`BNNFormulation`. Its variables (integer labels, in
this order) are

``weight``      one bit ``w`` per edge (``W = 2w - 1``), in the network's edge order;
``bias``        one bit per neuron when the topology has biases;
``activation``  ``alpha[s, j]`` for every sample ``s`` and neuron ``j`` (with ``loss="hard"``
                the output neurons' activations are the constants ``ybar`` and have no bit);
``product``     ``u[s, e] = w_e AND alpha[s, src(e)]`` for every sample and neuron->neuron
                edge ``e``;
``slack``       the bounded binary slack of every (sample, neuron) sign constraint.

Encodings (all exact):

- input edge: the product ``x * W`` is +1 iff ``w == (x > 0)``: the bit ``w`` or ``1 - w``;
- neuron edge: the product ``W * a`` is +1 iff ``1 - w - alpha + 2u = 1``; ``u`` is enforced by
  ``lambda_and * (w alpha - 2 w u - 2 alpha u + 3 u)``;
- bias: +1 product iff ``b = 1``;
- sign: with ``pc`` the number of +1 products into a neuron and ``N`` its fan-in (bias
  included), a constant +1 input is added when ``N`` is even, so ``N' = N + [N even]`` is odd,
  ``T = (N' + 1) / 2`` and ``alpha = 1 <=> pc' >= T``. Penalty
  ``lambda_sign * (pc' - T alpha - s)^2`` with slack ``s in [0, T - 1]``
  (:func:`qubo_bnn.encoding.slack_coefficients`, ``ceil(log2 T)`` bits);
- loss ``"zero_one"``: ``ybar + alpha - 2 ybar alpha`` per sample and output (``ybar = (y+1)/2``);
  ``"hard"``: output activations fixed to ``ybar`` (feasible iff every label is fitted);
- margin (``margin = mu``): ``-mu * sum_{s, j} a z`` (see
  :mod:`qubo_bnn.whole_network.margin`);
- ``weight_bias = h``: ``+ sum_e h_e W_e`` (spins ``W = 2w - 1``), e.g. ``h = -eta * W_ref`` pulls
  the weights toward a reference network.

Objective encoded (:meth:`BNNFormulation.loss`): number of wrong (sample, output) bits
``- mu * sum |z| + sum h W``. For fixed weights the auxiliaries of different samples decouple;
any violated constraint costs at least ``lambda`` while the loss and margin of one sample can
change by at most ``bound = L + mu * sum_j Zmax_j`` (``L`` = number of outputs for
``"zero_one"``, 0 for ``"hard"``; ``Zmax_j = 5 * (#neuron inputs) + #data inputs + bias`` bounds
``|z_j|`` at any bits, because ``4u - 2w - 2 alpha + 1`` lies in [-3, 5]). So with
``lambda > bound`` every infeasible assignment has energy at least ``lambda - bound`` above the
feasible one with the same weights, and the QUBO minimum is the minimum training objective.
The default penalty is ``bound + 1`` (penalty gap 1); ``info`` reports both.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import dimod
import numpy as np

from qubo_bnn.encoding import (
    QuadraticTerms,
    and_penalty,
    slack_bits,
    slack_coefficients,
    squared_linear_shared,
)
from qubo_bnn.formulation import ConstraintReport, Formulation
from qubo_bnn.whole_network.margin import margin_bound, margin_terms
from qubo_bnn.whole_network.network import BinaryNetwork, as_network

__all__ = ["BNNFormulation", "build_bnn_qubo", "layered_variable_counts"]


def layered_variable_counts(sizes: Sequence[int], n_samples: int) -> dict[str, int]:
    """DESIGN.md 6.1 size formula for layers ``n_0 -> ... -> n_L`` (no biases, 0-1 loss).

    weights ``sum n_l n_(l-1)``; activations ``S sum_(l>=1) n_l``; products
    ``S sum_(l>=2) n_l n_(l-1)``; slack ``S sum_l n_l ceil(log2 T_l)``.
    """
    sizes = [int(s) for s in sizes]
    S = int(n_samples)
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    acts = S * sum(sizes[1:])
    prods = S * sum(a * b for a, b in zip(sizes[1:-1], sizes[2:], strict=True))
    slack = 0
    for n_prev, n in zip(sizes[:-1], sizes[1:], strict=True):
        T = (n_prev + (n_prev % 2 == 0) + 1) // 2
        slack += n * int(T - 1).bit_length()
    return {"weight": weights, "activation": acts, "product": prods, "slack": S * slack}


@dataclass
class _NeuronRows:
    """The sign constraint of one neuron for all samples: residual = const + sum coef * q[idx].

    ``pc_cols`` columns hold the +1-product count (without the constant +1 input), the rest
    are the ``-T alpha`` and ``-slack`` columns.
    """

    idx: np.ndarray  # (S, m) int64
    coef: np.ndarray  # (S, m) float64
    const: np.ndarray  # (S,) float64
    pc_cols: int
    pc_const: np.ndarray  # (S,) constant part of pc (without the +1 augment)


@dataclass(eq=False)
class BNNFormulation(Formulation):
    """The whole-network BNN QUBO of one topology and training set (see module docstring).

    Built by :func:`build_bnn_qubo`. Besides ``bqm``, ``variables`` and ``info``
    (:class:`~qubo_bnn.formulation.Formulation`): the ``topology``, the training data
    ``X`` (S, n_inputs) and ``Y`` (S, n_outputs) (±1), and index arrays (labels are the integers
    ``0..num_variables-1``): ``weight_index`` (E,), ``bias_index`` (n_neurons,) or ``None``,
    ``activation_index`` (S, n_neurons) with -1 where the activation is the constant
    ``activation_const`` (hard-label outputs), ``product_index`` (S, n_nn_edges) over
    ``nn_edges`` (positions in the edge order), ``slack_index[j]`` (S, k_j) with coefficients
    ``slack_coefficients[j]``; ``thresholds`` are the ``T_j``.
    """

    bqm: dimod.BinaryQuadraticModel
    variables: dict[str, list]
    info: dict[str, Any]
    topology: BinaryNetwork
    X: np.ndarray
    Y: np.ndarray
    loss_kind: str
    margin: float
    weight_bias: np.ndarray | None
    penalty_sign: float
    penalty_product: float
    weight_index: np.ndarray
    bias_index: np.ndarray | None
    activation_index: np.ndarray
    activation_const: np.ndarray
    nn_edges: np.ndarray
    product_index: np.ndarray
    slack_index: list[np.ndarray]
    slack_coefficients: list[np.ndarray]
    thresholds: np.ndarray
    rows: list[_NeuronRows] = field(repr=False)

    # ------------------------------------------------------------------ samples
    @property
    def num_variables(self) -> int:
        return int(self.bqm.num_variables)

    def _vector(self, sample) -> np.ndarray:
        n = self.num_variables
        if isinstance(sample, Mapping):
            try:
                vec = np.fromiter((sample[v] for v in range(n)), dtype=np.int64, count=n)
            except KeyError as exc:
                raise ValueError(f"sample lacks variable {exc.args[0]!r}") from exc
        else:
            vec = np.asarray(sample).ravel()
            if vec.size != n:
                raise ValueError(
                    f"sample must have {n} entries (labels 0..{n - 1}), got {vec.size}"
                )
        if not np.isin(vec, (0, 1)).all():
            raise ValueError("sample values must be 0 or 1 (BINARY)")
        return vec.astype(np.int8)

    def sample_array(self, sampleset: dimod.SampleSet) -> np.ndarray:
        """``(num_reads, num_variables)`` int8 array of a SampleSet's samples in label order."""
        labels = np.asarray(list(sampleset.variables))
        if labels.size != self.num_variables or set(labels.tolist()) != set(
            range(self.num_variables)
        ):
            raise ValueError("sampleset variables do not match this formulation's labels")
        out = np.empty((len(sampleset), self.num_variables), dtype=np.int8)
        out[:, labels] = sampleset.record.sample
        return out

    def decode_sampleset(self, sampleset: dimod.SampleSet) -> list[BinaryNetwork]:
        """:meth:`decode` of every sample of a SampleSet, in its record order."""
        return [self.decode(row) for row in self.sample_array(sampleset)]

    def energy(self, sample) -> float:
        """``bqm.energy`` of a sample (Mapping or array in label order)."""
        vec = self._vector(sample)
        return float(self.bqm.energies((vec[None, :], range(self.num_variables)))[0])

    def decode(self, sample) -> BinaryNetwork:
        """The network whose ±1 weights (and biases) are the sample's weight (bias) bits."""
        vec = self._vector(sample)
        w = 2 * vec[self.weight_index] - 1
        b = None if self.bias_index is None else 2 * vec[self.bias_index] - 1
        return self.topology.with_weights(w, b)

    def with_weight_bias(self, weight_bias) -> BNNFormulation:
        """A copy whose linear pull on the weights is ``weight_bias`` (replacing the old one).

        Only the linear terms of the weight (and bias) bits and the offset change, so this is
        much cheaper than rebuilding; ``None`` removes the pull.
        """
        n_w = self.weight_index.size + (0 if self.bias_index is None else self.bias_index.size)
        new_h = None
        if weight_bias is not None:
            new_h = np.asarray(weight_bias, dtype=np.float64).ravel()
            if new_h.size not in (self.weight_index.size, n_w) or not np.isfinite(new_h).all():
                raise ValueError(
                    f"weight_bias must hold {self.weight_index.size} or {n_w} finite numbers, "
                    f"got {new_h.size}"
                )
        delta = np.zeros(n_w)
        if self.weight_bias is not None:
            delta[: self.weight_bias.size] -= self.weight_bias
        if new_h is not None:
            delta[: new_h.size] += new_h
        bqm = self.bqm.copy()
        bqm.add_linear_from_array(2.0 * delta)
        bqm.offset -= float(delta.sum())
        return dataclasses.replace(self, bqm=bqm, weight_bias=new_h, info=dict(self.info))

    def _check_network(self, network: BinaryNetwork) -> None:
        if not isinstance(network, BinaryNetwork):
            raise TypeError(f"network must be a BinaryNetwork, got {type(network).__name__}")
        t = self.topology
        if (
            network.n_inputs != t.n_inputs
            or network.n_neurons != t.n_neurons
            or not np.array_equal(network.edges, t.edges)
            or not np.array_equal(network.outputs, t.outputs)
            or network.has_bias != t.has_bias
        ):
            raise ValueError("network does not have this formulation's topology")

    def zero_one_loss(self, network: BinaryNetwork) -> int:
        """Number of (sample, output) pairs where the network's output differs from the label."""
        self._check_network(network)
        return int(np.sum(network.predict(self.X) != self.Y))

    def loss(self, network: BinaryNetwork) -> float:
        """The objective the QUBO encodes, from a forward pass over the training data.

        ``zero_one_loss - margin * sum_{s, j} |z_sj| + sum_e weight_bias_e * W_e`` (biases
        included in the last sum when ``weight_bias`` covers them). With ``loss="hard"`` this
        equals the minimum energy over the auxiliaries only when the network fits every label.
        """
        self._check_network(network)
        z, a = network.forward_with_preactivations(self.X)
        value = float(np.sum(a[:, network.outputs] != self.Y))
        if self.margin:
            value -= self.margin * float(np.abs(z).sum())
        if self.weight_bias is not None:
            spins = network.weights.astype(np.float64)
            if self.weight_bias.size > spins.size:
                spins = np.concatenate([spins, network.biases.astype(np.float64)])
            value += float(self.weight_bias @ spins)
        return value

    def encode(self, network: BinaryNetwork) -> np.ndarray:
        """The assignment of ``network``: weights, forward-pass activations, products, slack.

        Returns a 0/1 int8 vector indexed by label. Feasible (zero penalty) whenever the
        network is consistent with the formulation (always for ``"zero_one"``; for ``"hard"``
        when it fits every label; otherwise the slack is clipped to its range).
        """
        self._check_network(network)
        vec = np.zeros(self.num_variables, dtype=np.int8)
        vec[self.weight_index] = network.weights > 0
        if self.bias_index is not None:
            vec[self.bias_index] = network.biases > 0
        act = network.forward(self.X) > 0
        var = self.activation_index >= 0
        vec[self.activation_index[var]] = act[var]
        if self.nn_edges.size:
            src = self.topology.edges[self.nn_edges, 0] - self.topology.n_inputs
            act_src = self._activation_values(vec)[:, src]
            w = vec[self.weight_index[self.nn_edges]]
            vec[self.product_index] = act_src & w[None, :]
        for j, rows in enumerate(self.rows):
            r0 = rows.const + np.sum(rows.coef * vec[rows.idx], axis=1)
            top = int(self.slack_coefficients[j].sum())
            s = np.clip(np.rint(r0).astype(np.int64), 0, top)
            if self.slack_index[j].shape[1]:
                vec[self.slack_index[j]] = slack_bits(s, self.slack_coefficients[j])
        return vec

    def _activation_values(self, vec: np.ndarray) -> np.ndarray:
        """(S, n_neurons) 0/1 activations of an assignment (constants filled in)."""
        out = np.empty(self.activation_index.shape, dtype=np.int8)
        var = self.activation_index >= 0
        out[var] = vec[self.activation_index[var]]
        out[~var] = self.activation_const[~var]
        return out

    def check(self, sample) -> ConstraintReport:
        """Violated constraints: ``"sign"`` as ``(sample, neuron)``, ``"product"`` as
        ``(sample, edge position)``; ``penalty`` is their total penalty energy."""
        vec = self._vector(sample)
        report = ConstraintReport(violations={"sign": [], "product": []})
        total = 0.0
        for j, rows in enumerate(self.rows):
            r = rows.const + np.sum(rows.coef * vec[rows.idx], axis=1)
            bad = np.flatnonzero(np.abs(r) > 0.5)
            report.violations["sign"].extend((int(s), j) for s in bad)
            total += self.penalty_sign * float(np.sum(r * r))
        if self.nn_edges.size:
            src = self.topology.edges[self.nn_edges, 0] - self.topology.n_inputs
            a = self._activation_values(vec)[:, src].astype(np.int64)
            w = vec[self.weight_index[self.nn_edges]].astype(np.int64)[None, :]
            u = vec[self.product_index].astype(np.int64)
            pen = w * a - 2 * w * u - 2 * a * u + 3 * u
            s_idx, e_idx = np.nonzero(pen)
            report.violations["product"].extend(
                (int(s), int(self.nn_edges[e])) for s, e in zip(s_idx, e_idx, strict=True)
            )
            total += self.penalty_product * float(pen.sum())
        report.penalty = total
        return report


def _penalties(penalty, bound: float) -> tuple[float, float]:
    if penalty is None:
        return bound + 1.0, bound + 1.0
    if isinstance(penalty, Mapping):
        extra = set(penalty) - {"sign", "product"}
        if extra:
            raise ValueError(f"penalty keys must be 'sign' and/or 'product', got {sorted(extra)}")
        lam_s = float(penalty.get("sign", bound + 1.0))
        lam_p = float(penalty.get("product", bound + 1.0))
    else:
        try:
            lam_s = lam_p = float(penalty)
        except (TypeError, ValueError) as exc:
            raise TypeError("penalty must be None, a number or a dict") from exc
    if not (lam_s > 0 and lam_p > 0) or not np.isfinite([lam_s, lam_p]).all():
        raise ValueError(f"penalty strengths must be positive and finite, got {penalty!r}")
    return lam_s, lam_p


def build_bnn_qubo(
    network_topology,
    X,
    y,
    *,
    loss: str = "zero_one",
    penalty=None,
    margin: float = 0.0,
    weight_bias=None,
) -> BNNFormulation:
    """Build the exact whole-network training QUBO (DESIGN.md 6.1; see the module docstring).

    Parameters
    ----------
    network_topology:
        A :class:`~qubo_bnn.whole_network.network.BinaryNetwork` (its weights are ignored) or
        layer sizes.
    X:
        ``(S, n_inputs)`` ±1 training inputs.
    y:
        ±1 labels, ``(S,)`` for one output or ``(S, n_outputs)``.
    loss:
        ``"zero_one"`` (soft: count wrong output bits) or ``"hard"`` (fit every label).
    penalty:
        ``None`` (default ``bound + 1``, exact), a number for both constraint families, or a
        dict with keys ``"sign"``/``"product"``.
    margin:
        ``mu >= 0`` of the margin regulariser ``-mu * sum a z``.
    weight_bias:
        Optional per-weight spin coefficients ``h`` (length ``n_edges``, or ``n_edges +
        n_neurons`` to cover biases too): adds ``sum h W``.

    ``info`` holds the penalties used, ``exact_bound``, ``penalty_gap``, ``exact``,
    ``build_seconds``, ``num_interactions``.
    """
    t0 = time.perf_counter()
    net = as_network(network_topology)
    X, Y, margin, weight_bias = _check_inputs(net, X, y, loss, margin, weight_bias)
    lay = _Layout.build(net, Y, loss)
    lam_bound = (net.n_outputs if loss == "zero_one" else 0) + margin_bound(net, margin)
    lam_s, lam_p = _penalties(penalty, lam_bound)

    terms = QuadraticTerms(lay.n_vars)
    sign_terms, rows = _sign_terms(net, X, lay, lam_s, margin)
    terms.extend(sign_terms)
    terms.extend(_product_terms(net, lay, lam_p))
    terms.extend(_objective_terms(net, lay, loss, weight_bias))
    bqm = terms.to_bqm()
    info = {
        "loss": loss,
        "n_samples": lay.n_samples,
        "margin": margin,
        "penalty_sign": lam_s,
        "penalty_product": lam_p,
        "exact_bound": lam_bound,
        "penalty_gap": min(lam_s, lam_p) - lam_bound,
        "exact": min(lam_s, lam_p) > lam_bound,
        "num_variables": lay.n_vars,
        "num_interactions": int(bqm.num_interactions),
        "build_seconds": time.perf_counter() - t0,
    }
    return BNNFormulation(
        bqm=bqm, variables=lay.variables(), info=info, topology=net, X=X, Y=Y, loss_kind=loss,
        margin=margin, weight_bias=weight_bias, penalty_sign=lam_s, penalty_product=lam_p,
        weight_index=lay.weight_index, bias_index=lay.bias_index,
        activation_index=lay.activation_index, activation_const=lay.act_const,
        nn_edges=lay.nn_edges, product_index=lay.product_index, slack_index=lay.slack_index,
        slack_coefficients=lay.coefs, thresholds=lay.T, rows=rows,
    )


def _check_inputs(net: BinaryNetwork, X, y, loss: str, margin: float, weight_bias):
    """``(X, Y, margin, weight_bias)`` checked and converted (int8 ±1, float, float array)."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != net.n_inputs or X.shape[0] < 1:
        raise ValueError(f"X must have shape (n_samples >= 1, {net.n_inputs}), got {X.shape}")
    if not np.isin(X, (-1, 1)).all():
        raise ValueError("X must contain only -1 and +1")
    X = X.astype(np.int8)
    S = X.shape[0]
    Y = np.asarray(y)
    if Y.shape[0] != S:
        raise ValueError(f"y has {Y.shape[0]} rows but X has {S}")
    Y = Y.reshape(S, -1)
    if Y.shape[1] != net.n_outputs:
        raise ValueError(f"y must have {net.n_outputs} column(s) (one per output), got {Y.shape}")
    if not np.isin(Y, (-1, 1)).all():
        raise ValueError("y must contain only -1 and +1 (use one_hot_pm1 for class labels)")
    Y = Y.astype(np.int8)
    if loss not in ("zero_one", "hard"):
        raise ValueError(f"loss must be 'zero_one' or 'hard', got {loss!r}")
    margin = float(margin)
    if not (margin >= 0 and np.isfinite(margin)):
        raise ValueError(f"margin must be a finite number >= 0, got {margin}")
    E = net.n_edges
    n_w = E + (net.n_neurons if net.has_bias else 0)
    if weight_bias is not None:
        weight_bias = np.asarray(weight_bias, dtype=np.float64).ravel()
        if weight_bias.size not in (E, n_w) or not np.isfinite(weight_bias).all():
            raise ValueError(
                f"weight_bias must hold {E} (weights) or {n_w} (weights and biases) finite "
                f"numbers, got {weight_bias.size}"
            )
    return X, Y, margin, weight_bias


@dataclass
class _Layout:
    """Where every variable of the QUBO lives (labels ``0 .. n_vars - 1``, module docstring).

    Activations of hard-label outputs are the constants ``act_const`` (``act_var`` False, index
    -1); ``fan``/``aug``/``T`` are each neuron's fan-in (bias included), its constant +1
    augment and threshold; ``coefs``/``k``/``k_off`` its slack coefficients, bit count and
    offset within a sample's slack block.
    """

    n_samples: int
    is_nn: np.ndarray
    nn_edges: np.ndarray
    weight_index: np.ndarray
    bias_index: np.ndarray | None
    act_var: np.ndarray
    act_const: np.ndarray
    activation_index: np.ndarray
    product_index: np.ndarray
    fan: np.ndarray
    aug: np.ndarray
    T: np.ndarray
    coefs: list[np.ndarray]
    k: np.ndarray
    k_off: np.ndarray
    slack_index: list[np.ndarray]
    n_vars: int
    ybar: np.ndarray

    @classmethod
    def build(cls, net: BinaryNetwork, Y: np.ndarray, loss: str) -> _Layout:
        S = Y.shape[0]
        n_in, n_neu, E = net.n_inputs, net.n_neurons, net.n_edges
        is_nn = net.edges[:, 0] >= n_in
        weight_index = np.arange(E)
        bias_index = np.arange(E, E + n_neu) if net.has_bias else None
        nxt = E + (n_neu if net.has_bias else 0)
        act_const = np.zeros((S, n_neu), dtype=np.int8)
        act_var = np.ones(n_neu, dtype=bool)
        ybar = (Y + 1) // 2
        if loss == "hard":
            act_var[net.outputs] = False
            act_const[:, net.outputs] = ybar
        n_act = int(act_var.sum())
        activation_index = -np.ones((S, n_neu), dtype=np.int64)
        activation_index[:, act_var] = nxt + np.arange(S * n_act).reshape(S, n_act)
        nxt += S * n_act
        nn_edges = np.flatnonzero(is_nn)
        product_index = nxt + np.arange(S * nn_edges.size).reshape(S, nn_edges.size)
        nxt += S * nn_edges.size
        fan = net.fan_in + (1 if net.has_bias else 0)
        aug = (fan % 2 == 0).astype(np.int64)
        T = (fan + aug + 1) // 2
        coefs = [slack_coefficients(int(t) - 1) for t in T]
        k = np.array([c.size for c in coefs])
        k_off = np.concatenate([[0], np.cumsum(k)])
        slack_base = nxt + np.arange(S)[:, None] * k_off[-1]
        slack_index = [slack_base + k_off[j] + np.arange(k[j])[None, :] for j in range(n_neu)]
        nxt += S * int(k_off[-1])
        return cls(S, is_nn, nn_edges, weight_index, bias_index, act_var, act_const,
                   activation_index, product_index, fan, aug, T, coefs, k, k_off, slack_index,
                   nxt, ybar)

    def variables(self) -> dict[str, list]:
        """Labels by kind, in label order."""
        out = {"weight": self.weight_index.tolist()}
        if self.bias_index is not None:
            out["bias"] = self.bias_index.tolist()
        out["activation"] = self.activation_index[:, self.act_var].ravel().tolist()
        out["product"] = self.product_index.ravel().tolist()
        out["slack"] = list(range(self.n_vars - self.n_samples * int(self.k_off[-1]),
                                  self.n_vars))
        return out


def _sign_terms(
    net: BinaryNetwork, X: np.ndarray, lay: _Layout, lam_s: float, margin: float
) -> tuple[QuadraticTerms, list[_NeuronRows]]:
    """Every neuron's sign-constraint penalty (and margin term) and its constraint rows."""
    terms = QuadraticTerms(lay.n_vars)
    starts = np.searchsorted(net.edges[:, 1] - net.n_inputs, np.arange(net.n_neurons + 1))
    rows: list[_NeuronRows] = []
    for j in range(net.n_neurons):
        shared_index, shared_coef, ps_idx, ps_coef, const, pc_const = _neuron_columns(
            net, X, lay, j, np.arange(starts[j], starts[j + 1])
        )
        terms.add(squared_linear_shared(shared_index, shared_coef, ps_idx, ps_coef, const, lam_s))
        S, n_sh = lay.n_samples, shared_index.size
        idx = np.concatenate([np.broadcast_to(shared_index, (S, n_sh)), ps_idx], axis=1)
        coef = np.concatenate([shared_coef, ps_coef], axis=1)
        pc_cols = idx.shape[1] - int(lay.act_var[j]) - int(lay.k[j])
        rows.append(_NeuronRows(idx, coef, const, pc_cols, pc_const))
        if margin:
            z_idx = idx[:, :pc_cols]
            z_coef = 2.0 * coef[:, :pc_cols]
            z_const = 2.0 * pc_const - lay.fan[j]
            if lay.act_var[j]:
                terms.add(margin_terms(z_idx, z_coef, z_const, margin, lay.activation_index[:, j]))
            else:
                terms.add(margin_terms(z_idx, z_coef, z_const, margin, None, lay.act_const[:, j]))
    return terms, rows


def _neuron_columns(net: BinaryNetwork, X: np.ndarray, lay: _Layout, j: int, e_in: np.ndarray):
    """Neuron ``j``'s sign constraint ``residual = const + sum coef * q[idx]`` per sample.

    Shared columns (the same variable in every sample: weights, bias) come first, then the
    per-sample columns of the +1-product count, then ``-T alpha`` and the slack. Returns
    ``(shared_index, shared_coef, ps_idx, ps_coef, const, pc_const)``; ``pc_const`` is the
    constant part of the product count (without the +1 augment).
    """
    S, n_in = lay.n_samples, net.n_inputs
    src = net.edges[:, 0]
    e_x = e_in[~lay.is_nn[e_in]]
    e_n = e_in[lay.is_nn[e_in]]
    sh_idx, sh_coef, idx_cols, coef_cols = [], [], [], []
    pc_const = np.zeros(S)
    if e_x.size:  # input edges: product bit = w if x = +1 else 1 - w
        xs = X[:, src[e_x]].astype(np.float64)
        sh_idx.append(lay.weight_index[e_x])
        sh_coef.append(xs)
        pc_const += ((1.0 - xs) / 2.0).sum(axis=1)
    if e_n.size:  # neuron edges: product bit = 1 - w - alpha + 2u
        m = src[e_n] - n_in
        sh_idx.append(lay.weight_index[e_n])
        sh_coef.append(-np.ones((S, e_n.size)))
        var_m = lay.act_var[m]
        if var_m.any():
            idx_cols.append(lay.activation_index[:, m[var_m]])
            coef_cols.append(-np.ones((S, int(var_m.sum()))))
        if (~var_m).any():
            pc_const -= lay.act_const[:, m[~var_m]].sum(axis=1)
        nn_pos = np.searchsorted(lay.nn_edges, e_n)
        idx_cols.append(lay.product_index[:, nn_pos])
        coef_cols.append(2.0 * np.ones((S, e_n.size)))
        pc_const += e_n.size
    if lay.bias_index is not None:
        sh_idx.append(lay.bias_index[j : j + 1])
        sh_coef.append(np.ones((S, 1)))
    const = pc_const + lay.aug[j]
    if lay.act_var[j]:
        idx_cols.append(lay.activation_index[:, j : j + 1])
        coef_cols.append(-lay.T[j] * np.ones(S)[:, None])
    else:
        const = const - lay.T[j] * lay.act_const[:, j]
    if lay.k[j]:
        idx_cols.append(lay.slack_index[j])
        coef_cols.append(np.broadcast_to(-lay.coefs[j].astype(np.float64), (S, lay.k[j])))
    ps_idx = np.concatenate(idx_cols, axis=1) if idx_cols else np.zeros((S, 0), dtype=np.int64)
    ps_coef = np.concatenate(coef_cols, axis=1) if coef_cols else np.zeros((S, 0))
    return (np.concatenate(sh_idx), np.concatenate(sh_coef, axis=1), ps_idx, ps_coef, const,
            pc_const)


def _product_terms(net: BinaryNetwork, lay: _Layout, lam_p: float) -> QuadraticTerms:
    """The AND penalties of every (sample, neuron->neuron edge) product bit."""
    terms = QuadraticTerms(lay.n_vars)
    nn_edges = lay.nn_edges
    if not nn_edges.size:
        return terms
    S = lay.n_samples
    m = net.edges[nn_edges, 0] - net.n_inputs
    w_idx = np.broadcast_to(lay.weight_index[nn_edges], (S, nn_edges.size))
    var_cols = lay.act_var[m]
    if var_cols.any():
        terms.add(
            and_penalty(
                w_idx[:, var_cols],
                lay.activation_index[:, m[var_cols]],
                lay.product_index[:, var_cols],
                lam_p,
            )
        )
    if (~var_cols).any():  # source activation is a constant a: w a - 2 w u + (3 - 2a) u
        a = lay.act_const[:, m[~var_cols]].astype(np.float64)
        wi, ui = w_idx[:, ~var_cols], lay.product_index[:, ~var_cols]
        terms.add_linear(wi, lam_p * a)
        terms.add_linear(ui, lam_p * (3.0 - 2.0 * a))
        terms.add_quadratic(wi, ui, -2.0 * lam_p)
    return terms


def _objective_terms(
    net: BinaryNetwork, lay: _Layout, loss: str, weight_bias: np.ndarray | None
) -> QuadraticTerms:
    """The 0-1 loss on the output bits and the linear pull ``sum h W`` on the weights."""
    terms = QuadraticTerms(lay.n_vars)
    if loss == "zero_one":  # ybar + alpha - 2 ybar alpha on output bits
        out_idx = lay.activation_index[:, net.outputs]
        terms.add_linear(out_idx, (1.0 - 2.0 * lay.ybar).astype(np.float64))
        terms.add_offset(float(lay.ybar.sum()))
    if weight_bias is not None:  # h W = 2 h w - h
        terms.add_linear(np.arange(weight_bias.size), 2.0 * weight_bias)
        terms.add_offset(-float(weight_bias.sum()))
    return terms
