"""The ``target_energy`` stop: each read stops once its energy reaches the target.

A machine's kernels check the energy they track against :attr:`TargetStop.threshold` (the
target converted into the kernel's own energy units, quantisation scale and offset included)
at their step or sweep granularity and record, per read, the step after which it stopped.
The chunk driver (:func:`~emulators._core.timing.run_chunked`) marks the wall clock at every
chunk end and ends the run once every read has stopped; :meth:`TargetStop.record` then turns
the stop steps into seconds (linear within a chunk). The SampleSet carries them as the data
vectors ``stop_step`` and ``stop_seconds``; a read that never reached the target shows the
whole run.

Energies are compared with a tolerance of :data:`RELATIVE_TOLERANCE` ``* max(1, |target|)``
(model units) so that float rounding of incrementally tracked energies cannot hide a read
that sits on the target.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import numpy as np

from emulators._core.validation import check_finite_float

__all__ = ["NO_THRESHOLD", "RELATIVE_TOLERANCE", "StopRecord", "TargetStop", "target_energy"]

#: Reads whose energy is within this fraction (of ``max(1, |target|)``) above it have reached it.
RELATIVE_TOLERANCE = 1e-9
#: The threshold without a target: finite (kernels compiled with ``fastmath`` assume no
#: infinities) and below every energy.
NO_THRESHOLD = -sys.float_info.max


def target_energy(name: str, value: object) -> float | None:
    """The ``target_energy`` keyword: ``None`` (no stop) or a finite number."""
    return None if value is None else check_finite_float(name, value)


@dataclass(frozen=True)
class StopRecord:
    """When each read stopped: ``steps`` (sweeps/steps it ran) and ``seconds`` (wall seconds
    from the start of the kernel run until it stopped)."""

    steps: np.ndarray
    seconds: np.ndarray

    @property
    def steps_run(self) -> int:
        """Steps the machine ran: until its last read stopped."""
        return int(self.steps.max(initial=0))

    def vectors(self) -> dict[str, np.ndarray]:
        """The SampleSet data vectors."""
        return {"stop_step": self.steps, "stop_seconds": self.seconds}


class TargetStop:
    """Per-read stop bookkeeping of one run (a no-op when ``target`` is ``None``).

    Kernel energies ``E_k`` relate to model energies by ``E = E_k / scale + offset``, so a read
    has reached ``target`` when ``E_k <= threshold = (target + tol - offset) * scale``.
    ``steps[r]`` is ``-1`` while read ``r`` runs and the step after which it stopped once it
    has (kernels write it; engines on a device copy theirs in at chunk ends).
    ``steps_per_mark`` converts the chunk driver's steps into the kernel's (e.g. steps per
    replica-exchange round).
    """

    def __init__(self, target: float | None, num_reads: int, *, scale: float = 1.0,
                 offset: float = 0.0, steps_per_mark: int = 1) -> None:
        self.target = target
        self.steps_per_mark = steps_per_mark
        self.enabled = target is not None
        if target is None:
            self.threshold = NO_THRESHOLD
        else:
            tolerance = RELATIVE_TOLERANCE * max(1.0, abs(target))
            self.threshold = (target + tolerance - offset) * scale
        self.steps = np.full(num_reads, -1, dtype=np.int64)
        self._marks: list[tuple[int, float]] = [(0, 0.0)]
        self._start = time.perf_counter()

    def begin(self, step: int = 0) -> None:
        """Start the clock (at the start of the kernel run, ``step`` steps in)."""
        self._start = time.perf_counter()
        self._marks = [(step * self.steps_per_mark, 0.0)]

    def mark(self, step: int) -> None:
        """Note that ``step`` driver steps have run by now (a chunk end)."""
        self._marks.append((int(step) * self.steps_per_mark, time.perf_counter() - self._start))

    def finished(self) -> bool:
        """Every read has stopped."""
        return self.enabled and bool((self.steps >= 0).all())

    def record(self, total_steps: int) -> StopRecord | None:
        """Each read's stop step and second (``total_steps`` for reads that ran to the end);
        ``None`` without a target."""
        if not self.enabled:
            return None
        marks = np.array(self._marks, dtype=np.float64)
        ran = int(marks[-1, 0])
        steps = np.where(self.steps >= 0, self.steps, min(total_steps, ran)).astype(np.int64)
        seconds = np.interp(steps, marks[:, 0], marks[:, 1])
        return StopRecord(steps, seconds)
