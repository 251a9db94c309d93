"""Machine specs of the Digital Annealer generations (DESIGN.md section 5.1).

Facts (Aramon et al., Front. Phys. 7:48, 2019, and the vendor's service documentation):

* DA1: 1,024 fully connected bits; couplers 16-bit and biases 26-bit signed fixed point.
* DA2: 8,192 fully connected bits; coefficients up to 64-bit integers.
* DA3: up to 100,000 bits, annealing units working with a host CPU (see
  :mod:`~emulators.digital_annealer.decomposition` for how we model that); we assume the
  DA2's 64-bit coefficients.

The machine stores a QUBO (``vartype=BINARY``) whose coefficients are scaled by one global
factor onto the signed integer grid and rounded (its "automatic scaling"); the shared quantiser
in :mod:`emulators.machine` does exactly that.

Clock: :data:`DEFAULT_SECONDS_PER_STEP` = 50 ns per Monte Carlo step (one parallel trial of
every bit plus the field update), fitted to Fujitsu's 2017 FPGA prototype (100 MHz, one
update every 5 cycles; a secondary source, see :mod:`emulators.calibration`). The ASICs' own
time per step is not published in what we read; we assume they are no slower than their
prototype, run the runs one after another (``parallel_reads=1``) and add no per-call
overhead. Pass another ``seconds_per_step`` to :func:`user_spec` to change it. Modelled
times are never measurements.

Precision note: the emulator computes in float64, which holds the integer coefficients and
local fields exactly while they stay below 2^53 (always for DA1: 1,024 x 2^15 + 2^25 << 2^53).
For the 64-bit presets, energies and fields at the top of the grid carry float64 rounding
(relative 1e-16) instead of exact integer arithmetic.
"""

from __future__ import annotations

import dimod

from emulators.calibration import DA_SECONDS_PER_STEP, calibration_for
from emulators.machine import ClockModel, MachineSpec

__all__ = ["DA1", "DA2", "DA3", "DEFAULT_SECONDS_PER_STEP", "PRESETS", "user_spec"]

#: Modelled hardware time of one Monte Carlo step (seconds); see the module docstring.
DEFAULT_SECONDS_PER_STEP = DA_SECONDS_PER_STEP

_CLOCK_NOTE = ("assumption: {:g} s per Monte Carlo step, runs one after another, no per-call "
               "overhead; the ASIC's time per step is not published in what we read")


def user_spec(name: str, capacity: int | None, coupler_bits: int | None = 16,
              bias_bits: int | None = 26, *,
              seconds_per_step: float = DEFAULT_SECONDS_PER_STEP,
              parallel_runs: int = 1, notes: str = "") -> MachineSpec:
    """A Digital-Annealer-like :class:`~emulators.machine.MachineSpec` of your own.

    Parameters
    ----------
    name: the spec's name.
    capacity: most bits (``None``: unlimited).
    coupler_bits, bias_bits: signed integer bits of the QUBO couplers and biases (sign
        included; ``None``: unquantised).
    seconds_per_step: modelled hardware time of one Monte Carlo step (default: the 2017 FPGA
        prototype's, see :mod:`emulators.calibration`).
    parallel_runs: runs the modelled hardware executes at once.
    notes: where the numbers come from.
    """
    if not isinstance(seconds_per_step, (int, float)) or not seconds_per_step > 0:
        raise ValueError(f"seconds_per_step must be a number > 0, got {seconds_per_step!r}")
    if isinstance(parallel_runs, bool) or not isinstance(parallel_runs, int) or parallel_runs < 1:
        raise ValueError(f"parallel_runs must be an integer >= 1, got {parallel_runs!r}")
    calibrated = seconds_per_step == DA_SECONDS_PER_STEP and parallel_runs == 1
    clock = ClockModel(seconds_per_step=float(seconds_per_step), parallel_reads=parallel_runs,
                       source=calibration_for("DA1").source if calibrated
                       else "assumption: clock given by the user",
                       assumption=_CLOCK_NOTE.format(float(seconds_per_step)))
    return MachineSpec(name=name, capacity=capacity, coupler_bits=coupler_bits,
                       bias_bits=bias_bits, vartype=dimod.BINARY, clock=clock, notes=notes)


DA1 = user_spec("DA1", 1024, 16, 26, notes=(
    "Fujitsu Digital Annealer, 1st generation: 1,024 fully connected bits, 16-bit couplers, "
    "26-bit biases (Aramon et al. 2019). Clock: " + _CLOCK_NOTE.format(DEFAULT_SECONDS_PER_STEP)))
DA2 = user_spec("DA2", 8192, 64, 64, notes=(
    "Fujitsu Digital Annealer, 2nd generation: 8,192 fully connected bits, up to 64-bit "
    "integer coefficients. Clock: " + _CLOCK_NOTE.format(DEFAULT_SECONDS_PER_STEP)))
DA3 = user_spec("DA3", 100_000, 64, 64, notes=(
    "Fujitsu Digital Annealer, 3rd generation: up to 100,000 bits with a host CPU (hybrid); "
    "64-bit coefficients assumed. Clock: " + _CLOCK_NOTE.format(DEFAULT_SECONDS_PER_STEP)))

#: The presets by name.
PRESETS: dict[str, MachineSpec] = {"DA1": DA1, "DA2": DA2, "DA3": DA3}
