"""scikit-learn classifier whose binary network is trained by QUBOs solved on any dimod sampler.

``QuboBNNClassifier`` follows scikit-learn's conventions (``fit``/``predict``/``score``,
``get_params``/``set_params``, ``classes_``, ``n_features_in_``; parameters are stored
untouched in ``__init__``, checked against ``_parameter_constraints`` when ``fit`` starts, and
inputs go through :func:`sklearn.utils.validation.validate_data`).

Inputs are binarised per feature, with thresholds fitted on the training data: feature ``j``
becomes ``+1`` where ``x_j >= threshold_[j]``, else ``-1``. A ±1 feature (training values in
{-1, 1}) has threshold 0, so ±1 inputs pass unchanged; a 0/1 feature has 0.5 (0 -> -1); any
other feature has the ``threshold`` parameter or, when it is ``None``, the midpoint of its own
training range ``(min_j + max_j) / 2`` (for scikit-learn's 0..16 digits: half of each pixel's
largest value). The same thresholds are applied in ``predict``.

Labels: two classes -> one output unit (``classes_[1]`` is output +1); more classes -> one
output per class, predicted by the largest output pre-activation. With several outputs the
unit-wise scheme trains on that same decision (class-margin output targets, argmax-aware hidden
targets, 0-1 loss on the argmax for acceptance; ``scheme_options={"multiclass": "ovr"}`` gives
the older one-vs-rest output targets).

Schemes (see the modules for the exact rules); :meth:`QuboBNNClassifier.training_options` maps
the parameters onto the scheme's options dataclass
(:mod:`qubo_bnn.whole_network.options`), which holds the defaults and checks every value:

- ``"unitwise"`` (default, :mod:`qubo_bnn.whole_network.unitwise`): per-sample hidden targets,
  then one fan-in-sized QUBO per unit over all training samples, one sampler call per layer per
  round; layered networks (``hidden_layers``).
- ``"exact"`` (:mod:`qubo_bnn.whole_network.exact_batches`): chained batches of the exact
  whole-network QUBO; any DAG (``topology``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from numbers import Integral, Real

import dimod
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from qubo_bnn.estimators import encode_classes
from qubo_bnn.sampling import default_sampler
from qubo_bnn.whole_network.exact_batches import train_exact_batches
from qubo_bnn.whole_network.layers import LayerShape, positive_widths
from qubo_bnn.whole_network.network import BinaryNetwork
from qubo_bnn.whole_network.options import ExactBatchOptions, UnitwiseOptions, field_names
from qubo_bnn.whole_network.unitwise import train_unitwise

DEFAULT_SAMPLE_KWARGS = {"num_reads": 8, "num_sweeps": 1000}
#: The options dataclass of each scheme.
SCHEME_CLASSES: dict[str, type] = {"unitwise": UnitwiseOptions, "exact": ExactBatchOptions}
SCHEMES = tuple(SCHEME_CLASSES)
#: Classifier parameters that set the option field of the same name.
MAPPED_PARAMETERS = ("rounds", "margin", "dropout", "dropout_strength", "proximity",
                     "batch_size", "penalty")
#: Scheme knobs accepted in ``scheme_options``: the option fields without a parameter here.
SCHEME_OPTIONS = {
    name: tuple(f for f in field_names(options) if f not in MAPPED_PARAMETERS)
    for name, options in SCHEME_CLASSES.items()
}


class QuboBNNClassifier(ClassifierMixin, BaseEstimator):
    """Binary neural network classifier trained through QUBOs (see the module docstring).

    Parameters (all but ``hidden_layers`` keyword-only)
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
        Any ``dimod.Sampler``; ``None`` -> :func:`~qubo_bnn.sampling.default_sampler` at fit
        time.
    margin:
        Margin regulariser strength ``mu >= 0`` (``-mu * sum a z``).
    dropout:
        Dropout-style regulariser rate ``p`` in ``[0, 1)`` (0 switches it off).
    dropout_strength:
        ``eta >= 0``, strength of the pull toward the subnetworks' mean weights.
    proximity:
        Strength of the linear pull toward the running weights (``None``: the scheme's default,
        0 for ``"unitwise"``, 0.5 for ``"exact"``).
    penalty:
        Constraint penalty of the exact QUBO (``None``: the exact bound + 1); ``"exact"`` only.
    rounds:
        Maximum training rounds.
    batch_size:
        Samples per exact QUBO (``"exact"`` only).
    scheme_options:
        Further knobs of the scheme: the fields of its options dataclass that have no parameter
        here (names in :data:`SCHEME_OPTIONS`, e.g. ``{"subsample": 0.7}``); ``None`` keeps
        the scheme's defaults.
    sample_kwargs:
        Keyword arguments of every ``sampler.sample`` call (``None``:
        ``{"num_reads": 8, "num_sweeps": 1000}``; a ``seed`` is added when the sampler takes one).
    bias:
        Give every neuron a ±1 bias. ``"auto"`` (the default): biases when some input feature
        is real-valued (neither ±1 nor 0/1), none when every feature is already binary, as
        the binarised images of the exact formulation (DESIGN.md 6.1) are. Without biases a
        sign network computes an odd function of its ±1 inputs, which binarised real-valued
        data often cannot be separated by.
    threshold:
        Binarisation threshold of every real-valued feature (``None``: each feature's own
        training midpoint; ±1 and 0/1 features ignore it).
    random_state:
        Seed of the initial weights, batches, dropout draws and sampler seeds.
    verbose:
        Show a tqdm progress bar over rounds.

    Attributes (after ``fit``)
    --------------------------
    classes_, n_features_in_, feature_names_in_ (pandas input), threshold_ (per feature),
    bias_ (whether the network has biases),
    network_, sampler_, best_energy_, constraint_violations_, history_ (one dict per round,
    incl. ``train_loss``), train_accuracy_, solver_seconds_, sampler_calls_, fit_seconds_,
    qubo_sizes_.
    """

    _parameter_constraints: dict = {
        "hidden_layers": ["array-like"],
        "topology": [BinaryNetwork, None],
        "scheme": [StrOptions(set(SCHEMES))],
        "sampler": [HasMethods(["sample"]), None],
        "margin": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "dropout_strength": [Interval(Real, 0, None, closed="left")],
        "proximity": [Interval(Real, 0, None, closed="left"), None],
        "penalty": [Interval(Real, 0, None, closed="neither"), Mapping, None],
        "rounds": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "scheme_options": [Mapping, None],
        "sample_kwargs": [Mapping, None],
        "bias": ["boolean", StrOptions({"auto"})],
        "threshold": [Interval(Real, None, None, closed="neither"), None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layers=(4,),
        *,
        topology: BinaryNetwork | None = None,
        scheme: str = "unitwise",
        sampler: dimod.Sampler | None = None,
        margin: float = UnitwiseOptions.margin,
        dropout: float = UnitwiseOptions.dropout,
        dropout_strength: float = UnitwiseOptions.dropout_strength,
        proximity: float | None = None,
        penalty=None,
        rounds: int = UnitwiseOptions.rounds,
        batch_size: int = ExactBatchOptions.batch_size,
        scheme_options: Mapping | None = None,
        sample_kwargs: Mapping | None = None,
        bias: bool | str = "auto",
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
    def training_options(self) -> UnitwiseOptions | ExactBatchOptions:
        """The scheme's options dataclass built from these parameters.

        ``rounds``, ``margin``, ``dropout``, ``dropout_strength``, ``proximity`` (``None``: the
        scheme's default) and, for ``"exact"``, ``batch_size`` and ``penalty`` set the fields of
        the same name, ``scheme_options`` the others. Raises ``ValueError``/``TypeError`` naming
        a bad value; ``batch_size`` is checked for either scheme, and ``penalty`` must be
        ``None`` with ``"unitwise"``.
        """
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {SCHEMES}, got {self.scheme!r}")
        options = SCHEME_CLASSES[self.scheme]
        common = {"rounds": self.rounds, "margin": self.margin, "dropout": self.dropout,
                  "dropout_strength": self.dropout_strength, **self._scheme_options()}
        if self.proximity is not None:
            common["proximity"] = self.proximity
        if self.scheme == "exact":
            return options(batch_size=self.batch_size, penalty=self.penalty, **common)
        if self.penalty is not None:
            raise ValueError("penalty applies to scheme='exact' only")
        ExactBatchOptions(batch_size=self.batch_size)  # checked for either scheme
        return options(**common)

    def _scheme_options(self) -> dict:
        """``scheme_options`` as a dict, its keys checked against :data:`SCHEME_OPTIONS`."""
        if self.scheme_options is None:
            return {}
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
        return dict(self.scheme_options)

    def _check_params(self) -> UnitwiseOptions | ExactBatchOptions:
        """The checks ``_parameter_constraints`` cannot express; returns
        :meth:`training_options`."""
        options = self.training_options()
        if self.topology is None:
            positive_widths("hidden_layers", self.hidden_layers)
        elif self.scheme == "unitwise" and self.topology.layer_sizes is None:
            raise ValueError(
                "topology is a general DAG; scheme='unitwise' needs a layered network "
                "(use scheme='exact' for arbitrary DAGs)"
            )
        return options

    def _binarise(self, X: np.ndarray) -> np.ndarray:
        return np.where(X >= self.threshold_, 1, -1).astype(np.int8)

    # ------------------------------------------------------------------ fit / predict
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y) -> QuboBNNClassifier:
        """Train the network on ``X`` (``(n_samples, n_features)``) and labels ``y``."""
        t_start = time.perf_counter()
        options = self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_, y_idx = encode_classes(y)
        self.threshold_ = feature_thresholds(X, self.threshold)
        self.bias_ = uses_bias(X, self.bias)
        Xb = self._binarise(X)
        n_out = 1 if self.classes_.size == 2 else int(self.classes_.size)
        rng = np.random.default_rng(self.random_state)
        self.sampler_ = self.sampler if self.sampler is not None else default_sampler()
        topology = self._topology(X.shape[1], n_out, rng)
        net, res = self._train(Xb, y_idx, topology, options, int(rng.integers(2**31 - 1)))
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

    def _train(self, Xb, y_idx, topology: BinaryNetwork, options, seed: int):
        """Run the scheme's trainer (with a progress bar when ``verbose``)."""
        kwargs = dict(DEFAULT_SAMPLE_KWARGS if self.sample_kwargs is None else self.sample_kwargs)
        bar = _progress(self.verbose, options.rounds)
        callback = None
        if bar is not None:
            def callback(row):
                bar.update(1)
                bar.set_postfix(train_loss=f"{row['train_loss']:.3f}")
        try:
            if self.scheme == "unitwise":
                res = train_unitwise(Xb, y_idx, topology, self.sampler_, options,
                                     sample_kwargs=kwargs, seed=seed, callback=callback)
                return LayerShape.of_network(topology)[0].to_network(res.weights), res
            return train_exact_batches(Xb, y_idx, topology, self.sampler_, options,
                                       sample_kwargs=kwargs, seed=seed, callback=callback)
        finally:
            if bar is not None:
                bar.close()

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
        return BinaryNetwork.layered(sizes, bias=self.bias_, rng=rng)

    def predict(self, X) -> np.ndarray:
        """Class labels of ``X`` (binarised with ``threshold_``)."""
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.classes_[self.network_.predict_class(self._binarise(X))]


def feature_thresholds(X: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Per-feature binarisation thresholds of the training inputs ``X`` (see the module
    docstring): 0 for ±1 features, 0.5 for 0/1 features, else ``threshold`` or the feature's
    midpoint ``(min + max) / 2``."""
    low, high = X.min(axis=0), X.max(axis=0)
    pm1 = np.all((X == -1) | (X == 1), axis=0)
    zero_one = np.all((X == 0) | (X == 1), axis=0)
    real = (low + high) / 2.0 if threshold is None else np.full(X.shape[1], float(threshold))
    return np.where(pm1, 0.0, np.where(zero_one, 0.5, real))


def uses_bias(X: np.ndarray, bias: bool | str = "auto") -> bool:
    """Whether the network gets biases: ``bias`` itself, or for ``"auto"`` whether some
    feature of the training inputs ``X`` is real-valued (neither ±1 nor 0/1)."""
    if bias != "auto":
        return bool(bias)
    binary = np.all((X == -1) | (X == 1), axis=0) | np.all((X == 0) | (X == 1), axis=0)
    return not bool(binary.all())


def _progress(verbose: bool, total: int):
    if not verbose:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="QuboBNN rounds", unit="round")
