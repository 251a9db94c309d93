"""Timing model of one QPU call (modelled, never measured).

D-Wave's structure ("Operation and Timing"; the estimator of dwave-cloud-client):
``qpu_access_time = programming + num_reads · (anneal + readout + delay)``, all in
microseconds under the keys a QPU solver reports. ``programming`` is the typical programming
time plus the programming thermalization; ``readout`` depends on the number of qubits read
(a piecewise-linear curve in log10 qubits against log10 µs); ``delay`` is a constant plus the
readout thermalization. The defaults are D-Wave's Advantage 4.1 timing data
(:data:`emulators.calibration.ADVANTAGE_4_1`, with the source beside each value).
``qpu_access_overhead_time`` (10-20 ms that D-Wave does not charge) is not modelled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from emulators.calibration import ADVANTAGE_4_1, calibration_for
from emulators.machine import ClockModel

__all__ = ["QpuTiming"]


def _check_time(name: str, value: object) -> None:
    if not (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True)
class QpuTiming:
    """Per-call and per-read times in microseconds (see the module docstring).

    ``readout_time_us`` set to a number replaces the qubit-dependent readout curve
    (``readout_log10_qubits`` -> ``readout_log10_us``) by a constant.
    """

    programming_time_us: float = ADVANTAGE_4_1["typical_programming_time"]
    programming_thermalization_us: float = ADVANTAGE_4_1["default_programming_thermalization"]
    delay_time_us: float = ADVANTAGE_4_1["qpu_delay_time_per_sample"]
    readout_thermalization_us: float = ADVANTAGE_4_1["default_readout_thermalization"]
    readout_log10_qubits: tuple[float, ...] = ADVANTAGE_4_1["readout_log10_qubits"]
    readout_log10_us: tuple[float, ...] = ADVANTAGE_4_1["readout_log10_us"]
    readout_time_us: float | None = None

    def __post_init__(self) -> None:
        for name in ("programming_time_us", "programming_thermalization_us", "delay_time_us",
                     "readout_thermalization_us"):
            _check_time(name, getattr(self, name))
        if self.readout_time_us is not None:
            _check_time("readout_time_us", self.readout_time_us)
        xs = tuple(float(x) for x in self.readout_log10_qubits)
        ys = tuple(float(y) for y in self.readout_log10_us)
        if len(xs) != len(ys) or not xs or any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
            raise ValueError("readout_log10_qubits and readout_log10_us must be equally long, "
                             "non-empty, with rising qubit counts")
        object.__setattr__(self, "readout_log10_qubits", xs)
        object.__setattr__(self, "readout_log10_us", ys)

    @property
    def call_us(self) -> float:
        """Programming, as ``qpu_programming_time`` reports it (thermalization included)."""
        return self.programming_time_us + self.programming_thermalization_us

    @property
    def delay_us(self) -> float:
        """``qpu_delay_time_per_sample``: the constant plus the readout thermalization."""
        return self.delay_time_us + self.readout_thermalization_us

    def readout_us(self, num_qubits: int | None = None) -> float:
        """Readout of one read of ``num_qubits`` qubits (``None``: the whole chip, the
        curve's last point)."""
        if self.readout_time_us is not None:
            return float(self.readout_time_us)
        x = self.readout_log10_qubits[-1] if num_qubits is None \
            else math.log10(max(1, int(num_qubits)))
        return float(10.0 ** np.interp(x, self.readout_log10_qubits, self.readout_log10_us))

    def clock(self) -> ClockModel:
        """The same model as a :class:`~emulators.machine.ClockModel` whose step is 1 µs of
        annealing (``clock.seconds(annealing_time_us, num_reads, num_qubits)``)."""
        curve = () if self.readout_time_us is not None else tuple(
            (x, y - 6.0) for x, y in zip(self.readout_log10_qubits, self.readout_log10_us,
                                         strict=True))
        fixed = self.readout_time_us or 0.0
        return ClockModel(
            seconds_per_step=1e-6,
            seconds_per_read=(fixed + self.delay_us) * 1e-6,
            seconds_per_call=self.call_us * 1e-6,
            read_curve=curve,
            source=calibration_for("Advantage").source if self == QpuTiming()
            else "assumption: QPU timing given by the user",
            assumption="programming once per call, then anneal + readout(qubits read) + delay "
                       "per read; the readout of a problem whose qubit count is not given is "
                       "that of the whole chip",
        )

    def report(self, num_reads: int, annealing_time_us: float,
               num_qubits: int | None = None) -> dict[str, float]:
        """The QPU timing keys (µs) for one call of ``num_qubits`` qubits read (``None``: the
        whole chip), plus ``modelled_hardware_s``."""
        readout = self.readout_us(num_qubits)
        sampling = num_reads * (annealing_time_us + readout + self.delay_us)
        access = self.call_us + sampling
        return {
            "qpu_programming_time": float(self.call_us),
            "qpu_anneal_time_per_sample": float(annealing_time_us),
            "qpu_readout_time_per_sample": float(readout),
            "qpu_delay_time_per_sample": float(self.delay_us),
            "qpu_sampling_time": float(sampling),
            "qpu_access_time": float(access),
            "modelled_hardware_s": float(access) * 1e-6,
        }
