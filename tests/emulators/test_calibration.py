"""Clock calibration: every preset's clock reproduces the published figures it was fitted to."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from emulators import calibration as cal
from emulators.machine import ClockModel, all_presets, get_preset
from emulators.quantum_annealer import QpuTiming

DOCS = Path(__file__).parents[2] / "docs" / "calibration.md"
CASES = [(name, check) for record in cal.CALIBRATIONS for name in record.presets
         for check in record.checks]


@pytest.mark.parametrize(("preset", "check"), CASES,
                         ids=[f"{p}:{c.what[:30]}" for p, c in CASES])
def test_each_clock_reproduces_the_figures_it_was_fitted_to(preset, check):
    clock = get_preset(preset).clock
    got = clock.seconds(check.steps, check.reads, check.num_variables)
    assert got == pytest.approx(check.seconds, rel=1e-12)


def test_every_preset_names_its_clock_source():
    specs = {spec.name: spec for spec in all_presets().values()}
    for name, spec in specs.items():
        record = cal.calibration_for(name)
        assert spec.clock.source == record.source
        assert record.source.startswith(("fitted to ", "assumption: "))
        assert record.figures and record.fit


def test_fpga_fit_is_the_published_mm_throughput():
    # FPL 2019: 1,873 GMAC/s on a 2,048-spin product; the 8-chip cluster at 2,027 GMAC/s each
    assert get_preset("sb-fpga-2k").clock.step_seconds(2000) == pytest.approx(2048**2 / 1.873e12)
    assert get_preset("sb-8fpga-16k").clock.step_seconds() == pytest.approx(
        16384**2 / (8 * 2.027e12))
    # the 0.5 ms K2000 headline is about 223 steps of that machine
    assert 0.5e-3 / get_preset("sb-fpga-2k").clock.step_seconds() == pytest.approx(223.3, abs=0.1)


def test_gpu_fit_passes_through_both_v100_points_and_batches_agents():
    a, b = cal.overhead_and_rate({2048: 2048**2 / 113e9, 4096: 4096**2 / 183e9})
    assert a == pytest.approx(18.93e-6, rel=1e-3) and 1 / b == pytest.approx(230.6e9, rel=1e-3)
    clock = get_preset("sb-gpu-fp32").clock
    assert clock.parallel_reads == cal.GPU_AGENTS == 80
    one = clock.seconds(100, 1, 3000)
    assert clock.seconds(100, 80, 3000) == pytest.approx(one)
    assert clock.seconds(100, 160, 3000) == pytest.approx(2 * one)
    assert one == pytest.approx(100 * (a + 3000**2 * b))


def test_digital_annealer_step_is_the_prototypes_five_cycles():
    assert get_preset("DA1").clock.seconds_per_step == pytest.approx(5 / 100e6)
    assert "assumption" in get_preset("DA2").clock.source


def test_clock_model_terms_add_up():
    clock = ClockModel(seconds_per_step=1e-6, seconds_per_spin_step=1e-9,
                       seconds_per_coupling_step=1e-12, seconds_per_read=1e-3,
                       seconds_per_call=0.5, parallel_reads=4)
    step = 1e-6 + 100 * 1e-9 + 100**2 * 1e-12
    assert clock.seconds(10, 9, 100) == pytest.approx(0.5 + 3 * (1e-3 + 10 * step))
    assert clock.seconds(10, 9) == pytest.approx(0.5 + 3 * (1e-3 + 10 * 1e-6))


def test_clock_model_read_curve_is_log_log_and_flat_beyond_the_ends():
    clock = ClockModel(read_curve=((0.0, -5.0), (2.0, -4.0)))
    assert clock.read_seconds(1) == pytest.approx(1e-5)
    assert clock.read_seconds(10) == pytest.approx(10**-4.5)
    assert clock.read_seconds(10_000) == pytest.approx(1e-4)
    assert clock.read_seconds(None) == pytest.approx(1e-4)  # unknown: the last point


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"seconds_per_step": -1.0}, "seconds_per_step"),
    ({"seconds_per_coupling_step": math.nan}, "seconds_per_coupling_step"),
    ({"parallel_reads": 0}, "parallel_reads"),
    ({"read_curve": ((1.0, 0.0), (1.0, 1.0))}, "read_curve"),
])
def test_clock_model_refuses_bad_terms(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ClockModel(**kwargs)


# ----------------------------------------------------------------------------- QPU timing
def test_qpu_readout_follows_dwaves_advantage_4_1_model():
    timing = QpuTiming()
    assert timing.readout_us(1) == pytest.approx(34.6, abs=0.05)
    # the values dwave-cloud-client's estimator gives (numpy.interp on the same points)
    assert timing.readout_us(10) == pytest.approx(85.8, abs=0.05)
    assert timing.readout_us(100) == pytest.approx(152.6, abs=0.05)
    assert timing.readout_us(1000) == pytest.approx(227.8, abs=0.05)
    assert timing.readout_us(5640) == pytest.approx(235.3, abs=0.05)
    assert timing.readout_us(None) == timing.readout_us(5640)
    assert timing.call_us == pytest.approx(15072.88)
    assert timing.delay_us == pytest.approx(20.54)


@pytest.mark.parametrize("qubits", [1, 7, 64, 500, 3000, None])
def test_qpu_report_and_clock_agree_for_every_qubit_count(qubits):
    timing = QpuTiming()
    t = timing.report(num_reads=25, annealing_time_us=40.0, num_qubits=qubits)
    per_read = 40.0 + timing.readout_us(qubits) + 20.54
    assert t["qpu_readout_time_per_sample"] == pytest.approx(timing.readout_us(qubits))
    assert t["qpu_sampling_time"] == pytest.approx(25 * per_read)
    assert t["qpu_access_time"] == pytest.approx(15072.88 + 25 * per_read)
    assert timing.clock().seconds(40.0, 25, qubits) == pytest.approx(t["modelled_hardware_s"])


def test_qpu_timing_constant_readout_and_thermalization():
    timing = QpuTiming(readout_time_us=42.0, readout_thermalization_us=10.0,
                       programming_thermalization_us=0.0)
    t = timing.report(2, 20.0, num_qubits=1000)
    assert t["qpu_readout_time_per_sample"] == 42.0
    assert t["qpu_delay_time_per_sample"] == pytest.approx(30.54)
    assert t["qpu_programming_time"] == pytest.approx(14072.88)
    assert timing.clock().seconds(20.0, 2, 1000) == pytest.approx(t["modelled_hardware_s"])
    assert timing.clock().source.startswith("assumption: ")
    assert QpuTiming().clock().source == cal.calibration_for("Advantage").source


def test_qpu_timing_refuses_bad_values():
    with pytest.raises(ValueError, match="readout_time_us"):
        QpuTiming(readout_time_us=-1.0)
    with pytest.raises(ValueError, match="readout_log10"):
        QpuTiming(readout_log10_qubits=(0.0, 1.0), readout_log10_us=(1.0,))


# ----------------------------------------------------------------------------- the table
def test_docs_hold_the_generated_calibration_table():
    table = cal.clock_table()
    for record in cal.CALIBRATIONS:
        assert record.source in table
    assert table in DOCS.read_text(encoding="utf-8")


def test_headlines_name_calibrated_presets_and_known_sources():
    for headline in cal.HEADLINES:
        cal.calibration_for(headline.preset)
        assert headline.source in cal.SOURCES
        assert headline.kind in ("run_time", "tts", "speedup")


def test_machines_verb_names_each_clock_source_and_the_calibration(capsys):
    from suites import cli

    assert cli.main(["machines"]) == 0
    out = capsys.readouterr().out
    for record in cal.CALIBRATIONS:
        assert f"    clock: {record.source}" in out
        assert f"      fit: {record.fit}" in out
    assert "seconds(steps, reads, N) = ceil(reads / 80) x (steps x (18.93 us + N^2 x" in out
    assert "not found in what we can read:" in out
