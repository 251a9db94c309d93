"""Checks at the public boundary: the model, and single keyword values.

Every check raises a ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, bad
value) that names the argument, so no bad value reaches a kernel.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import dimod
import numpy as np

__all__ = [
    "check_choice",
    "check_finite_float",
    "check_positive_float",
    "check_positive_int",
    "validate_bqm",
]


def validate_bqm(bqm: Any, name: str = "bqm") -> dimod.BinaryQuadraticModel:
    """Check that ``bqm`` is a binary quadratic model with finite coefficients.

    A model without variables is valid (samplers return an empty SampleSet for it, as
    dimod's samplers do).

    Raises
    ------
    TypeError
        ``bqm`` is not a :class:`dimod.BinaryQuadraticModel` (or a quadratic model with
        variables other than SPIN/BINARY).
    ValueError
        A coefficient (linear, quadratic or offset) is NaN/inf.
    """
    if isinstance(bqm, dimod.QuadraticModel) and not isinstance(bqm, dimod.BQM):
        vartypes = {bqm.vartype(v) for v in bqm.variables}
        if vartypes - {dimod.SPIN, dimod.BINARY}:
            raise TypeError(
                f"{name} has INTEGER or REAL variables; emulators take binary or spin models "
                "(dimod.BinaryQuadraticModel)"
            )
        raise TypeError(f"{name} is a dimod.QuadraticModel; convert it with dimod.BQM(qm)")
    if not isinstance(bqm, dimod.BinaryQuadraticModel):
        raise TypeError(
            f"{name} must be a dimod.BinaryQuadraticModel, got {type(bqm).__name__}; build one "
            "with dimod.BQM.from_qubo(Q) or dimod.BQM.from_ising(h, J)"
        )
    if bqm.vartype not in (dimod.SPIN, dimod.BINARY):
        raise TypeError(f"{name} has vartype {bqm.vartype}; expected SPIN or BINARY")
    linear, (_, _, quad), offset = bqm.to_numpy_vectors()
    for part, values in (("linear", linear), ("quadratic", quad)):
        bad = ~np.isfinite(values)
        if bad.any():
            raise ValueError(
                f"{name} has {int(bad.sum())} non-finite {part} coefficient(s) (NaN or inf)"
            )
    if not math.isfinite(float(offset)):
        raise ValueError(f"{name} has a non-finite offset ({offset})")
    return bqm


def check_positive_int(name: str, value: Any, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an int in ``[minimum, maximum]`` or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def check_positive_float(
    name: str, value: Any, *, allow_zero: bool = False, maximum: float | None = None
) -> float:
    """Return ``value`` as a finite float > 0 (or >= 0) or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {'>=' if allow_zero else '>'} 0, "
                         f"got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_finite_float(name: str, value: Any) -> float:
    """Return ``value`` as a finite float (any sign) or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def check_choice(name: str, value: Any, choices: tuple[str, ...] | list[str]) -> str:
    """Return ``value`` if it is one of ``choices`` or raise a ``ValueError`` listing them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value
