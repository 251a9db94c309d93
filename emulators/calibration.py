"""Where every preset's clock comes from: the published figures, the fit, and what is missing.

One :class:`ClockCalibration` record per group of presets that share a clock: the figures
used (each with its source and how sure we are of it), the fitted formula, the checks the
fitted clock must reproduce (``tests/emulators/test_calibration.py`` runs them against the
registered presets), and the figures we looked for and could not read. The presets build
their :class:`~emulators.machine.ClockModel` from the constants below, so a figure lives in
one place. ``docs/calibration.md`` and ``isingbench machines`` print :func:`clock_table`;
:data:`HEADLINES` are the published end-to-end claims that ``python -m
suites.studies.calibration`` reproduces in modelled time.

Confidence labels: **Q** quoted from the primary source (an abstract, first-party docs or
code); **S** from a secondary source (named); **D** derived by us from Q/S figures (the
arithmetic is in the fit); **NF** not found in what we could read.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ADVANTAGE_4_1",
    "CALIBRATIONS",
    "DA_SECONDS_PER_STEP",
    "HEADLINES",
    "SOURCES",
    "ClockCalibration",
    "ClockCheck",
    "Figure",
    "Headline",
    "calibration_for",
    "clock_table",
    "overhead_and_rate",
]

#: The documents behind the figures, by key (what of each we could read).
SOURCES: dict[str, str] = {
    "fpl2019": "Tatsumura, Dixon & Goto, 'FPGA-Based Simulated Bifurcation Machine', FPL 2019, "
               "pp. 59-66, doi:10.1109/FPL.2019.00019 (abstract)",
    "goto2019": "Goto, Tatsumura & Dixon, Sci. Adv. 5, eaav2372 (2019) (abstract)",
    "tatsumura2021": "Tatsumura, Yamasaki & Goto, Nat. Electron. 4, 208 (2021) (abstract)",
    "goto2025": "Goto, Hidaka & Tatsumura, arXiv:2508.17655 (2025) (abstract)",
    "oshiyama2022": "Oshiyama & Ohzeki, Sci. Rep. 12, 2146 (2022) (SBM 1.5.1 description)",
    "okuyama2019": "Okuyama, Sonobe, Kawarabayashi & Yamaoka, Phys. Rev. E 100, 012111 (2019) "
                   "(abstract)",
    "fujitsu2017": "Fujitsu's 1,024-bit FPGA prototype of the Digital Annealer (Fujitsu Sci. "
                   "Tech. J., Sept. 2017), as reported by news.mynavi.jp (techplus, "
                   "annealing-5)",
    "aramon2019": "Aramon, Rosenberg, Valiante, Miyazawa, Tamura & Katzgraber, Front. Phys. "
                  "7:48 (2019) (abstract and opening)",
    "dwave-docs": "D-Wave, 'Operation and Timing' (dwave-ocean-sdk "
                  "docs/quantum_research/operation_timing.rst @ 2a2caf8)",
    "dwave-timing-data": "dwave-cloud-client dwave/cloud/testing/mocks.py @ 27cd70e, "
                         "qpu_problem_timing_data('advantage'): Advantage 4.1 'as it was in "
                         "August 2022', the constants StructuredSolver.estimate_qpu_access_time "
                         "uses",
}


@dataclass(frozen=True)
class Figure:
    """One number behind a clock: what it is, its value and unit, source and confidence."""

    what: str
    value: float
    unit: str
    source: str
    confidence: str

    def text(self) -> str:
        return f"{self.what} = {self.value:,.6g} {self.unit} ({self.confidence}, {self.source})"


@dataclass(frozen=True)
class ClockCheck:
    """A figure the fitted clock must reproduce: ``clock.seconds(steps, reads, n) == seconds``."""

    what: str
    steps: float
    reads: int
    num_variables: int | None
    seconds: float


@dataclass(frozen=True)
class ClockCalibration:
    """The clock of one or more presets: ``source`` ("fitted to ..." or "assumption: ..."),
    the ``figures`` used, the ``fit`` written out, the ``checks`` it reproduces, and the
    figures that would pin it better but were ``not_found`` in what we can read."""

    presets: tuple[str, ...]
    source: str
    figures: tuple[Figure, ...]
    fit: str
    checks: tuple[ClockCheck, ...]
    not_found: tuple[str, ...] = ()


def overhead_and_rate(points: dict[int, float]) -> tuple[float, float]:
    """``(a, b)`` of ``t(N) = a + b N^2`` through two ``{N: seconds}`` points."""
    (n1, t1), (n2, t2) = sorted(points.items())
    b = (t2 - t1) / (n2 * n2 - n1 * n1)
    return t1 - b * n1 * n1, b


def _mvm_seconds(n: int, macs_per_second: float) -> float:
    """One dense ``n x n`` matrix-vector product at a multiply-add rate."""
    return n * n / macs_per_second


# --------------------------------------------------------------------- simulated bifurcation
#: Matrix-vector (MM) module throughput of the 2K and 4K FPGA SB machines, MAC/s (Q, fpl2019).
FPGA_MACS_PER_S = {2048: 1.873e12, 4096: 2.027e12}
#: Throughput of the same SB machines on an Nvidia Tesla V100, MAC/s (Q, fpl2019).
V100_MACS_PER_S = {2048: 113e9, 4096: 183e9}
#: One SB step of the 2K FPGA machine: the full 2,048-spin product (D).
SB_FPGA_2K_SECONDS_PER_STEP = _mvm_seconds(2048, FPGA_MACS_PER_S[2048])
#: One step of the 8-FPGA 16,384-spin cluster: the product shared by 8 chips at the 4K
#: machine's per-chip rate (D; the 2021 chip's own rate is NF).
SB_8FPGA_SECONDS_PER_STEP = _mvm_seconds(16384, 8 * FPGA_MACS_PER_S[4096])
#: ``t_step(N) = a + b N^2`` through the two V100 points (D).
V100_STEP_OVERHEAD_S, V100_SECONDS_PER_MAC = overhead_and_rate(
    {n: _mvm_seconds(n, r) for n, r in V100_MACS_PER_S.items()})
#: Agents one GPU runs side by side: "Parallelization is 80 or 160 per GPU" of the SBM
#: product (S, oshiyama2022; we read it as agents and take the lower figure).
GPU_AGENTS = 80

_FPGA_FIGURES = (
    Figure("MM throughput of the 2K FPGA SB machine (Arria 10 GX1150, 8,192 PEs)",
           FPGA_MACS_PER_S[2048], "MAC/s", "fpl2019", "Q"),
    Figure("MM throughput of the 4K FPGA SB machine", FPGA_MACS_PER_S[4096], "MAC/s",
           "fpl2019", "Q"),
)
_V100_FIGURES = tuple(Figure(f"SB throughput on a V100 at N = {n:,}", r, "MAC/s", "fpl2019",
                             "Q") for n, r in V100_MACS_PER_S.items())
_SB_NOT_FOUND = ("the FPGA clock, the steps and time step behind the 0.5 ms K2000 result, and "
                 "whether the FPGA runs more than one agent at a time (Goto 2019 body, FPL "
                 "2019 body)",)

# --------------------------------------------------------------------- Digital Annealer
#: FPGA prototype: 100 MHz clock, one update every 5 cycles (S, fujitsu2017).
DA_PROTOTYPE_CLOCK_HZ = 100e6
DA_PROTOTYPE_CYCLES_PER_UPDATE = 5
#: One Monte Carlo step (a parallel trial of every bit and at most one flip), seconds (D).
DA_SECONDS_PER_STEP = DA_PROTOTYPE_CYCLES_PER_UPDATE / DA_PROTOTYPE_CLOCK_HZ

# --------------------------------------------------------------------- quantum annealer
#: D-Wave's timing data of Advantage 4.1 (Q, dwave-timing-data), microseconds. The readout
#: model is piecewise linear in (log10 qubits read, log10 microseconds).
ADVANTAGE_4_1 = {
    "typical_programming_time": 14072.88,
    "default_programming_thermalization": 1000.0,
    "qpu_delay_time_per_sample": 20.54,
    "default_readout_thermalization": 0.0,
    "readout_log10_qubits": (0.0, 0.7699665876947938, 1.7242758696010096, 2.711975459489206,
                             3.1639057672764026, 3.750276915153992),
    "readout_log10_us": (1.539131714800995, 1.8726623164229292, 2.125631787097315,
                         2.332672340068556, 2.371606651233025, 2.3716219271760215),
}


#: Readout of one qubit and of a whole chip (the model is flat from 10^3.16 = 1,459 qubits on).
_READOUT_1_US = 10 ** ADVANTAGE_4_1["readout_log10_us"][0]
_READOUT_CHIP_US = 10 ** ADVANTAGE_4_1["readout_log10_us"][-1]

_QA_PROGRAMMING_S = (ADVANTAGE_4_1["typical_programming_time"]
                     + ADVANTAGE_4_1["default_programming_thermalization"]) * 1e-6
_QA_DELAY_S = ADVANTAGE_4_1["qpu_delay_time_per_sample"] * 1e-6

CALIBRATIONS: tuple[ClockCalibration, ...] = (
    ClockCalibration(
        presets=("sb-fpga-2k", "sb-fpga-2k-int8"),
        source="fitted to Tatsumura et al., FPL 2019 (2K FPGA SB machine's MM throughput)",
        figures=_FPGA_FIGURES[:1],
        fit=(f"t_step = 2048^2 / 1.873e12 MAC/s = {SB_FPGA_2K_SECONDS_PER_STEP * 1e6:.3f} us for "
             "any N <= 2,048 (the machine's fixed array computes its full 2,048-spin product each "
             "step: assumption); one agent at a time (P = 1: assumption); the int8 variant keeps "
             "the fp32 clock (assumption)"),
        checks=(ClockCheck("one step at N = 2,048 = MM time at 1,873 GMAC/s", 1, 1, 2048,
                           2048 ** 2 / 1.873e12),
                ClockCheck("steps and agents add up: 220 steps x 2 agents", 220, 2, 2000,
                           440 * 2048 ** 2 / 1.873e12)),
        not_found=_SB_NOT_FOUND,
    ),
    ClockCalibration(
        presets=("sb-8fpga-16k",),
        source="fitted to Tatsumura et al., FPL 2019 (4K machine's per-chip MM throughput x 8 "
               "chips); derived, the 2021 cluster's own per-step time is not published in what "
               "we read",
        figures=_FPGA_FIGURES[1:] + (
            Figure("16,384-node MAX-CUT solved by the 8-FPGA SB machine in", 1.2e-3, "s",
                   "tatsumura2021", "Q"),),
        fit=(f"t_step = 16384^2 / (8 x 2.027e12 MAC/s) = {SB_8FPGA_SECONDS_PER_STEP * 1e6:.2f} us "
             "for any N <= 16,384 (full-size product, perfect scaling over 8 chips: "
             "assumptions); P = 1; the 1.2 ms headline then means "
             f"{1.2e-3 / SB_8FPGA_SECONDS_PER_STEP:.0f} steps (a check, not the fit)"),
        checks=(ClockCheck("one step at N = 16,384 = the 8-chip product at 2,027 GMAC/s per "
                           "chip", 1, 1, 16384, 16384 ** 2 / (8 * 2.027e12)),),
        not_found=("the 2021 FPGA model, clock, steps and time per step; the instance family "
                   "and quality target of the 1.2 ms result (Tatsumura 2021 body)",),
    ),
    ClockCalibration(
        presets=("sb-gpu-fp32", "sb-gpu-fp16"),
        source="fitted to Tatsumura et al., FPL 2019 (SB on a V100 at N = 2,048 and 4,096); "
               f"assumption: {GPU_AGENTS} agents share one step (Oshiyama & Ohzeki 2022)",
        figures=_V100_FIGURES + (
            Figure("SBM agents per GPU ('80 or 160')", GPU_AGENTS, "agents", "oshiyama2022",
                   "S"),),
        fit=(f"t_step(N) = a + b N^2 x ceil(p / {GPU_AGENTS}) with a = "
             f"{V100_STEP_OVERHEAD_S * 1e6:.2f} us and b = 1 / "
             f"{1 / V100_SECONDS_PER_MAC / 1e9:.1f} GMAC/s, the line through N^2/113 GMAC/s "
             "(2,048) and N^2/183 GMAC/s (4,096); a batch of up to "
             f"{GPU_AGENTS} agents costs one single-agent step (the product reads J once per "
             "step: assumption); fp16 keeps the fp32 clock (assumption); a newer GPU than the "
             "V100 is faster by an unpublished factor"),
        checks=(ClockCheck("one step at N = 2,048 = 2048^2 / 113 GMAC/s", 1, 1, 2048,
                           2048 ** 2 / 113e9),
                ClockCheck("one step at N = 4,096 = 4096^2 / 183 GMAC/s", 1, 1, 4096,
                           4096 ** 2 / 183e9),
                ClockCheck(f"{GPU_AGENTS + 1} agents take two batches", 1, GPU_AGENTS + 1, 2048,
                           2 * 2048 ** 2 / 113e9)),
        not_found=("a per-step time of batched agents on any GPU; the SBM product's per-step "
                   "timings",),
    ),
    ClockCalibration(
        presets=("ma-gpu",),
        source="assumption: a momentum-annealing step is one dense product like an SB step, "
               "so the V100 SB fit of Tatsumura et al., FPL 2019 applies (Okuyama et al. 2019 "
               "give no per-step time in what we read)",
        figures=_V100_FIGURES,
        fit=(f"t_step(N) = {V100_STEP_OVERHEAD_S * 1e6:.2f} us + N^2 / "
             f"{1 / V100_SECONDS_PER_MAC / 1e9:.1f} GMAC/s per read, reads one after another "
             "(P = 1: assumption)"),
        checks=(ClockCheck("one step at N = 2,048 = 2048^2 / 113 GMAC/s", 1, 1, 2048,
                           2048 ** 2 / 113e9),),
        not_found=("Okuyama et al.'s GPU time per step and replicas per GPU (PRE 2019 body)",),
    ),
    ClockCalibration(
        presets=("DA1", "DA2", "DA3"),
        source="fitted to Fujitsu's 2017 FPGA prototype (100 MHz, one update every 5 cycles; "
               "secondary source); assumption: the ASICs are no slower per step",
        figures=(Figure("FPGA prototype clock", DA_PROTOTYPE_CLOCK_HZ, "Hz", "fujitsu2017", "S"),
                 Figure("cycles per update (parallel trial of all 1,024 bits, one flip)",
                        DA_PROTOTYPE_CYCLES_PER_UPDATE, "cycles", "fujitsu2017", "S")),
        fit=(f"t_step = 5 / 100 MHz = {DA_SECONDS_PER_STEP * 1e9:.0f} ns for any N up to the "
             "capacity (every bit is tried in parallel); runs one after another, no per-call "
             "overhead (assumptions); an upper bound if the ASIC is faster than its prototype"),
        checks=(ClockCheck("one Monte Carlo step = 5 cycles at 100 MHz", 1, 1, 1024, 50e-9),
                ClockCheck("runs one after another: 2 runs x 2,000 steps", 2000, 2, 1024,
                           4000 * 50e-9)),
        not_found=("the DA1/DA2/DA3 ASIC clock and time per iteration; Aramon et al.'s TTS "
                   "against N, the sizes, the 2D boundary conditions and the steps behind each "
                   "TTS (Front. Phys. 2019, sections 4-6)",),
    ),
    ClockCalibration(
        presets=("Advantage", "Advantage2", "Chimera-C4"),
        source="fitted to D-Wave's Advantage 4.1 timing data (dwave-cloud-client) and the "
               "'Operation and Timing' docs",
        figures=(
            Figure("typical_programming_time", ADVANTAGE_4_1["typical_programming_time"], "us",
                   "dwave-timing-data", "Q"),
            Figure("default_programming_thermalization",
                   ADVANTAGE_4_1["default_programming_thermalization"], "us",
                   "dwave-timing-data", "Q"),
            Figure("qpu_delay_time_per_sample (plus readout_thermalization, default 0)",
                   ADVANTAGE_4_1["qpu_delay_time_per_sample"], "us", "dwave-timing-data", "Q"),
            Figure("readout of 1 qubit (pwl_log_log model)", _READOUT_1_US, "us",
                   "dwave-timing-data", "Q"),
            Figure("readout from 1,459 qubits on (pwl_log_log model)", _READOUT_CHIP_US, "us",
                   "dwave-timing-data", "Q"),
            Figure("T_p, 'typically between 10 and 20 ms' (lower end)", 10e-3, "s",
                   "dwave-docs", "Q"),
            Figure("T_p, 'typically between 10 and 20 ms' (upper end)", 20e-3, "s",
                   "dwave-docs", "Q"),
        ),
        fit=(f"qpu_access_time = ({ADVANTAGE_4_1['typical_programming_time']:.7g} + "
             f"{ADVANTAGE_4_1['default_programming_thermalization']:.7g}) us programming (inside "
             "the docs' 10-20 ms) + reads x "
             "(anneal + readout(qubits read) + "
             f"{ADVANTAGE_4_1['qpu_delay_time_per_sample']:g} us); readout = "
             "10^interp(log10 qubits) us on D-Wave's Advantage 4.1 points "
             f"({_READOUT_1_US:.1f} us for 1 qubit to {_READOUT_CHIP_US:.1f} us from 1,459 "
             "qubits on; the whole chip when the count is not known; the docs' example of 25 us "
             "for a small and 150 us for a large problem is an illustration, the curve is what "
             "D-Wave's estimator uses); "
             "qpu_access_overhead_time (10-20 ms, "
             "not charged) is left out, as in qpu_access_time; Advantage2 and the small "
             "Chimera use Advantage 4.1's data (assumption: theirs is not in what we read)"),
        checks=(ClockCheck("programming + one 20 us read of 1 qubit", 20, 1, 1,
                           _QA_PROGRAMMING_S + (20 + _READOUT_1_US) * 1e-6 + _QA_DELAY_S),
                ClockCheck("programming + 100 reads of 1 us, whole chip read", 1, 100, None,
                           _QA_PROGRAMMING_S + 100 * ((1 + _READOUT_CHIP_US) * 1e-6
                                                      + _QA_DELAY_S))),
        not_found=("Advantage2's timing data; per-problem programming times (D-Wave gives a "
                   "typical value)",),
    ),
)


def calibration_for(preset: str) -> ClockCalibration:
    """The record of the preset called ``preset`` (case-insensitive)."""
    for record in CALIBRATIONS:
        if preset.lower() in (p.lower() for p in record.presets):
            return record
    raise ValueError(f"no clock calibration for {preset!r}; calibrated presets: "
                     f"{', '.join(p for r in CALIBRATIONS for p in r.presets)}")


def _cell(text: str) -> str:
    return text.replace("|", "/")


def clock_table() -> str:
    """The calibration records as a markdown table (``docs/calibration.md``)."""
    lines = ["| presets | clock source | figures used | fit | not found |",
             "|---|---|---|---|---|"]
    for r in CALIBRATIONS:
        figures = "; ".join(f.text() for f in r.figures)
        lines.append(f"| {', '.join(r.presets)} | {_cell(r.source)} | {_cell(figures)} | "
                     f"{_cell(r.fit)} | {_cell('; '.join(r.not_found)) or '–'} |")
    return "\n".join(lines)


# --------------------------------------------------------------------- published headlines
@dataclass(frozen=True)
class Headline:
    """A published end-to-end claim the calibration study reproduces in modelled time.

    ``kind`` is ``"run_time"`` (seconds of one run to a good solution), ``"tts"`` (a time to
    solution, seconds) or ``"speedup"`` (a ratio over simulated annealing on a CPU).
    ``family`` names the instance family of the study it is compared on. A claim is
    reproduced when ours lies within a factor 2 of ``value``; with ``at_most`` (a "no
    speed-up" claim) when ours is at most twice ``value``.
    """

    key: str
    claim: str
    preset: str
    family: str
    kind: str
    value: float
    source: str
    confidence: str
    note: str = ""
    at_most: bool = False


HEADLINES: tuple[Headline, ...] = (
    Headline("sb-k2000-time", "FPGA SB: good approximate solutions of a 2,000-node all-to-all "
             "MAX-CUT in 0.5 ms", "sb-fpga-2k", "k2000", "run_time", 0.5e-3, "goto2019", "Q",
             "not a TTS; the quality target is not in the abstract"),
    Headline("sb-k2000-vs-sa", "2K FPGA SB 124x faster than 'the highly-optimized SA' on "
             "the 2,000-node MAX-CUT", "sb-fpga-2k", "k2000", "speedup", 124.0, "fpl2019", "Q",
             "which SA, on which CPU, to which target: not in the abstract"),
    Headline("sb-16k-vs-sa", "8-FPGA SB 828x faster than an optimised SA on a 16,384-node "
             "MAX-CUT (1.2 ms)", "sb-8fpga-16k", "k2000", "speedup", 828.0, "tatsumura2021",
             "Q", "compared here on the 2,000-node family: a dense 16,384-node model is "
             "past what 2 cores run in minutes"),
    Headline("sb-k2000-tts", "best SB-machine TTS on a 2,000-variable problem: 1.3 s",
             "sb-fpga-2k", "k2000", "tts", 1.3, "goto2025", "Q",
             "that it is the FPGA dSB on K2000 to the best-known cut is our reading; the "
             "success probability is not in the abstract"),
    Headline("da-dense-vs-sa", "DA: TTS speed-up of roughly two orders of magnitude over "
             "single-core SA on fully connected spin glasses (bimodal and Gaussian)", "DA1",
             "sk", "speedup", 100.0, "aramon2019", "Q",
             "per-size TTS values are in the paper's figures, which we could not read"),
    Headline("da-2d-vs-sa", "DA: no speed-up over single-core SA on sparse 2D spin glasses",
             "DA1", "lattice", "speedup", 1.0, "aramon2019", "Q", "", at_most=True),
)
