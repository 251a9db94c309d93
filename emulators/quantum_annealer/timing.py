"""Timing model of one QPU call (modelled, never measured).

``qpu_access_time = programming + num_reads · (anneal + readout + delay)``, all in
microseconds under the keys a QPU solver reports. The defaults (programming 8.5 ms, readout
42 µs, delay 21 µs per read) are the illustrative values DESIGN.md §5.3 takes from the public
mock sampler; on a real machine readout grows with the number of qubits read and the
programming time varies from problem to problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from emulators.machine import ClockModel

__all__ = ["QpuTiming"]


@dataclass(frozen=True)
class QpuTiming:
    """Per-call and per-read times in microseconds (assumptions, see the module docstring)."""

    programming_time_us: float = 8500.0
    readout_time_us: float = 42.0
    delay_time_us: float = 21.0

    def __post_init__(self) -> None:
        for name in ("programming_time_us", "readout_time_us", "delay_time_us"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")

    def clock(self) -> ClockModel:
        """The same model as a :class:`~emulators.machine.ClockModel` whose step is 1 µs of
        annealing (``clock.seconds(annealing_time_us, num_reads)``)."""
        return ClockModel(
            seconds_per_step=1e-6,
            seconds_per_read=(self.readout_time_us + self.delay_time_us) * 1e-6,
            seconds_per_call=self.programming_time_us * 1e-6,
            parallel_reads=1,
            assumption="QPU timing: programming once per call, then anneal + readout + delay "
                       "per read; illustrative values from the public mock sampler",
        )

    def report(self, num_reads: int, annealing_time_us: float) -> dict[str, float]:
        """The QPU timing keys (µs) for one call, plus ``modelled_hardware_s``."""
        sampling = num_reads * (annealing_time_us + self.readout_time_us + self.delay_time_us)
        access = self.programming_time_us + sampling
        return {
            "qpu_programming_time": float(self.programming_time_us),
            "qpu_anneal_time_per_sample": float(annealing_time_us),
            "qpu_readout_time_per_sample": float(self.readout_time_us),
            "qpu_delay_time_per_sample": float(self.delay_time_us),
            "qpu_sampling_time": float(sampling),
            "qpu_access_time": float(access),
            "modelled_hardware_s": float(access) * 1e-6,
        }
