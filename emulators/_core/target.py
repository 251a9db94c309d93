"""The ``target_energy`` stop: each read stops once its energy reaches the target.

The base sampler turns the keyword into an :class:`EnergyTarget`, and each machine's engine
into a :class:`TargetStop` in its kernels' energy units. Kernels check the energy they track
against :attr:`TargetStop.threshold` at their step or sweep granularity and record, per read,
the step after which it stopped. The chunk drivers (:func:`~emulators._core.timing.run_chunked`
and the SB driver) mark the wall clock at every chunk end and end the run once every read has
stopped; :meth:`TargetStop.record` turns the stop steps into seconds (linear within a chunk).
The SampleSet carries them as the data vectors ``stop_step`` and ``stop_seconds``; a read
that never reached the target shows the whole run.

Energies are compared with a tolerance of :data:`RELATIVE_TOLERANCE` ``* max(1, |target|)``
(model units) so that float rounding of incrementally tracked energies cannot hide a read
that sits on the target.

Units. A machine that stores the model exactly, up to a scale factor and offset, converts the
target into its units exactly (``threshold``). One whose spec rounds the coefficients (by
more than the tolerance, see :func:`energy_slack`) sees a different energy function; there
the kernels do not check, and instead the driver evaluates each running read's best state on
*your* model at every chunk end (:meth:`TargetStop.check_model`, at most 64 per run) and
stops the reads that reached the target there.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import dimod
import numpy as np
import scipy.sparse as sp

from emulators._core.arrays import IsingArrays, as_spin, ising_arrays
from emulators._core.validation import check_finite_float

__all__ = [
    "NO_THRESHOLD",
    "RELATIVE_TOLERANCE",
    "EnergyTarget",
    "StopRecord",
    "TargetStop",
    "energy_slack",
    "original_arrays",
    "target_energy",
]

#: Reads whose energy is within this fraction (of ``max(1, |target|)``) above it have reached it.
RELATIVE_TOLERANCE = 1e-9
#: The threshold without a target: finite (kernels compiled with ``fastmath`` assume no
#: infinities) and below every energy.
NO_THRESHOLD = -sys.float_info.max


def target_energy(name: str, value: object) -> float | None:
    """The ``target_energy`` keyword: ``None`` (no stop) or a finite number."""
    return None if value is None else check_finite_float(name, value)


@dataclass(frozen=True)
class EnergyTarget:
    """A call's target energy (model units) and, where the machine rounds the model, the
    model as given (``original``: spin form, in the stored model's variable order)."""

    energy: float
    original: IsingArrays | None = None

    @property
    def bound(self) -> float:
        """The energy (model units) at or below which a read has reached the target."""
        return self.energy + RELATIVE_TOLERANCE * max(1.0, abs(self.energy))


def energy_slack(original: dimod.BinaryQuadraticModel, stored: IsingArrays,
                 scale: float) -> float:
    """A bound on ``|E_stored(s) - scale * E(s)|`` over all states ``s`` (stored units).

    ``stored`` is the model as the machine holds it, in spin form; the bound is the sum of
    the absolute differences of its coefficients (fields, couplers, offset) from ``scale``
    times the original's.
    """
    spin = as_spin(original)
    h, (rows, cols, values), offset = spin.to_numpy_vectors(variable_order=stored.labels)
    n = stored.num_variables
    both = np.concatenate([rows, cols]), np.concatenate([cols, rows])
    exact = sp.csr_matrix((scale * np.concatenate([values, values]), both), shape=(n, n))
    stored_j = sp.csr_matrix(stored.coupling_matrix())
    couplers = 0.5 * float(abs(stored_j - exact).sum())
    return (float(np.abs(stored.h - scale * np.asarray(h)).sum()) + couplers
            + abs(stored.offset - scale * float(offset)))


def original_arrays(original: dimod.BinaryQuadraticModel, labels: list) -> IsingArrays:
    """``original`` in spin form as arrays over ``labels`` (the stored model's order)."""
    h, quadratic, offset = as_spin(original).to_numpy_vectors(variable_order=labels)
    aligned = dimod.BQM.from_numpy_vectors(h, quadratic, offset, dimod.SPIN,
                                           variable_order=labels)
    return ising_arrays(aligned)


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
    has reached the target when ``E_k <= threshold = (target.bound - offset) * scale``
    (:data:`NO_THRESHOLD` where the kernels cannot tell, see the module docstring).
    ``steps[r]`` is ``-1`` while read ``r`` runs and the step after which it stopped once it
    has (kernels write it; engines on a device copy theirs in at chunk ends).
    ``steps_per_mark`` converts the chunk driver's steps into the kernel's (e.g. steps per
    replica-exchange round).
    """

    def __init__(self, target: EnergyTarget | None, num_reads: int, *, scale: float = 1.0,
                 offset: float = 0.0, steps_per_mark: int = 1) -> None:
        self.target = target
        self.enabled = target is not None
        self.steps_per_mark = steps_per_mark
        self.threshold = NO_THRESHOLD
        if target is not None and target.original is None:
            self.threshold = (target.bound - offset) * scale
        self.steps = np.full(num_reads, -1, dtype=np.int64)
        self._marks: list[tuple[int, float]] = [(0, 0.0)]
        self._start = time.perf_counter()
        self._best_states: Callable[[], np.ndarray] | None = None
        self._halt: Callable[[np.ndarray, int], None] | None = None

    def attach(self, best_states: Callable[[], np.ndarray],
               halt: Callable[[np.ndarray, int], None] | None = None) -> None:
        """How :meth:`check_model` reads each read's best state (``(reads, n)`` spins, host)
        and tells the kernels that the reads of a mask stopped at a step (``None``: they
        read :attr:`steps` themselves)."""
        self._best_states = best_states
        self._halt = halt

    def check_model(self, step: int) -> None:
        """At a chunk end, ``step`` kernel steps in: stop the running reads whose best state
        reaches the target on the original model (only where the machine rounds it)."""
        if self.target is None or self.target.original is None or self._best_states is None:
            return
        running = self.steps < 0
        if not running.any():
            return
        reached = running & (self.target.original.energies(self._best_states())
                             <= self.target.bound)
        if reached.any():
            self.steps[reached] = step
            if self._halt is not None:
                self._halt(reached, step)

    def begin(self, step: int = 0) -> None:
        """Start the clock (at the start of the kernel run, ``step`` driver steps in)."""
        self._start = time.perf_counter()
        self._marks = [(step * self.steps_per_mark, 0.0)]

    def mark(self, step: int) -> None:
        """At a chunk end, ``step`` driver steps in: check the original model where needed
        and note the time."""
        self.check_model(int(step) * self.steps_per_mark)
        self._marks.append((int(step) * self.steps_per_mark,
                            time.perf_counter() - self._start))

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
