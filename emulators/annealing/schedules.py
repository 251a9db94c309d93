"""Inverse-temperature (β) schedules and the default β range.

Default range (our rule). A single spin flip changes the energy by ``dE_i = -2 s_i f_i`` with
``|f_i| <= F_i = |h_i| + sum_j |J_ij|``.

* Hot end: even the largest possible flip cost ``dE_max = 2 max_i F_i`` is accepted with
  probability ``hot_acceptance`` (default 1/2): ``beta_hot = ln(1 / hot_acceptance) / dE_max``.
  At that β every uphill move is at least this likely, so the walk mixes freely.
* Cold end: the smallest uphill move one coefficient can cause on its own,
  ``dE_min = 2 min |c|`` over the non-zero ``h_i`` and ``J_ij``, is accepted with probability
  ``cold_acceptance`` (default 1/100): ``beta_cold = ln(1 / cold_acceptance) / dE_min``.
  For integer coefficients every ``dE`` is a multiple of ``2 gcd``, so for ±1 models this is
  the smallest non-zero flip cost exactly; for general real coefficients it is a heuristic
  (sums of coefficients can cancel to smaller gaps).

A model whose coefficients are all zero gets ``(1, 1)`` (every flip costs nothing).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from emulators._core.validation import check_choice

__all__ = ["SCHEDULE_TYPES", "default_beta_range", "make_schedule", "parse_beta_range",
           "parse_beta_schedule"]

SCHEDULE_TYPES = ("geometric", "linear")


def default_beta_range(
    max_field: float,
    smallest_coefficient: float,
    hot_acceptance: float = 0.5,
    cold_acceptance: float = 0.01,
) -> tuple[float, float]:
    """``(beta_hot, beta_cold)`` from the model's largest field bound and smallest coefficient.

    ``max_field`` is ``max_i (|h_i| + sum_j |J_ij|)``; ``smallest_coefficient`` the smallest
    non-zero ``|h_i|`` or ``|J_ij|`` (inf when there is none). See the module docstring.
    """
    if not 0 < cold_acceptance < hot_acceptance < 1:
        raise ValueError("need 0 < cold_acceptance < hot_acceptance < 1")
    if max_field <= 0 or not math.isfinite(smallest_coefficient):
        return 1.0, 1.0
    hot = math.log(1.0 / hot_acceptance) / (2.0 * max_field)
    cold = math.log(1.0 / cold_acceptance) / (2.0 * smallest_coefficient)
    return hot, cold


def parse_beta_range(beta_range: Any) -> tuple[float, float] | None:
    """Validate ``beta_range``: ``None`` or two finite numbers ``>= 0`` (hot, cold)."""
    if beta_range is None:
        return None
    if isinstance(beta_range, (str, bytes)) or not hasattr(beta_range, "__len__") \
            or len(beta_range) != 2:
        raise TypeError(f"beta_range must be a pair (beta_hot, beta_cold), got {beta_range!r}")
    out = []
    for value in beta_range:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"beta_range must hold two numbers, got {beta_range!r}")
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"beta_range values must be finite and >= 0, got {beta_range!r}")
        out.append(value)
    return out[0], out[1]


def parse_beta_schedule(beta_schedule: Any) -> np.ndarray | None:
    """Validate an explicit schedule: a non-empty 1-D sequence of finite βs ``>= 0``."""
    if beta_schedule is None:
        return None
    try:
        betas = np.asarray(beta_schedule, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"beta_schedule must be a 1-D sequence of numbers: {exc}") from exc
    if betas.ndim != 1 or betas.size == 0:
        raise ValueError(f"beta_schedule must be a non-empty 1-D sequence, got shape "
                         f"{betas.shape}")
    if not np.isfinite(betas).all() or (betas < 0).any():
        raise ValueError("beta_schedule values must be finite and >= 0")
    return np.ascontiguousarray(betas)


def make_schedule(beta_range: tuple[float, float], num_steps: int, kind: str) -> np.ndarray:
    """``num_steps`` βs from ``beta_range[0]`` to ``beta_range[1]`` (inclusive).

    ``kind`` is ``"geometric"`` (constant ratio; both ends must be > 0) or ``"linear"``.
    A single step uses the cold end.
    """
    check_choice("beta_schedule_type", kind, SCHEDULE_TYPES)
    hot, cold = beta_range
    if num_steps == 1:
        return np.array([cold])
    if kind == "geometric":
        if hot <= 0 or cold <= 0:
            raise ValueError(f"a geometric schedule needs beta_range > 0 at both ends, got "
                             f"{beta_range!r}")
        return np.geomspace(hot, cold, num_steps)
    return np.linspace(hot, cold, num_steps)
