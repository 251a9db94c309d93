"""Physics of the emulated annealer: coefficient ranges, control errors and the schedule.

Three pieces, each a plain function or a small frozen dataclass:

* :func:`auto_scale_factor` / :func:`check_in_ranges` — what the QPU's ``auto_scale`` does
  (one common factor ``c`` so that ``c·h`` and ``c·J`` use as much of ``h_range`` and
  ``j_range`` as possible; scaling never changes a ground state) and the refusal of
  out-of-range values when ``auto_scale=False`` (then ``J`` may use ``extended_j_range``);
* :func:`apply_control_errors` — integrated control errors: the machine solves
  ``h + δh, J + δJ`` with independent Gaussian ``δ`` drawn once per call, fixed in absolute
  (hardware) units. On the real machine ``δ`` depends on the neighbourhood and its size is not
  published in what DESIGN.md §5.3 cites: the widths are parameters and their defaults
  (:data:`DEFAULT_H_NOISE`, :data:`DEFAULT_J_NOISE`) are assumptions;
* :class:`AnnealSchedule` — the transverse-field schedule
  ``H(s) = -A(s)/2 Σ σx_i + B(s)/2 (Σ h_i σz_i + Σ J_ij σz_i σz_j)`` at temperature ``T``,
  turned into the per-sweep longitudinal and transverse fields (in units of ``1/kT``) that a
  path-integral Monte Carlo sampler takes. Its shape, energy scales, temperature and the
  Monte Carlo sweeps per microsecond are all assumptions (documented on the class).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BOLTZMANN_GHZ_PER_KELVIN",
    "DEFAULT_H_NOISE",
    "DEFAULT_J_NOISE",
    "AnnealSchedule",
    "apply_control_errors",
    "auto_scale_factor",
    "check_in_ranges",
]

#: Assumed default width (hardware units) of the Gaussian error on every h.
DEFAULT_H_NOISE = 0.02
#: Assumed default width (hardware units) of the Gaussian error on every J.
DEFAULT_J_NOISE = 0.02
#: k_B / h in GHz per kelvin (so k_B·T/h at 12 mK is about 0.25 GHz).
BOLTZMANN_GHZ_PER_KELVIN = 20.836619


def _limit(values: np.ndarray, lo: float, hi: float) -> float:
    """Largest factor keeping ``values * factor`` inside ``[lo, hi]`` (inf if all zero)."""
    limit = math.inf
    if values.size:
        top, bottom = float(values.max()), float(values.min())
        if top > 0:
            limit = min(limit, hi / top)
        if bottom < 0:
            limit = min(limit, lo / bottom)
    return limit


def auto_scale_factor(
    h: np.ndarray, j: np.ndarray, h_range: tuple[float, float], j_range: tuple[float, float]
) -> float:
    """The common factor ``c`` the QPU's ``auto_scale`` applies (``stored = c · value``).

    ``c`` is the largest factor keeping ``c·h`` inside ``h_range`` and ``c·J`` inside
    ``j_range`` (each sign bounded separately); a model with no non-zero coefficient gets 1.
    """
    factor = min(_limit(np.asarray(h, dtype=float), *h_range),
                 _limit(np.asarray(j, dtype=float), *j_range))
    return 1.0 if not math.isfinite(factor) or factor <= 0 else factor


def check_in_ranges(
    h: np.ndarray,
    j: np.ndarray,
    h_range: tuple[float, float],
    j_range: tuple[float, float],
    tol: float = 1e-12,
) -> None:
    """Raise ``ValueError`` if any ``h`` lies outside ``h_range`` or ``J`` outside ``j_range``.

    Used when ``auto_scale=False``: the machine then takes the values as given.
    """
    for name, values, (lo, hi) in (("h", h, h_range), ("J", j, j_range)):
        values = np.asarray(values, dtype=float)
        bad = (values < lo - tol) | (values > hi + tol)
        if bad.any():
            worst = values[bad][np.argmax(np.abs(values[bad]))]
            raise ValueError(
                f"with auto_scale=False every {name} must lie in [{lo:g}, {hi:g}]; "
                f"{int(bad.sum())} value(s) lie outside (largest {worst:g}); pass "
                "auto_scale=True or rescale the model"
            )


def apply_control_errors(
    h: np.ndarray,
    j: np.ndarray,
    h_noise: float,
    j_noise: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """``(h + δh, J + δJ)`` with ``δh ~ N(0, h_noise²)``, ``δJ ~ N(0, j_noise²)`` (one draw).

    The errors are in hardware units (after scaling), so a model whose coefficients span a
    large dynamic range sees a larger *relative* error on its small coefficients.
    """
    h = np.asarray(h, dtype=float)
    j = np.asarray(j, dtype=float)
    if h_noise > 0:
        h = h + rng.normal(0.0, h_noise, size=h.shape)
    if j_noise > 0:
        j = j + rng.normal(0.0, j_noise, size=j.shape)
    return h, j


@dataclass(frozen=True)
class AnnealSchedule:
    """Transverse-field schedule and temperature of the emulated annealer (all assumptions).

    ``A(s) = a_max_ghz · (1 − s)²`` (driver) and ``B(s) = b_max_ghz · s`` (problem) for
    ``s = t / annealing_time`` in ``[0, 1]``; ``T = temperature_mk``. These shapes and numbers
    are illustrative choices of ours with the qualitative features of published schedules
    (``A`` dominates early, ``B`` late, crossing near ``s ≈ 0.3``); they are not a calibrated
    model of any chip. ``sweeps_per_us`` converts the annealing time into Monte Carlo sweeps
    and ``trotter_slices`` sets the replicas of the discrete-time ``"sqa-trotter"`` backend:
    simulation-effort knobs, not physics.
    """

    a_max_ghz: float = 7.0
    b_max_ghz: float = 5.0
    temperature_mk: float = 12.0
    sweeps_per_us: float = 5.0
    trotter_slices: int = 16

    def __post_init__(self) -> None:
        for name in ("a_max_ghz", "b_max_ghz", "temperature_mk", "sweeps_per_us"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        slices = self.trotter_slices
        if isinstance(slices, bool) or not isinstance(slices, int) or slices < 2:
            raise ValueError(f"trotter_slices must be an integer >= 2, got {slices!r}")

    @property
    def beta_per_ghz(self) -> float:
        """``h / (k_B T)`` in 1/GHz."""
        return 1.0 / (BOLTZMANN_GHZ_PER_KELVIN * self.temperature_mk * 1e-3)

    @property
    def final_beta(self) -> float:
        """Inverse temperature of the problem Hamiltonian at the end, ``B(1) / (2 k_B T)``."""
        return self.beta_per_ghz * self.b_max_ghz / 2.0

    def num_sweeps(self, annealing_time_us: float) -> int:
        """Monte Carlo sweeps that stand for ``annealing_time_us`` (at least 1)."""
        return max(1, int(round(self.sweeps_per_us * annealing_time_us)))

    def fields(self, num_sweeps: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-sweep ``(problem, driver)`` fields in units of ``1/(k_B T)``.

        Sweep ``k`` (0-based) runs at ``s = (k + 1) / num_sweeps``, so the last sweep is at
        ``s = 1`` (no transverse field): ``problem = B(s)/(2kT)``, ``driver = A(s)/(2kT)``.
        """
        s = np.arange(1, num_sweeps + 1, dtype=float) / num_sweeps
        problem = self.beta_per_ghz * self.b_max_ghz * s / 2.0
        driver = self.beta_per_ghz * self.a_max_ghz * (1.0 - s) ** 2 / 2.0
        return problem, driver
