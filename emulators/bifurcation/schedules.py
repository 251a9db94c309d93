"""The per-step settings of one SB or parallel-flip run, and the automatic SB time step.

:class:`SBSettings` and :class:`FlipSchedule` are what the kernel engines of
:mod:`.kernels_cpu` and :mod:`.kernels_xp` take; :func:`stable_time_step` is our rule for the
default SB time step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ASB",
    "BSB",
    "DEFAULT_DT",
    "DSB",
    "FlipSchedule",
    "SBSettings",
    "STABILITY_MARGIN",
    "stable_time_step",
]

#: The SB equations: adiabatic, ballistic, discrete.
ASB, BSB, DSB = 0, 1, 2
#: Default time step per equation (Goto et al. 2021 use 1.25 for bSB/dSB; aSB's x^3 term
#: needs a smaller step: our choice).
DEFAULT_DT = {ASB: 0.5, BSB: 1.25, DSB: 1.25}
#: Fraction of the symplectic-Euler stability limit the automatic time step stays below.
STABILITY_MARGIN = 0.9


@dataclass(frozen=True)
class SBSettings:
    """One SB run: equation ``variant`` (``ASB``/``BSB``/``DSB``), heating ``gamma`` (0: none),
    force scale ``c0``, pump ``a0`` reached after ``num_steps`` steps of size ``dt``, scoring
    every ``energy_interval`` steps, and the agents' start positions ``x0`` and momenta
    ``y0`` (``(agents, n)``)."""

    variant: int
    gamma: float
    c0: float
    a0: float
    dt: float
    num_steps: int
    energy_interval: int
    x0: np.ndarray
    y0: np.ndarray


@dataclass(frozen=True)
class FlipSchedule:
    """One synchronous-flip run: self-couplings ``w`` (per spin), and per step the temperature,
    the self-coupling ramp and the dropout rate; scoring every ``energy_interval`` steps."""

    w: np.ndarray
    temperatures: np.ndarray
    couplings: np.ndarray
    dropouts: np.ndarray
    energy_interval: int


def stable_time_step(equation: int, a0: float, c0: float, spectral_radius: float) -> float:
    """The default time step for ``equation``, lowered where the model needs it (our rule).

    At ``a = 0`` the stiffest mode of ``x'' = -a0 (a0 + c0 lambda) x`` has
    ``omega^2 = a0 (a0 + c0 rho)`` (``rho`` the spectral radius of ``J``); symplectic Euler
    is stable for ``dt omega < 2``, and aSB/bSB stay below 0.9 of that limit. dSB's force
    does not shrink with ``x``, so its step is divided by ``(1 + c0 rho) / 2`` instead
    (measured on G1: larger steps make most signs flip every step). For SK-like models
    ``c0 rho ~ 1`` and Goto's 1.25 is kept; sparse graphs with positive weights (G-set) have
    ``c0 rho`` of several and get smaller steps, without which the agents lock into one
    oscillating uniform mode.
    """
    preferred = DEFAULT_DT[equation]
    gain = c0 * spectral_radius
    if equation == DSB:
        return preferred / max(1.0, (1.0 + gain) / 2.0)
    omega = math.sqrt(a0 * (a0 + gain))
    return min(preferred, STABILITY_MARGIN * 2.0 / omega)
