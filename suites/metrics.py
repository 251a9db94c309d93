"""Benchmark metrics (DESIGN.md section 3).

* success: a read with energy ≤ target + ε, ε = max(epsilon, epsilon_rel·|target|);
* p_s = successes / reads;
* TTS99 = t_run · ln(1 − 0.99) / ln(1 − p_s) for 0 < p_s < 0.99, t_run for p_s ≥ 0.99,
  ∞ for p_s = 0; t_run is the time of one read (wall or modelled hardware time);
* bootstrap 95% intervals over reads (percentile method, seeded generator);
* residual energy (E − E_target) / |E_target|;
* convergence: median and inter-quartile band of best-so-far energy against steps or seconds;
* accuracy: mean ± standard deviation over seeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

TARGET_PROBABILITY = 0.99


def success_threshold(target: float, epsilon: float = 1e-6, epsilon_rel: float = 0.0) -> float:
    """Largest energy that counts as a success for ``target``."""
    if not math.isfinite(target):
        raise ValueError(f"target must be a finite energy, got {target}")
    if epsilon < 0 or epsilon_rel < 0:
        raise ValueError("epsilon and epsilon_rel must be >= 0")
    return target + max(epsilon, epsilon_rel * abs(target))


def successes(
    energies: Sequence[float] | np.ndarray,
    target: float,
    epsilon: float = 1e-6,
    epsilon_rel: float = 0.0,
) -> np.ndarray:
    """Boolean array: which reads reached the target."""
    return np.asarray(energies, dtype=float) <= success_threshold(target, epsilon, epsilon_rel)


def success_probability(success: Sequence[bool] | np.ndarray) -> float:
    """Fraction of successful reads (``nan`` for no reads)."""
    s = np.asarray(success, dtype=bool)
    return float(s.mean()) if s.size else float("nan")


def tts(p_success: float, t_run: float, target_probability: float = TARGET_PROBABILITY) -> float:
    """Time to reach the target with probability ``target_probability`` (TTS99 by default).

    ``t_run`` is the time of one read. Returns ``inf`` when ``p_success == 0`` and ``t_run``
    when ``p_success >= target_probability`` (one read is enough).
    """
    if not 0.0 <= p_success <= 1.0:
        raise ValueError(f"p_success must lie in [0, 1], got {p_success}")
    if not 0.0 < target_probability < 1.0:
        raise ValueError(f"target_probability must lie in (0, 1), got {target_probability}")
    if not t_run >= 0:
        return float("nan")
    if p_success == 0.0:
        return float("inf")
    if p_success >= target_probability:
        return float(t_run)
    return float(t_run * math.log(1.0 - target_probability) / math.log(1.0 - p_success))


def residual_energy(energies: Sequence[float] | np.ndarray, target: float) -> np.ndarray:
    """(E − E_target) / |E_target| per read (``nan`` when the target is 0 or unknown)."""
    e = np.asarray(energies, dtype=float)
    if not math.isfinite(target) or target == 0:
        return np.full(e.shape, np.nan)
    return (e - target) / abs(target)


def _percentile_sorted(values: np.ndarray, q: float) -> float:
    """Nearest-rank percentile (works with ``inf`` values, which interpolation would not)."""
    v = np.sort(values)
    idx = int(np.clip(math.ceil(q / 100.0 * v.size) - 1, 0, v.size - 1))
    return float(v[idx])


def bootstrap_interval(
    values: Sequence | np.ndarray,
    statistic: Callable[[np.ndarray], float],
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over resampled ``values`` (with replacement).

    Uses ``numpy.random.default_rng(seed)``, so the same inputs give the same interval.
    Returns ``(nan, nan)`` for no values.
    """
    x = np.asarray(values)
    if x.size == 0:
        return float("nan"), float("nan")
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    stats = np.array([statistic(x[row]) for row in idx], dtype=float)
    alpha = (1.0 - confidence) / 2.0
    return _percentile_sorted(stats, 100 * alpha), _percentile_sorted(stats, 100 * (1 - alpha))


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a bootstrap interval."""

    value: float
    low: float
    high: float


def success_probability_ci(success: Sequence[bool], n_boot: int = 1000, seed: int = 0) -> Estimate:
    """p_s with its bootstrap 95% interval over reads."""
    s = np.asarray(success, dtype=bool)
    lo, hi = bootstrap_interval(s, lambda r: float(r.mean()), n_boot, seed)
    return Estimate(success_probability(s), lo, hi)


def tts_ci(
    success: Sequence[bool],
    t_run: float,
    n_boot: int = 1000,
    seed: int = 0,
    target_probability: float = TARGET_PROBABILITY,
) -> Estimate:
    """TTS with its bootstrap 95% interval over reads (bounds may be ``inf``)."""
    s = np.asarray(success, dtype=bool)
    if s.size == 0:
        return Estimate(float("nan"), float("nan"), float("nan"))
    point = tts(success_probability(s), t_run, target_probability)
    lo, hi = bootstrap_interval(
        s, lambda r: tts(float(r.mean()), t_run, target_probability), n_boot, seed
    )
    return Estimate(point, lo, hi)


def convergence_vs_steps(best_energy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quartiles over reads of best-so-far energy: ``best_energy`` is (reads, T).

    Returns ``(q25, median, q75)``, each of length T. A non-finite entry (a read with no
    energy recorded yet at that checkpoint) counts as missing; a checkpoint with none gives nan.
    """
    b = np.asarray(best_energy, dtype=float)
    if b.ndim != 2 or b.shape[0] == 0:
        raise ValueError(f"best_energy must be (reads, T) with reads >= 1, got {b.shape}")
    b = np.where(np.isfinite(b), b, np.nan)
    q25, med, q75 = np.full((3, b.shape[1]), np.nan)
    seen = ~np.all(np.isnan(b), axis=0)
    if seen.any():
        q25[seen], med[seen], q75[seen] = np.nanpercentile(b[:, seen], [25, 50, 75], axis=0)
    return q25, med, q75


def best_so_far_at(times: np.ndarray, best: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Value of a best-so-far curve (reads, T) sampled at ``grid`` times (step function).

    Before the first recorded time the value is ``nan``.
    """
    times = np.asarray(times, dtype=float)
    best = np.atleast_2d(np.asarray(best, dtype=float))
    idx = np.searchsorted(times, grid, side="right") - 1
    out = np.full((best.shape[0], grid.size), np.nan)
    ok = idx >= 0
    out[:, ok] = best[:, idx[ok]]
    return out


def convergence_vs_seconds(
    curves: Sequence[tuple[np.ndarray, np.ndarray]], num_points: int = 60
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Quartiles of best-so-far energy against time, pooled over runs with different clocks.

    ``curves`` holds ``(seconds (T,), best_energy (reads, T))`` per run. Every read is sampled
    on one common log-spaced grid from the earliest to the latest recorded time. Returns
    ``(grid, q25, median, q75)``; grid points before a run's first record count as missing.
    """
    if not curves:
        raise ValueError("no curves given")
    t_min = min(float(np.min(t[t > 0])) if np.any(t > 0) else 1e-9 for t, _ in curves)
    t_max = max(float(np.max(t)) for t, _ in curves)
    grid = np.geomspace(t_min, max(t_max, t_min * 1.0001), num_points)
    pooled = np.vstack([best_so_far_at(t, b, grid) for t, b in curves])
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            q25, med, q75 = np.nanpercentile(pooled, [25, 50, 75], axis=0)
    return grid, q25, med, q75


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; 0 for one value, nan for none)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    return float(v.mean()), float(v.std(ddof=1)) if v.size > 1 else 0.0
