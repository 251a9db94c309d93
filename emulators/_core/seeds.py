"""Reproducible randomness: one generator per call from one seed, and seeds for kernels."""

from __future__ import annotations

from typing import Any

import numpy as np

from emulators._core.validation import check_positive_int

__all__ = ["kernel_seeds", "make_rng"]


def make_rng(seed: Any) -> tuple[np.random.Generator, int]:
    """Return ``(generator, seed)``; ``seed=None`` draws a fresh seed and reports it."""
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)
    seed = check_positive_int("seed", seed, minimum=0, maximum=2**63 - 1)
    return np.random.default_rng(seed), seed


def kernel_seeds(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` independent 63-bit seeds for kernels (one per read/run/thread)."""
    return rng.integers(0, 2**63 - 1, size=count, dtype=np.int64)
