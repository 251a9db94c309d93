"""Numbers as people read them: three significant figures, times with a unit, intervals.

``nan`` prints as ``–`` (nothing to show) and ``inf`` as ``∞`` (e.g. a TTS99 when no read
reached the target).
"""

from __future__ import annotations

import math
from numbers import Integral

MISSING = "–"
_TIME_UNITS = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"))


def sig3(value: float | int | None) -> str:
    """``value`` to three significant figures (integers as they are, with thousands commas).

    >>> sig3(0.014436), sig3(197), sig3(12345.6), sig3(3.3e-5), sig3(float("inf"))
    ('0.0144', '197', '12,300', '3.30e-5', '∞')
    """
    if value is None:
        return MISSING
    if isinstance(value, Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    v = float(value)
    if math.isnan(v):
        return MISSING
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    mantissa, exponent = f"{v:.2e}".split("e")
    magnitude = int(exponent)
    if magnitude >= 5 or magnitude < -3:
        return f"{mantissa}e{magnitude}"
    v = float(f"{mantissa}e{magnitude}")
    if magnitude >= 2:
        return f"{round(v, 2 - magnitude):,.0f}"
    return f"{v:.{2 - magnitude}f}"


def time_unit(seconds: float) -> tuple[float, str]:
    """The scale and name of the unit that shows ``seconds`` with 1-3 digits before the point."""
    s = abs(float(seconds))
    if not math.isfinite(s) or s == 0:
        return 1.0, "s"
    for scale, name in _TIME_UNITS:
        if s >= scale:
            return scale, name
    return _TIME_UNITS[-1]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def interval_parts(value: float, low: float, high: float, unit: str = "") -> tuple[str, str]:
    """``("value unit", "[low, high]")``: the value and its interval apart (the interval
    ``""`` when there is none, everything ``–`` without a value)."""
    if _missing(value):
        return MISSING, ""
    head = f"{sig3(value)} {unit}" if unit else sig3(value)
    return head, "" if _missing(low) and _missing(high) else f"[{sig3(low)}, {sig3(high)}]"


def interval(value: float, low: float, high: float, unit: str = "") -> str:
    """``"value [low, high] unit"`` with three significant figures (``value`` alone without
    an interval, ``–`` without a value)."""
    if _missing(value):
        return MISSING
    _, ci = interval_parts(value, low, high)
    text = f"{sig3(value)} {ci}" if ci else sig3(value)
    return f"{text} {unit}" if unit else text


def _time_scaled(value: float, low: float, high: float) -> tuple[float, float, float, str]:
    scale, unit = time_unit(value)
    return value / scale, low / scale, high / scale, unit


def time_parts(value: float, low: float = math.nan, high: float = math.nan) -> tuple[str, str]:
    """:func:`interval_parts` of a time in seconds, in the unit that suits the value."""
    if _missing(value):
        return MISSING, ""
    if math.isinf(value):
        return "∞", ""
    return interval_parts(*_time_scaled(value, low, high))


def time_interval(value: float, low: float = math.nan, high: float = math.nan) -> str:
    """A time in seconds with its interval, all in the unit that suits the value.

    >>> time_interval(0.014436, 0.010461, 0.020546)
    '14.4 [10.5, 20.5] ms'
    """
    if _missing(value):
        return MISSING
    if math.isinf(value):
        return "∞"
    return interval(*_time_scaled(value, low, high))
