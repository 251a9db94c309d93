"""Machine specs of the GPU/FPGA Ising machines (DESIGN.md section 5.2).

Every clock figure here is an ASSUMPTION derived from a published end-to-end time, not a
measured or published per-step time: a modelled time is never a measured one.
:class:`~emulators.machine.ClockModel` has no dependence on model size, so each per-step
time is stated at the preset's capacity and over-estimates smaller models.
"""

from __future__ import annotations

from emulators.machine import ClockModel, MachineSpec, register_preset

__all__ = [
    "MA_GPU",
    "SB_FPGA",
    "SB_FPGA_INT8",
    "SB_GPU_FP16",
    "SB_GPU_FP32",
    "SB_MULTI_FPGA",
]

#: Assumed number of SB steps behind the published end-to-end times (Goto et al. 2019/2021
#: run bSB/dSB for roughly a thousand steps on K2000-size problems; our assumption).
ASSUMED_STEPS = 1000

SB_FPGA = register_preset(MachineSpec(
    name="sb-fpga-2k",
    capacity=2048,
    coefficient_dtype="float32",
    clock=ClockModel(
        seconds_per_step=0.5e-3 / ASSUMED_STEPS,
        parallel_reads=1,
        assumption="Goto et al., Sci. Adv. 2019: an FPGA SB machine finds good K2000 "
                   "solutions in 0.5 ms; we assume that is 1,000 steps of one agent "
                   "(0.5 us/step). Assumption, not a published per-step time.",
    ),
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
    clock=ClockModel(
        seconds_per_step=1.2e-3 / ASSUMED_STEPS,
        parallel_reads=1,
        assumption="Tatsumura et al., Nat. Electron. 2021: an 8-FPGA SB system solves a "
                   "16,384-spin max-cut in 1.2 ms; we assume 1,000 steps (1.2 us/step).",
    ),
    notes="Multi-FPGA simulated bifurcation cluster, 16,384 fully connected spins.",
))

#: Agents one GPU runs side by side in the GPU presets (our assumption).
GPU_AGENTS = 1024
#: Assumed GPU throughput in spin updates per second (the issue's H100 bar; not measured).
GPU_UPDATES_PER_S = 1e10
GPU_CAPACITY = 4096

SB_GPU_FP32 = register_preset(MachineSpec(
    name="sb-gpu-fp32",
    capacity=GPU_CAPACITY,
    coefficient_dtype="float32",
    clock=ClockModel(
        seconds_per_spin_step=GPU_AGENTS / GPU_UPDATES_PER_S,
        parallel_reads=GPU_AGENTS,
        assumption=f"{GPU_AGENTS} agents per batch at an assumed {GPU_UPDATES_PER_S:.0e} spin "
                   "updates/s, so a step costs (spins x agents) / rate. Assumption.",
    ),
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
    clock=ClockModel(
        seconds_per_step=1e-4,
        parallel_reads=1,
        assumption="Okuyama et al., Phys. Rev. E 2019 run momentum annealing on GPUs with up "
                   "to 100,000 fully connected spins; no per-step time is given in what we "
                   "read: 0.1 ms per all-spin step is our assumption.",
    ),
    notes="Momentum-annealing GPU machine (Hitachi, the company whose GPU Ising machine "
          "Villumsen & Sugita used), fp32 couplers.",
), "momentum-annealing-gpu")
