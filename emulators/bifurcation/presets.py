"""Machine specs of the GPU/FPGA Ising machines (DESIGN.md section 5.2).

Every clock is fitted to published figures where we found them and says so in
``clock.source`` (the figures, the fit and what is missing are in
:mod:`emulators.calibration`): the FPGA machines compute their full fixed-size product each
step (``seconds_per_step``), the GPU machines ``a + b N^2`` per batch of agents
(``seconds_per_step`` + ``seconds_per_coupling_step``, ``parallel_reads`` agents a batch).
A modelled time is never a measured one.
"""

from __future__ import annotations

from emulators import calibration as cal
from emulators.machine import ClockModel, MachineSpec, register_preset

__all__ = [
    "MA_GPU",
    "SB_FPGA",
    "SB_FPGA_INT8",
    "SB_GPU_FP16",
    "SB_GPU_FP32",
    "SB_MULTI_FPGA",
]


def _clock(preset: str, **terms: float) -> ClockModel:
    """The preset's clock with the source and fit of its calibration record."""
    record = cal.calibration_for(preset)
    return ClockModel(**terms, source=record.source, assumption=record.fit)


SB_FPGA = register_preset(MachineSpec(
    name="sb-fpga-2k",
    capacity=2048,
    coefficient_dtype="float32",
    clock=_clock("sb-fpga-2k", seconds_per_step=cal.SB_FPGA_2K_SECONDS_PER_STEP),
    notes="Single-FPGA simulated bifurcation machine, 2,048 fully connected spins. Coupler "
          "precision unpublished in what we read: fp32 assumed.",
), "toshiba-sbm-fpga")

SB_FPGA_INT8 = register_preset(MachineSpec(
    name="sb-fpga-2k-int8",
    capacity=2048,
    coupler_bits=8,
    bias_bits=8,
    clock=SB_FPGA.clock,
    notes="Reduced-precision variant of sb-fpga-2k: couplers and fields as 8-bit signed "
          "fixed point (one global scale). Our variant for precision studies.",
))

SB_MULTI_FPGA = register_preset(MachineSpec(
    name="sb-8fpga-16k",
    capacity=16384,
    coefficient_dtype="float32",
    clock=_clock("sb-8fpga-16k", seconds_per_step=cal.SB_8FPGA_SECONDS_PER_STEP),
    notes="Multi-FPGA simulated bifurcation cluster, 16,384 fully connected spins.",
))

GPU_CAPACITY = 4096

SB_GPU_FP32 = register_preset(MachineSpec(
    name="sb-gpu-fp32",
    capacity=GPU_CAPACITY,
    coefficient_dtype="float32",
    clock=_clock("sb-gpu-fp32", seconds_per_step=cal.V100_STEP_OVERHEAD_S,
                 seconds_per_coupling_step=cal.V100_SECONDS_PER_MAC,
                 parallel_reads=cal.GPU_AGENTS),
    notes="SB on one data-centre GPU, fp32 couplers, agents batched as matrix products.",
), "sb-gpu")

SB_GPU_FP16 = register_preset(MachineSpec(
    name="sb-gpu-fp16",
    capacity=GPU_CAPACITY,
    coefficient_dtype="float16",
    clock=SB_GPU_FP32.clock,
    notes="sb-gpu-fp32 with couplers stored as fp16 (reduced-precision variant; values "
          "scaled by one global factor then rounded to half precision).",
))

MA_GPU = register_preset(MachineSpec(
    name="ma-gpu",
    capacity=100_000,
    coefficient_dtype="float32",
    clock=_clock("ma-gpu", seconds_per_step=cal.V100_STEP_OVERHEAD_S,
                 seconds_per_coupling_step=cal.V100_SECONDS_PER_MAC),
    notes="Momentum-annealing GPU machine (Hitachi, the company whose GPU Ising machine "
          "Villumsen & Sugita used), fp32 couplers.",
), "momentum-annealing-gpu")
