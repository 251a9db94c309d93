"""Typed options of the whole-network trainers: fields, defaults and validation in one place.

One frozen dataclass per trainer: :class:`UnitwiseOptions`
(:func:`~qubo_bnn.whole_network.unitwise.train_unitwise`), :class:`ExactBatchOptions`
(:func:`~qubo_bnn.whole_network.exact_batches.train_exact_batches`), :class:`DropoutOptions`
(:func:`~qubo_bnn.whole_network.dropout.dropout_regularise`) and :class:`DirectSearchOptions`
(:func:`~qubo_bnn.whole_network.direct_search.anneal_weights`). Constructing one checks every
field and raises a ``ValueError`` (bad value) or ``TypeError`` (bad type) that names it; numbers
are stored as ``int``/``float``. :class:`~qubo_bnn.whole_network.classifier.QuboBNNClassifier`
maps its parameters onto these, and the suites' training problem kind takes its defaults from
them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "DirectSearchOptions",
    "DropoutOptions",
    "ExactBatchOptions",
    "UnitwiseOptions",
    "field_names",
]


def field_names(options_class: type) -> tuple[str, ...]:
    """The field names of an options dataclass, in declaration order."""
    return tuple(f.name for f in dataclasses.fields(options_class))


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)  # frozen dataclass: store the normalised value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def _nonneg(obj: Any, name: str, optional: bool = False) -> None:
    value = getattr(obj, name)
    if optional and value is None:
        return
    if not _is_number(value) or not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    _set(obj, name, float(value))


def _positive_int(obj: Any, name: str) -> None:
    value = getattr(obj, name)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    _set(obj, name, int(value))


def _rate(obj: Any, name: str) -> None:
    value = getattr(obj, name)
    if not _is_number(value) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    _set(obj, name, float(value))


def _choice(obj: Any, name: str, allowed: tuple) -> None:
    value = getattr(obj, name)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


def _flag(obj: Any, name: str) -> None:
    if not isinstance(getattr(obj, name), bool):
        raise TypeError(f"{name} must be True or False, got {getattr(obj, name)!r}")


@dataclass(frozen=True)
class UnitwiseOptions:
    """Knobs of the unit-wise scheme (the rules are in :mod:`qubo_bnn.whole_network.unitwise`).

    Attributes
    ----------
    rounds:
        Most training rounds.
    margin:
        Margin regulariser strength ``mu >= 0``: shifts the target pre-activation by ``mu/2``.
    dropout, dropout_strength:
        Dropout rate ``p`` in ``[0, 1)`` of the subnetwork solve (0: off) and ``eta >= 0``, the
        pull toward the subnetworks' mean weights.
    proximity:
        Linear pull toward the running weights.
    warm_start:
        Start every sampler call from the running weights when it accepts ``initial_states``.
    patience:
        Stop after this many rounds without a new best training loss.
    target_scale:
        Target pre-activation ``m = min(fan_in, max(1, target_scale sqrt(fan_in)) + mu/2)``;
        ``None``: 2.0 with one output, 1.5 with several.
    surrogate:
        ``"squared"`` (least squares on every sample) or ``"hinge"`` (samples beyond the target
        at the running weights get weight 0.05).
    focus, flip_weight:
        Extra per-sample weight: ``focus`` per round the sample was misclassified,
        ``flip_weight`` where the target differs from the unit's current activation.
    accept_temperature:
        Metropolis acceptance of uphill proposals at ``T = accept_temperature * S * (1 -
        round / rounds)``; ``None``: 0.01 with one output, 0 with several.
    subsample:
        Share of the samples, redrawn per unit and round, in each unit's QUBO (``(0, 1]``).
    multiclass:
        Several outputs: ``"margin"`` (class-margin output targets, targets chosen against the
        argmax) or ``"ovr"`` (one-vs-rest ±1 labels).
    class_margin:
        ``"margin"`` mode: how far an output must beat (or stay below) the competing class.
    target_flips:
        Most unit flips per sample in the greedy hidden-target search of wide layers.
    init:
        ``"given"`` (the start weights) or ``"prototype"`` (class-prototype signs); ``None``:
        ``"given"`` with one output, ``"prototype"`` with several.
    """

    rounds: int = 60
    margin: float = 0.0
    dropout: float = 0.0
    dropout_strength: float = 0.5
    proximity: float = 0.0
    warm_start: bool = True
    patience: int = 20
    target_scale: float | None = None
    surrogate: str = "squared"
    focus: float = 0.2
    flip_weight: float = 10.0
    accept_temperature: float | None = None
    subsample: float = 0.5
    multiclass: str = "margin"
    class_margin: float = 4.0
    target_flips: int = 4
    init: str | None = None

    def __post_init__(self) -> None:
        for name in ("rounds", "patience", "target_flips"):
            _positive_int(self, name)
        for name in ("margin", "dropout_strength", "proximity", "focus", "flip_weight",
                     "class_margin"):
            _nonneg(self, name)
        for name in ("target_scale", "accept_temperature"):
            _nonneg(self, name, optional=True)
        _rate(self, "dropout")
        _flag(self, "warm_start")
        sub = self.subsample
        if not _is_number(sub) or not 0 < sub <= 1:
            raise ValueError(f"subsample must lie in (0, 1], got {sub!r}")
        _set(self, "subsample", float(sub))
        _choice(self, "surrogate", ("squared", "hinge"))
        _choice(self, "multiclass", ("margin", "ovr"))
        _choice(self, "init", ("given", "prototype", None))

    def for_outputs(self, n_outputs: int) -> UnitwiseOptions:
        """These options with the output-dependent defaults (the ``None`` fields) filled in."""
        one = n_outputs == 1
        return dataclasses.replace(
            self,
            target_scale=(2.0 if one else 1.5) if self.target_scale is None else self.target_scale,
            accept_temperature=(0.01 if one else 0.0) if self.accept_temperature is None
            else self.accept_temperature,
            init=("given" if one else "prototype") if self.init is None else self.init,
        )


@dataclass(frozen=True)
class ExactBatchOptions:
    """Knobs of the exact-batch scheme (:mod:`qubo_bnn.whole_network.exact_batches`).

    ``rounds``: most rounds; ``batch_size``: samples per exact QUBO; ``margin``, ``dropout``,
    ``dropout_strength``: the regularisers as in :class:`UnitwiseOptions`; ``proximity``: pull
    toward the running weights; ``penalty``: constraint penalty of the exact QUBO (``None``:
    the exact bound + 1; checked by :func:`~qubo_bnn.whole_network.formulation.build_bnn_qubo`);
    ``warm_start``: start the sampler from the running network's assignment.
    """

    rounds: int = UnitwiseOptions.rounds
    batch_size: int = 4
    margin: float = UnitwiseOptions.margin
    dropout: float = UnitwiseOptions.dropout
    dropout_strength: float = UnitwiseOptions.dropout_strength
    proximity: float = 0.5
    penalty: float | Mapping[str, float] | None = None
    warm_start: bool = True

    def __post_init__(self) -> None:
        for name in ("rounds", "batch_size"):
            _positive_int(self, name)
        for name in ("margin", "dropout_strength", "proximity"):
            _nonneg(self, name)
        _rate(self, "dropout")
        _flag(self, "warm_start")


@dataclass(frozen=True)
class DropoutOptions:
    """Knobs of the dropout-style regulariser (:mod:`qubo_bnn.whole_network.dropout`).

    ``rounds``: subnetwork solves ``R``; ``rate``: drop probability in ``[0, 1)``; ``eta``:
    strength of the pull ``-eta W_bar . W``; ``drop``: ``"hidden"`` neurons or data
    ``"inputs"``; ``solve``: also sample the full QUBO and decode its best read.
    """

    rounds: int = 5
    rate: float = 0.5
    eta: float = 0.5
    drop: str = "hidden"
    solve: bool = False

    def __post_init__(self) -> None:
        _positive_int(self, "rounds")
        value = self.rate
        if not _is_number(value) or not 0 <= value < 1:
            raise ValueError(f"rate must lie in [0, 1), got {value!r}")
        _set(self, "rate", float(value))
        _nonneg(self, "eta")
        _choice(self, "drop", ("hidden", "inputs"))
        _flag(self, "solve")


@dataclass(frozen=True)
class DirectSearchOptions:
    """Schedule of the direct weight search (:mod:`qubo_bnn.whole_network.direct_search`).

    ``num_reads`` independent restarts of ``num_sweeps`` sweeps each; inverse temperature
    geometric over ``beta_range`` (units: 1/misclassified sample), ``0 < start <= end``.
    """

    num_reads: int = 2
    num_sweeps: int = 2000
    beta_range: tuple[float, float] = (0.5, 20.0)

    def __post_init__(self) -> None:
        for name in ("num_reads", "num_sweeps"):
            _positive_int(self, name)
        try:
            b0, b1 = (float(v) for v in self.beta_range)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"beta_range must be two numbers (start, end), got {self.beta_range!r}"
            ) from exc
        if not 0 < b0 <= b1:
            raise ValueError(f"beta_range must satisfy 0 < start <= end, got {self.beta_range!r}")
        _set(self, "beta_range", (b0, b1))
