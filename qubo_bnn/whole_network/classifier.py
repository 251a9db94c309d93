"""scikit-learn classifier whose binary network is trained by QUBOs solved on any dimod sampler.

``QuboBNNClassifier`` follows scikit-learn's conventions (``fit``/``predict``/``score``,
``get_params``/``set_params``, ``classes_``; parameters are stored untouched in ``__init__``
and validated in ``fit``).

Inputs: ±1 features are used as they are; 0/1 features map 0 -> -1; any other real values are
binarised at fit time: ``+1`` where ``x >= threshold_`` else ``-1``, with ``threshold_`` the
``threshold`` parameter, or, when it is ``None``, the midpoint of the training data's range
``(min + max) / 2`` (e.g. 8 for scikit-learn's 0..16 digits). The same rule is applied in
``predict``.

Labels: two classes -> one output unit (``classes_[1]`` is output +1); more classes -> one
output per class, predicted by the largest output pre-activation. With several outputs the
unit-wise scheme trains on that same decision (class-margin output targets, argmax-aware hidden
targets, 0-1 loss on the argmax for acceptance; ``scheme_options={"multiclass": "ovr"}`` gives the
older one-vs-rest output targets).

Schemes (see the modules for the exact rules):

- ``"unitwise"`` (default, :mod:`qubo_bnn.whole_network.unitwise`): per-sample hidden targets, then
  one fan-in-sized QUBO per unit over all training samples, one sampler call per layer per
  round; layered networks (``hidden_layers``).
- ``"exact"`` (:mod:`qubo_bnn.whole_network.exact_batches`): chained batches of the exact
  whole-network QUBO; any DAG (``topology``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import dimod
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from qubo_bnn.sampling import default_sampler
from qubo_bnn.whole_network.exact_batches import train_exact_batches
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.unitwise import train_unitwise

DEFAULT_SAMPLE_KWARGS = {"num_reads": 8, "num_sweeps": 1000}
SCHEMES = ("unitwise", "exact")
#: Scheme knobs accepted in ``scheme_options`` (see the scheme modules for their meaning).
SCHEME_OPTIONS = {
    "unitwise": ("patience", "target_scale", "surrogate", "focus", "flip_weight",
                 "accept_temperature", "subsample", "warm_start", "multiclass", "class_margin",
                 "target_flips", "init"),
    "exact": ("warm_start",),
}


class QuboBNNClassifier(ClassifierMixin, BaseEstimator):
    """Binary neural network classifier trained through QUBOs (see the module docstring).

    Parameters
    ----------
    hidden_layers:
        Widths of the hidden layers of a fully connected network (``scheme="unitwise"`` or
        ``"exact"``); ignored when ``topology`` is given.
    topology:
        A :class:`~qubo_bnn.whole_network.network.BinaryNetwork` fixing the architecture (its
        weights are the starting point): any DAG with ``scheme="exact"``, a layered one with
        ``"unitwise"``.
    scheme:
        ``"unitwise"`` or ``"exact"``.
    sampler:
        Any ``dimod.Sampler``; ``None`` -> :func:`default_sampler` at fit time.
    margin:
        Margin regulariser strength ``mu >= 0`` (``-mu * sum a z``).
    dropout:
        Dropout-style regulariser rate ``p`` in ``[0, 1)`` (0 switches it off).
    dropout_strength:
        ``eta >= 0``, strength of the pull toward the subnetworks' mean weights.
    proximity:
        Strength of the linear pull toward the running weights (``None``: 0 for
        ``"unitwise"``, 0.5 for ``"exact"``).
    penalty:
        Constraint penalty of the exact QUBO (``None``: the exact bound + 1); ``"exact"`` only.
    rounds:
        Maximum training rounds.
    batch_size:
        Samples per exact QUBO (``"exact"`` only).
    scheme_options:
        Further knobs of the scheme (names in :data:`SCHEME_OPTIONS`, e.g.
        ``{"subsample": 0.7}``); ``None`` keeps the scheme's defaults.
    sample_kwargs:
        Keyword arguments of every ``sampler.sample`` call (``None``:
        ``{"num_reads": 8, "num_sweeps": 1000}``; a ``seed`` is added when the sampler takes one).
    bias:
        Give every neuron a ±1 bias.
    threshold:
        Binarisation threshold for real-valued inputs (``None``: midpoint of the range).
    random_state:
        Seed of the initial weights, batches, dropout draws and sampler seeds.
    verbose:
        Show a tqdm progress bar over rounds.

    Attributes (after ``fit``)
    --------------------------
    classes_, n_features_in_, threshold_, network_, sampler_, best_energy_,
    constraint_violations_, history_ (one dict per round, incl. ``train_loss``),
    train_accuracy_, solver_seconds_, sampler_calls_, fit_seconds_, qubo_sizes_.
    """

    def __init__(
        self,
        hidden_layers=(4,),
        topology: BinaryNetwork | None = None,
        scheme: str = "unitwise",
        sampler: dimod.Sampler | None = None,
        margin: float = 0.0,
        dropout: float = 0.0,
        dropout_strength: float = 0.5,
        proximity: float | None = None,
        penalty=None,
        rounds: int = 60,
        batch_size: int = 4,
        scheme_options: Mapping | None = None,
        sample_kwargs: Mapping | None = None,
        bias: bool = False,
        threshold: float | None = None,
        random_state: int | None = None,
        verbose: bool = False,
    ):
        self.hidden_layers = hidden_layers
        self.topology = topology
        self.scheme = scheme
        self.sampler = sampler
        self.margin = margin
        self.dropout = dropout
        self.dropout_strength = dropout_strength
        self.proximity = proximity
        self.penalty = penalty
        self.rounds = rounds
        self.batch_size = batch_size
        self.scheme_options = scheme_options
        self.sample_kwargs = sample_kwargs
        self.bias = bias
        self.threshold = threshold
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ validation
    def _validate_params(self) -> None:
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {SCHEMES}, got {self.scheme!r}")
        for name in ("margin", "dropout_strength"):
            _nonneg(name, getattr(self, name))
        if self.proximity is not None:
            _nonneg("proximity", self.proximity)
        d = self.dropout
        if isinstance(d, bool) or not isinstance(d, (int, float, np.number)) or not 0 <= d < 1:
            raise ValueError(f"dropout must be a number in [0, 1), got {d!r}")
        for name in ("rounds", "batch_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if self.topology is None:
            hl = self.hidden_layers
            try:
                widths = [int(h) for h in hl]
            except TypeError as exc:
                raise TypeError(
                    f"hidden_layers must be a sequence of positive integers, got {hl!r}"
                ) from exc
            if any(w < 1 for w in widths) or any(int(h) != h for h in hl):
                raise ValueError(f"hidden_layers must hold positive integers, got {hl!r}")
        elif not isinstance(self.topology, BinaryNetwork):
            raise TypeError(
                f"topology must be a BinaryNetwork or None, got {type(self.topology).__name__}"
            )
        elif self.scheme == "unitwise" and self.topology.layer_sizes is None:
            raise ValueError(
                "topology is a general DAG; scheme='unitwise' needs a layered network "
                "(use scheme='exact' for arbitrary DAGs)"
            )
        if self.sampler is not None and not callable(getattr(self.sampler, "sample", None)):
            raise TypeError(
                f"sampler must be a dimod sampler with a .sample method, got "
                f"{type(self.sampler).__name__}"
            )
        if self.sample_kwargs is not None and not isinstance(self.sample_kwargs, Mapping):
            raise TypeError(f"sample_kwargs must be a mapping or None, got {self.sample_kwargs!r}")
        if self.scheme_options is not None:
            if not isinstance(self.scheme_options, Mapping):
                raise TypeError(
                    f"scheme_options must be a mapping or None, got {self.scheme_options!r}"
                )
            unknown = set(self.scheme_options) - set(SCHEME_OPTIONS[self.scheme])
            if unknown:
                raise ValueError(
                    f"scheme_options has unknown key(s) {sorted(unknown)} for scheme "
                    f"{self.scheme!r}; allowed: {SCHEME_OPTIONS[self.scheme]}"
                )
            _check_options(dict(self.scheme_options))
        if self.penalty is not None and self.scheme != "exact":
            raise ValueError("penalty applies to scheme='exact' only")
        if self.threshold is not None and not isinstance(self.threshold, (int, float, np.number)):
            raise TypeError(f"threshold must be a number or None, got {self.threshold!r}")

    def _binarise(self, X) -> np.ndarray:
        X = _as_2d("X", X)
        return np.where(X >= self.threshold_, 1, -1).astype(np.int8)

    # ------------------------------------------------------------------ fit / predict
    def fit(self, X, y) -> QuboBNNClassifier:
        """Train the network on ``X`` (``(n_samples, n_features)``) and labels ``y``."""
        t_start = time.perf_counter()
        self._validate_params()
        X = _as_2d("X", X)
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(f"y must be 1-D with {X.shape[0]} labels, got shape {y.shape}")
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError("y must contain at least two classes")
        values = np.unique(X)
        if np.all(np.isin(values, (-1, 1))):
            self.threshold_ = 0.0
        elif np.all(np.isin(values, (0, 1))):
            self.threshold_ = 0.5
        elif self.threshold is not None:
            self.threshold_ = float(self.threshold)
        else:
            self.threshold_ = float((X.min() + X.max()) / 2.0)
        Xb = self._binarise(X)
        self.n_features_in_ = X.shape[1]
        n_out = 1 if self.classes_.size == 2 else int(self.classes_.size)
        rng = np.random.default_rng(self.random_state)
        sampler = self.sampler if self.sampler is not None else default_sampler()
        self.sampler_ = sampler
        kwargs = dict(DEFAULT_SAMPLE_KWARGS if self.sample_kwargs is None else self.sample_kwargs)
        topology = self._topology(X.shape[1], n_out, rng)
        bar = _progress(self.verbose, self.rounds)
        callback = None
        if bar is not None:
            def callback(row):
                bar.update(1)
                bar.set_postfix(train_loss=f"{row['train_loss']:.3f}")
        try:
            if self.scheme == "unitwise":
                mats, biases = topology.to_arrays()
                sizes = topology.layer_sizes
                has_bias = biases is not None
                init = [
                    np.column_stack([m, b]) if has_bias else m
                    for m, b in zip(mats, biases or [None] * len(mats), strict=True)
                ]
                res = train_unitwise(
                    Xb, y_idx, sizes, sampler, bias=has_bias, rounds=self.rounds,
                    margin=float(self.margin), dropout=float(self.dropout),
                    dropout_strength=float(self.dropout_strength),
                    proximity=float(self.proximity or 0.0), sample_kwargs=kwargs,
                    initial_weights=init, seed=int(rng.integers(2**31 - 1)), callback=callback,
                    **dict(self.scheme_options or {}),
                )
                net = _to_network(sizes, res.weights, has_bias)
            else:
                net, res = train_exact_batches(
                    Xb, y_idx, topology, sampler, rounds=self.rounds,
                    batch_size=self.batch_size, margin=float(self.margin),
                    dropout=float(self.dropout), dropout_strength=float(self.dropout_strength),
                    proximity=0.5 if self.proximity is None else float(self.proximity),
                    penalty=self.penalty, sample_kwargs=kwargs,
                    seed=int(rng.integers(2**31 - 1)), callback=callback,
                    **dict(self.scheme_options or {}),
                )
        finally:
            if bar is not None:
                bar.close()
        self.network_ = net
        self.history_ = res.history
        self.best_energy_ = res.best_energy
        self.constraint_violations_ = res.violations
        self.solver_seconds_ = res.sampler_seconds
        self.sampler_calls_ = res.sampler_calls
        self.qubo_sizes_ = res.qubo_sizes
        self.train_accuracy_ = 1.0 - res.errors / X.shape[0]
        self.fit_seconds_ = time.perf_counter() - t_start
        return self

    def _topology(self, n_features: int, n_out: int, rng) -> BinaryNetwork:
        if self.topology is not None:
            t = self.topology
            if t.n_inputs != n_features:
                raise ValueError(f"topology has {t.n_inputs} inputs but X has {n_features}")
            if t.n_outputs != n_out:
                raise ValueError(
                    f"topology has {t.n_outputs} outputs but {len(self.classes_)} classes need "
                    f"{n_out}"
                )
            return t
        sizes = [n_features, *[int(h) for h in self.hidden_layers], n_out]
        return BinaryNetwork.layered(sizes, bias=bool(self.bias), rng=rng)

    def predict(self, X) -> np.ndarray:
        """Class labels of ``X`` (binarised with ``threshold_``)."""
        check_is_fitted(self, "network_")
        Xb = self._binarise(X)
        if Xb.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {Xb.shape[1]} features, expected {self.n_features_in_}")
        return self.classes_[self.network_.predict_class(Xb)]


def _nonneg(name: str, value) -> None:
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


def _check_options(opts: dict) -> None:
    for key in ("target_scale", "focus", "flip_weight", "accept_temperature"):
        if key in opts:
            _nonneg(f"scheme_options[{key!r}]", opts[key])
    if "subsample" in opts:
        v = opts["subsample"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1:
            raise ValueError(f"scheme_options['subsample'] must lie in (0, 1], got {v!r}")
    if "patience" in opts:
        v = opts["patience"]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"scheme_options['patience'] must be a positive integer, got {v!r}")
    if "class_margin" in opts:
        _nonneg("scheme_options['class_margin']", opts["class_margin"])
    if "target_flips" in opts:
        v = opts["target_flips"]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(
                f"scheme_options['target_flips'] must be a positive integer, got {v!r}"
            )
    for key, allowed in (("multiclass", ("margin", "ovr")), ("init", ("given", "prototype"))):
        if key in opts and opts[key] not in allowed:
            raise ValueError(f"scheme_options[{key!r}] must be one of {allowed}, got {opts[key]!r}")
    if "surrogate" in opts and opts["surrogate"] not in ("squared", "hinge"):
        raise ValueError(
            f"scheme_options['surrogate'] must be 'squared' or 'hinge', got {opts['surrogate']!r}"
        )
    if "warm_start" in opts and not isinstance(opts["warm_start"], bool):
        raise TypeError("scheme_options['warm_start'] must be True or False")


def _as_2d(name: str, X) -> np.ndarray:
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric 2-D array") from exc
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must not contain NaN or infinity")
    return arr


def _to_network(sizes, weights, has_bias) -> BinaryNetwork:
    mats = [m[:, : sizes[i]] for i, m in enumerate(weights)]
    biases = [m[:, sizes[i]] for i, m in enumerate(weights)] if has_bias else None
    return BinaryNetwork.from_arrays(mats, biases)


def _progress(verbose: bool, total: int):
    if not verbose:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="QuboBNN rounds", unit="round")
