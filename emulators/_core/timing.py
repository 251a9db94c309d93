"""Timing of one call (the phase stopwatch) and best-so-far traces against steps and seconds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from emulators._core.target import TargetStop

__all__ = ["Stopwatch", "Trace", "run_chunked"]


class Stopwatch:
    """Wall-clock timer for the phases of one call, in nanoseconds.

    ``with watch.section("sampling", sync=cupy_sync): ...`` — ``sync`` (if given) is called
    before the clock stops, so GPU work is counted in full.
    """

    def __init__(self) -> None:
        self.ns: dict[str, int] = {}

    @contextmanager
    def section(self, name: str, sync: Callable[[], None] | None = None) -> Iterator[None]:
        start = time.perf_counter_ns()
        try:
            yield
        finally:
            if sync is not None:
                sync()
            self.ns[f"{name}_ns"] = self.ns.get(f"{name}_ns", 0) + time.perf_counter_ns() - start

    def timing(self, modelled_hardware_s: float | None) -> dict[str, float]:
        """The ``info["timing"]`` dict (DESIGN.md section 2)."""
        out: dict[str, float] = {
            key: self.ns.get(key, 0)
            for key in ("preprocessing_ns", "sampling_ns", "postprocessing_ns")
        }
        out["modelled_hardware_s"] = (
            float("nan") if modelled_hardware_s is None else float(modelled_hardware_s)
        )
        return out


@dataclass
class Trace:
    """Best-so-far energy per read at checkpoints.

    ``step[k]`` sweeps/steps and ``seconds[k]`` wall seconds had elapsed at checkpoint ``k``;
    ``best_energy[r, k]`` is the lowest energy read ``r`` had seen by then.
    """

    step: np.ndarray
    seconds: np.ndarray
    best_energy: np.ndarray

    def to_dict(self) -> dict[str, np.ndarray]:
        return {"step": self.step, "seconds": self.seconds, "best_energy": self.best_energy}

    def rescaled(self, scale: float, offset: float = 0.0) -> Trace:
        """The trace with energies mapped by ``E / scale + offset`` (undo quantiser scaling)."""
        return Trace(self.step, self.seconds, self.best_energy / scale + offset)


def run_chunked(
    advance: Callable[[int, int], np.ndarray],
    total_steps: int,
    num_checkpoints: int = 64,
    record: bool = True,
    sync: Callable[[], None] | None = None,
    stop: TargetStop | None = None,
) -> Trace | None:
    """Run ``advance(start, stop)`` over ``[0, total_steps)`` in chunks and trace it.

    ``advance`` runs steps ``start..stop-1`` of a kernel whose state lives outside and returns
    the best-so-far energy of each read (a ``(reads,)`` array). With ``record=False`` the
    whole range runs in one call and ``None`` is returned. With an enabled ``stop`` (a
    target energy) the range runs in ``num_checkpoints`` chunks whether or not a trace is
    recorded: the clock is marked at each chunk end and the run ends early once every read
    has stopped (the trace then ends there too).
    """
    stopping = stop is not None and stop.enabled
    if stopping:
        stop.begin()
    if not record and not stopping:
        advance(0, total_steps)
        if sync is not None:
            sync()
        return None
    bounds = np.unique(np.linspace(0, total_steps, min(num_checkpoints, total_steps) + 1)
                       .round().astype(np.int64))
    steps, seconds, best = [], [], []
    start = time.perf_counter()
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        energies = advance(int(lo), int(hi))
        if sync is not None:
            sync()
        if stopping:
            stop.mark(int(hi))
        if record:
            steps.append(int(hi))
            seconds.append(time.perf_counter() - start)
            best.append(np.array(energies, dtype=np.float64, copy=True))
        if stopping and stop.finished():
            break
    if not record:
        return None
    return Trace(np.asarray(steps), np.asarray(seconds), np.stack(best, axis=1))
