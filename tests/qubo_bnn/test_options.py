"""Typed trainer options: checks name the field, and every user of a field shares its default."""

from __future__ import annotations

import inspect

import pytest

from qubo_bnn.whole_network.classifier import (
    MAPPED_PARAMETERS,
    SCHEME_OPTIONS,
    QuboBNNClassifier,
)
from qubo_bnn.whole_network.options import (
    DirectSearchOptions,
    DropoutOptions,
    ExactBatchOptions,
    UnitwiseOptions,
    field_names,
)
from suites.problem_kinds.bnn_training import DigitsBNNTraining


@pytest.mark.parametrize(
    ("options", "kwargs", "exc", "match"),
    [
        (UnitwiseOptions, {"rounds": 0}, ValueError, "rounds"),
        (UnitwiseOptions, {"rounds": 2.0}, ValueError, "rounds"),
        (UnitwiseOptions, {"patience": True}, ValueError, "patience"),
        (UnitwiseOptions, {"margin": -0.1}, ValueError, "margin"),
        (UnitwiseOptions, {"focus": float("nan")}, ValueError, "focus"),
        (UnitwiseOptions, {"dropout": 1.0}, ValueError, "dropout"),
        (UnitwiseOptions, {"subsample": 0.0}, ValueError, "subsample"),
        (UnitwiseOptions, {"surrogate": "cubic"}, ValueError, "surrogate"),
        (UnitwiseOptions, {"init": "random"}, ValueError, "init"),
        (UnitwiseOptions, {"warm_start": 1}, TypeError, "warm_start"),
        (UnitwiseOptions, {"accept_temperature": -1.0}, ValueError, "accept_temperature"),
        (ExactBatchOptions, {"batch_size": 0}, ValueError, "batch_size"),
        (ExactBatchOptions, {"proximity": "near"}, ValueError, "proximity"),
        (DropoutOptions, {"rate": -0.5}, ValueError, "rate"),
        (DropoutOptions, {"drop": "edges"}, ValueError, "drop"),
        (DropoutOptions, {"solve": "yes"}, TypeError, "solve"),
        (DirectSearchOptions, {"num_reads": 0}, ValueError, "num_reads"),
        (DirectSearchOptions, {"beta_range": (1.0,)}, ValueError, "beta_range"),
        (DirectSearchOptions, {"beta_range": (0.0, 1.0)}, ValueError, "beta_range"),
    ],
)
def test_bad_values_name_the_field(options, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        options(**kwargs)


def test_numbers_are_normalised():
    import numpy as np

    opts = UnitwiseOptions(rounds=np.int64(3), margin=1, subsample=1)
    assert type(opts.rounds) is int and type(opts.margin) is float
    assert type(opts.subsample) is float
    assert DirectSearchOptions(beta_range=[1, 2]).beta_range == (1.0, 2.0)


def test_output_dependent_defaults():
    one = UnitwiseOptions().for_outputs(1)
    several = UnitwiseOptions().for_outputs(10)
    assert (one.target_scale, one.accept_temperature, one.init) == (2.0, 0.01, "given")
    assert (several.target_scale, several.accept_temperature, several.init) == (
        1.5, 0.0, "prototype")
    given = UnitwiseOptions(target_scale=3.0, init="given").for_outputs(10)
    assert given.target_scale == 3.0 and given.init == "given"


def test_one_default_per_field():
    clf = inspect.signature(QuboBNNClassifier).parameters
    for name in ("rounds", "margin", "dropout", "dropout_strength"):
        assert clf[name].default == getattr(UnitwiseOptions, name)
        assert getattr(ExactBatchOptions, name) == getattr(UnitwiseOptions, name)
    assert clf["batch_size"].default == ExactBatchOptions.batch_size
    kind = DigitsBNNTraining.params
    for name in ("rounds", "margin", "dropout", "dropout_strength"):
        assert kind[name].default == getattr(UnitwiseOptions, name)
    assert kind["batch_size"].default == ExactBatchOptions.batch_size


def test_classifier_parameters_map_onto_the_options():
    unit = QuboBNNClassifier(rounds=7, margin=2.0, scheme_options={"subsample": 0.7})
    opts = unit.training_options()
    assert isinstance(opts, UnitwiseOptions)
    assert (opts.rounds, opts.margin, opts.subsample, opts.proximity) == (7, 2.0, 0.7, 0.0)
    exact = QuboBNNClassifier(scheme="exact", batch_size=3, penalty=5.0).training_options()
    assert isinstance(exact, ExactBatchOptions)
    assert (exact.batch_size, exact.penalty, exact.proximity) == (3, 5.0, 0.5)
    assert QuboBNNClassifier(scheme="exact", proximity=0.0).training_options().proximity == 0.0
    for scheme, options in (("unitwise", UnitwiseOptions), ("exact", ExactBatchOptions)):
        assert set(SCHEME_OPTIONS[scheme]) | (set(MAPPED_PARAMETERS) & set(field_names(options))) \
            == set(field_names(options))
    with pytest.raises(ValueError, match="batch_size"):
        QuboBNNClassifier(batch_size=0).training_options()


def test_training_kind_checks_through_the_options():
    kind = DigitsBNNTraining()
    kind.check_params({"rounds": 3, "scheme": "exact", "batch_size": 2})
    for params, match in (({"rounds": 0}, "rounds"), ({"dropout": 1.5}, "dropout"),
                          ({"scheme": "magic"}, "scheme"), ({"batch_size": 0}, "batch_size"),
                          ({"margin": -1.0}, "margin")):
        with pytest.raises(ValueError, match=match):
            kind.check_params(params)
