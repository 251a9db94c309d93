"""The one bootstrap of TTS99 that every table and sentence of a report uses.

TTS99 of a configuration is ``metrics.tts(p_s, t_read)`` with ``p_s`` its fraction of reads
that reach the target and ``t_read`` its mean time of a read on one clock (measured wall
time, or modelled hardware time). A replicate resamples the reads' successes and,
independently, the reads' times on that clock (with replacement), so its 95% interval
carries both the chance of success and the spread of time between jobs. The ``i``-th
configuration of a problem instance (in natural order of its name) resamples with
``numpy.random.default_rng([seed, i])``, the wall clock first: the verdict's ratios, its
ranking and the All results table therefore show the same intervals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from suites import metrics
from suites.ordering import natural_key

#: Coverage of every interval.
CONFIDENCE = 0.95
#: The clocks a TTS99 is computed on, in the order they draw from a configuration's stream.
CLOCKS = ("wall", "model")


def percentile_interval(values: np.ndarray) -> tuple[float, float]:
    """Nearest-rank 95% percentile interval (works with ``inf``, as metrics' bootstrap does)."""
    alpha = (1.0 - CONFIDENCE) / 2.0
    lo, hi = np.quantile(values, [alpha, 1.0 - alpha], method="inverted_cdf")
    return float(lo), float(hi)


def resample_means(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_boot`` resamples of ``values`` with replacement."""
    return values[rng.integers(0, values.size, size=(n_boot, values.size))].mean(axis=1)


@dataclass(frozen=True)
class TTSBoot:
    """TTS99 of one configuration on one clock and ``n_boot`` bootstrap replicates of it."""

    value: float
    replicates: np.ndarray

    def estimate(self) -> metrics.Estimate:
        return metrics.Estimate(self.value, *percentile_interval(self.replicates))


def tts_boot(success: np.ndarray, times: np.ndarray, n_boot: int,
             rng: np.random.Generator) -> TTSBoot | None:
    """TTS99 from per-read ``success`` and per-read ``times`` with replicates that resample
    both (independently); ``None`` without reads or times."""
    if times.size == 0 or success.size == 0:
        return None
    value = metrics.tts(float(success.mean()), float(times.mean()))
    p = resample_means(success.astype(float), n_boot, rng)
    t = resample_means(times, n_boot, rng)
    return TTSBoot(value, np.array([metrics.tts(float(pi), float(ti))
                                    for pi, ti in zip(p, t, strict=True)]))


def instance_tts_boots(reads: Mapping[str, tuple[np.ndarray, Mapping[str, np.ndarray]]],
                       n_boot: int, seed: int = 0) -> dict[tuple[str, str], TTSBoot | None]:
    """The bootstraps of one problem instance's configurations, by ``(config, clock)``.

    ``reads`` maps each configuration to ``(success, {clock: times})``.
    """
    boots: dict[tuple[str, str], TTSBoot | None] = {}
    for i, config in enumerate(sorted(reads, key=natural_key)):
        success, times = reads[config]
        rng = np.random.default_rng([seed, i])
        for clock in CLOCKS:
            boots[config, clock] = tts_boot(success, times[clock], n_boot, rng)
    return boots
