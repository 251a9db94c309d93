"""Does one class's K-bit layer-wise QUBO fit a machine?

:func:`class_qubo` builds the first-iteration QUBO of one class (``(d+1)·K`` dense bits, on
real features or on :func:`synthetic_features`) and
:func:`fit_reports` asks each :class:`~emulators.machine.MachineSpec` for its
:class:`~emulators.machine.FitReport` (capacity, coefficient precision, and for annealers the
minor embedding).

The K-bit code makes the coefficients span a wide range: couplers between the most and least
significant bits differ by ``4^(K-1)``, so a machine needs roughly ``2K`` bits of coupler
precision before the smallest couplers round to zero; :func:`dynamic_range_bits` reports it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import dimod
import numpy as np

from qubo_bnn.layerwise.formulation import LayerwiseFormulation, LayerwiseProblem

#: Ridge of the first-iteration QUBO: ``LayerwiseQuboClassifier``'s default.
RIDGE = 1e-3


def _check_counts(**counts: tuple[object, int]) -> None:
    for name, (value, low) in counts.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < low:
            raise ValueError(f"{name} must be >= {low}, got {value}")


def synthetic_features(
    n_features: int, n_classes: int = 10, n_samples: int = 500, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Standardised Gaussian features with class structure (class centres + noise), labels.

    Their QUBO coefficients' magnitudes resemble those of real standardised features.
    """
    _check_counts(n_features=(n_features, 1), n_classes=(n_classes, 2), n_samples=(n_samples, 2))
    rng = np.random.default_rng(seed)
    labels = np.arange(n_samples) % n_classes
    x = rng.normal(size=(n_classes, n_features))[labels] + rng.normal(size=(n_samples,
                                                                             n_features))
    return (x - x.mean(axis=0)) / x.std(axis=0), labels


def class_qubo(
    bits: int,
    n_features: int,
    *,
    n_classes: int = 10,
    n_samples: int = 500,
    radius: float = 0.5,
    cls: int = 0,
    features=None,
    labels=None,
) -> LayerwiseFormulation:
    """Class ``cls``'s QUBO at the all-zero start (the first iteration of training).

    Without ``features``/``labels`` the data are :func:`synthetic_features` (seed 0). With
    them, ``n_features``/``n_classes`` are checked against the data. The ridge is
    :data:`RIDGE`, the range half-width ``radius``.
    """
    _check_counts(bits=(bits, 1), n_features=(n_features, 1), n_classes=(n_classes, 2),
                  n_samples=(n_samples, 2))
    if features is None:
        features, labels = synthetic_features(n_features, n_classes, n_samples)
    elif labels is None:
        raise ValueError("labels are needed with features")
    problem = LayerwiseProblem(features, np.asarray(labels), n_classes=n_classes, ridge=RIDGE)
    if problem.n_weights != n_features + 1:
        raise ValueError(f"features have {problem.n_weights - 1} columns, not n_features="
                         f"{n_features}")
    if not 0 <= cls < n_classes:
        raise ValueError(f"cls must lie in [0, {n_classes}), got {cls}")
    return problem.build(np.zeros(problem.weight_shape), bits=bits, radius=radius)[cls]


def dynamic_range_bits(bqm: dimod.BinaryQuadraticModel, vartype=dimod.SPIN) -> float:
    """``log2(max |J| / min |J|)`` over couplers above ``1e-15 max |J|`` (Ising form by default).

    Couplers below that are float noise of structural zeros (e.g. a standardised feature's
    mean, about 1e-17, against the bias column); the K-bit code's own span is
    ``4^(K-1)`` (38 bits at K = 20), well inside the cut.
    """
    model = bqm.change_vartype(vartype, inplace=False)
    _, (_, _, quad), _ = model.to_numpy_vectors()
    mags = np.abs(quad)
    mags = mags[mags > 1e-15 * mags.max()] if mags.size else mags
    if mags.size == 0:
        return 0.0
    return float(math.log2(mags.max() / mags.min()))


def resolve_specs(specs: Sequence) -> list:
    """Machine specs from :class:`~emulators.machine.MachineSpec` objects or preset names."""
    from emulators.machine import MachineSpec, get_preset

    resolved = []
    for spec in specs:
        if isinstance(spec, str):
            spec = get_preset(spec)
        if not isinstance(spec, MachineSpec):
            raise TypeError(f"specs must hold MachineSpec objects or preset names, got "
                            f"{type(spec).__name__}")
        resolved.append(spec)
    return resolved


def fit_reports(
    bits: int, n_features: int, specs: Sequence, **qubo_kwargs
) -> dict[str, object]:
    """The :class:`~emulators.machine.FitReport` of one class's QUBO on each spec.

    ``specs`` are :class:`~emulators.machine.MachineSpec` objects or preset names;
    ``qubo_kwargs`` go to :func:`class_qubo`. Keys are the machines' names.
    """
    resolved = resolve_specs(specs)
    bqm = class_qubo(bits, n_features, **qubo_kwargs).bqm
    return {spec.name: spec.validate(bqm) for spec in resolved}
