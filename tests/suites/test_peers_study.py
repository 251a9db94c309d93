"""The peers study's own logic (suites/studies/peers.py, peer_solvers.py).

Budget matching, TTS99 with bootstrap intervals, ratio tables and bars are tested with our
samplers and hand-made runs on tiny instances; a test that needs a peer package is skipped
when it is not installed (the peers are an optional extra, never needed here).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math

import dimod
import numpy as np
import pandas as pd
import pytest

from emulators.annealing import SimulatedAnnealingSampler
from suites import cli, metrics
from suites.instances import dense_pm1_instance, maxcut_bqm
from suites.studies import get_study, peers
from suites.studies.peer_solvers import (
    DOCUMENTED_DEFAULTS,
    MATCHED_SCHEDULE,
    Budget,
    Clock,
    Context,
    Solver,
    _openjij_call,
    all_solvers,
    matched_beta_range,
    sb_ising,
)

SOLVERS = {s.name: s for s in all_solvers()}
MATCHED = Budget(sweeps=32, reads=2)  # divisible by PT's 16 replicas and SQA's 4 slices


@pytest.fixture(scope="module")
def tiny() -> dimod.BinaryQuadraticModel:
    return maxcut_bqm(dense_pm1_instance(12, seed=3))


def _solver(name: str) -> Solver:
    solver = SOLVERS[name]
    missing = solver.missing()
    if missing:
        pytest.skip(f"{name} needs {', '.join(missing)} (pip install 'isingbench[peers]')")
    return solver


# --------------------------------------------------------------------------- budget matching
@pytest.mark.parametrize("name", [n for n, s in SOLVERS.items() if s.name != "dwave tabu"])
def test_matched_runs_make_the_same_update_attempts_per_read(tiny, name):
    outcome = _solver(name).run(tiny, "matched", MATCHED, Context(), seed=1)
    assert outcome.updates / MATCHED.reads == tiny.num_variables * MATCHED.sweeps
    assert len(outcome.energies) == MATCHED.reads
    assert outcome.seconds > 0 and outcome.wall_seconds > 0


@pytest.mark.parametrize("name", list(SOLVERS))
def test_reported_energies_are_the_models(tiny, name):
    """Every solver's energies are re-scored on the study's model (a valid spin state's)."""
    solver = _solver(name)
    context = Context(reference_seconds_per_read=0.001)
    outcome = solver.run(tiny, "matched", MATCHED, context, seed=2)
    brute = dimod.ExactSolver().sample(tiny).first.energy
    assert np.all(outcome.energies >= brute - 1e-9)
    # max-cut energies are minus an integer cut
    assert np.allclose(outcome.energies, np.round(outcome.energies))


def test_every_solver_says_which_defaults_it_used():
    assert set(DOCUMENTED_DEFAULTS) == set(SOLVERS)
    assert all(s.counting for s in SOLVERS.values())
    ours = [s for s in SOLVERS.values() if s.group == "ours"]
    assert ours and all(set(s.closest) <= set(SOLVERS) for s in ours)


def test_defaults_setting_uses_documented_budgets():
    ctx, budget = Context(), Budget(sweeps=50, reads=3)
    assert SOLVERS["SA (ours)"].params("defaults", budget, 10, ctx)["num_sweeps"] == 1000
    assert SOLVERS["DA (ours)"].params("defaults", budget, 10, ctx)["number_iterations"] == 10_000
    assert SOLVERS["sb bSB"].params("defaults", budget, 10, ctx)["max_steps"] == 10_000
    assert SOLVERS["OpenJij SQA"].params("matched", budget, 10, ctx)["num_sweeps"] == 12
    assert SOLVERS["PT (ours)"].params("matched", budget, 10, ctx)["num_sweeps"] == 3
    # the package's pump reaches 1 on the last matched step, as ours does
    sb = SOLVERS["sb dSB"].params("matched", budget, 10, ctx)
    assert sb["time_step"] * sb["max_steps"] * sb["pressure_slope"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="setting"):
        SOLVERS["SA (ours)"].params("fast", budget, 10, ctx)


def test_machine_models_are_chosen_by_capacity():
    ctx, budget = Context(), Budget(sweeps=10, reads=2)
    assert SOLVERS["DA (ours)"].params("defaults", budget, 100, ctx)["spec"] == "DA2"
    assert SOLVERS["DA (ours)"].params("defaults", budget, 10_000, ctx)["spec"] == "DA3"
    assert SOLVERS["bSB (ours)"].params("defaults", budget, 100, ctx)["spec"] == "sb-gpu-fp32"
    assert SOLVERS["bSB (ours)"].params("defaults", budget, 5_000, ctx)["spec"] is None
    assert SOLVERS["sb bSB"].too_large(5_000) and not SOLVERS["sb bSB"].too_large(4_096)


def test_tabu_time_limit_is_the_reference_annealers_per_read_time():
    tabu = SOLVERS["dwave tabu"]
    budget = Budget(sweeps=10, reads=4)
    assert tabu.params("defaults", budget, 10, Context())["timeout"] == 20
    assert tabu.params("matched", budget, 10, Context(reference_seconds_per_read=0.0042)
                       )["timeout"] == 5
    with pytest.raises(ValueError, match="per-read time"):
        tabu.params("matched", budget, 10, Context())


#: The single-flip annealers, which share the instance's β schedule in the matched runs.
ANNEALERS = ("SA (ours)", "SA (ours, 1 thread)", "dwave SA", "OpenJij SA")


def _beta_range(params: dict) -> tuple[float, float]:
    if "beta_min" in params:  # OpenJij: beta_min is the hot start, beta_max the cold end
        return params["beta_min"], params["beta_max"]
    assert params["beta_schedule_type"] == "geometric"
    return tuple(params["beta_range"])


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
def test_matched_annealers_share_one_geometric_beta_schedule(vartype):
    bqm = dimod.generators.gnp_random_bqm(9, 0.7, vartype, random_state=5)
    ctx, budget = Context(beta_range=matched_beta_range(bqm)), Budget(sweeps=40, reads=2)
    matched = {name: SOLVERS[name].params("matched", budget, 9, ctx) for name in ANNEALERS}
    assert {name: _beta_range(p) for name, p in matched.items()} == dict.fromkeys(
        ANNEALERS, ctx.beta_range)
    assert {p["num_sweeps"] for p in matched.values()} == {40}
    hot, cold = ctx.beta_range
    assert 0 < hot < cold and "geometric" in MATCHED_SCHEDULE
    # the range is our SA's default: its matched run at 1,000 sweeps is its defaults run
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=1, num_sweeps=5, seed=0)
    assert tuple(ss.info["beta_range"]) == ctx.beta_range
    assert SOLVERS["SA (ours)"].repeats_defaults(Budget(sweeps=1000, reads=2), 9, ctx)
    assert not SOLVERS["dwave SA"].repeats_defaults(Budget(sweeps=1000, reads=2), 9, ctx)
    for name in ANNEALERS:  # the defaults runs keep each package's own schedule
        defaults = SOLVERS[name].params("defaults", budget, 9, ctx)
        assert not {"beta_range", "beta_min", "beta_max"} & set(defaults)
    with pytest.raises(ValueError, match="β range"):
        SOLVERS["dwave SA"].params("matched", budget, 9, Context())


@pytest.mark.parametrize("name", ["SA (ours)", "dwave SA", "OpenJij SA"])
def test_matched_runs_take_the_instances_beta_range(tiny, name):
    """A run without a range in its context gets the instance's (what run_study passes)."""
    outcome = _solver(name).run(tiny, "matched", MATCHED, Context(), seed=3)
    assert _beta_range(outcome.params) == matched_beta_range(tiny)


def test_openjij_steps_beta_every_sweep_past_its_own_limit():
    params = {"num_sweeps": 2500, "beta_min": 0.1, "beta_max": 3.0, "seed": 1}
    call = _openjij_call(params)
    assert set(call) == {"schedule", "seed"} and len(call["schedule"]) == 2500
    betas = np.array([beta for beta, sweeps in call["schedule"]])
    np.testing.assert_allclose(betas, np.geomspace(0.1, 3.0, 2500))
    assert {sweeps for _, sweeps in call["schedule"]} == {1}
    assert _openjij_call({**params, "num_sweeps": 1999}) == {**params, "num_sweeps": 1999}


def test_budget_refuses_non_positive_values():
    with pytest.raises(ValueError, match="sweeps"):
        Budget(sweeps=0, reads=2)
    with pytest.raises(ValueError, match="reads"):
        Budget(sweeps=5, reads=True)


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
def test_sb_package_convention(vartype):
    """``-0.5 s.J.s + h.s`` of :func:`sb_ising` is the model's energy less a constant."""
    bqm = dimod.generators.gnp_random_bqm(7, 0.6, vartype, random_state=4)
    coupling, h, labels = sb_ising(bqm)
    rng = np.random.default_rng(0)
    spins = rng.choice([-1, 1], size=(20, 7))
    values = spins if vartype == "SPIN" else (spins + 1) // 2
    theirs = -0.5 * np.einsum("ri,ij,rj->r", spins, coupling, spins) + spins @ h
    ours = bqm.energies((values, labels))
    np.testing.assert_allclose(ours - theirs, (ours - theirs)[0])


# --------------------------------------------------------------------------- metrics
def _record(solver, energies, seconds=0.4, updates=1e6, instance="G22", setting="matched",
            group=None):
    group = group or (SOLVERS[solver].group if solver in SOLVERS else "ours")
    return {"instance": instance, "setting": setting, "solver": solver, "group": group,
            "n": 10, "energies": list(energies), "seconds": seconds, "cpu_seconds": seconds,
            "wall_seconds": seconds, "updates": updates, "stopped_at_target": False,
            "params": json.dumps({"num_sweeps": 5}), "load_1min": 0.0, "note": ""}


G22 = peers.Instance("G22", maxcut_bqm(dense_pm1_instance(4, 0)), "stand-in", 100)
K = peers.Instance("K2000", maxcut_bqm(dense_pm1_instance(4, 0)), "stand-in")
CONFIG = peers.StudyConfig(reads=4, sweeps=5, n_boot=300)


def test_known_target_is_99_percent_of_the_best_known_cut():
    assert G22.known_target == -99.0
    assert peers.Instance("G", G22.bqm, "", 13359).known_target == -13226.0
    assert K.known_target is None


def test_summary_gives_tts99_with_bootstrap_intervals():
    records = [_record("SA (ours)", [-99, -100, -98, -90]),
               _record("dwave SA", [-90, -91, -92, -93], seconds=0.8, updates=2e6),
               _record("SA (ours)", [-5, -4, -5, -3], instance="K2000"),
               _record("dwave SA", [-6, -4, -3, -3], instance="K2000")]
    summary = peers.summarise(records, [G22, K], CONFIG)
    sa = summary.iloc[0]
    assert sa["target"] == -99.0 and sa["p_s"] == 0.5
    assert sa["tts99"] == pytest.approx(metrics.tts(0.5, 0.1))
    assert sa["tts99_low"] <= sa["tts99"] <= sa["tts99_high"]
    assert sa["updates_per_s"] == pytest.approx(2.5e6) and sa["median"] == -98.5
    assert summary.iloc[1]["p_s"] == 0 and math.isinf(summary.iloc[1]["tts99"])
    dense = summary[summary["instance"] == "K2000"]
    assert (dense["target"] == -6).all()
    assert dense["target_source"].iloc[0] == "best energy seen in the run"
    assert list(dense["p_s"]) == [0.0, 0.25]


def _summary_for_ratios():
    records = [
        _record("bSB (ours)", [-6, -6, -5, -4], seconds=0.1, updates=4e6, instance="K2000"),
        _record("sb bSB", [-6, -5, -5, -5], seconds=0.4, updates=4e6, instance="K2000"),
        _record("sb dSB", [-5, -5, -5, -5], seconds=0.2, updates=4e6, instance="K2000"),
        _record("dwave SA", [-5, -5, -4, -4], seconds=0.2, updates=4e6, instance="K2000"),
        _record("momentum (ours)", [-1, -1, -1, -1], seconds=1.0, updates=4e6,
                instance="K2000"),
    ]
    return peers.summarise(records, [K], CONFIG)


def test_ratio_table_compares_with_the_closest_and_the_best_peer():
    ratios = peers.ratio_table(_summary_for_ratios()).set_index("solver")
    bsb = ratios.loc["bSB (ours)"]
    assert bsb["closest_peer"] == "sb bSB" and bsb["rate_ratio"] == pytest.approx(4.0)
    # TTS: ours p_s 0.5 at 0.025 s per read, the best peer (sb bSB) p_s 0.25 at 0.1 s
    expected = metrics.tts(0.25, 0.1) / metrics.tts(0.5, 0.025)
    assert bsb["best_tts_peer"] == "sb bSB"
    assert bsb["tts_speedup"] == pytest.approx(expected)
    assert bsb["tts_speedup_low"] <= bsb["tts_speedup"] <= bsb["tts_speedup_high"]
    assert bsb["median_gap"] == -0.5
    momentum = ratios.loc["momentum (ours)"]
    assert momentum["closest_peer"] == "sb dSB" and momentum["rate_ratio"] == 0.2
    assert momentum["tts_speedup"] == 0.0  # ours never reaches the target


def test_rate_ratio_falls_back_to_the_defaults_runs_when_a_run_stopped_at_its_target():
    records = [_record("SA (ours)", [-1] * 4, updates=None),
               _record("dwave SA", [-1] * 4),
               _record("SA (ours)", [-1] * 4, setting="defaults", updates=3e6),
               _record("dwave SA", [-1] * 4, setting="defaults", updates=1e6)]
    summary = peers.summarise(records, [G22], CONFIG)
    row = peers.ratio_table(summary).query("setting == 'matched'").iloc[0]
    assert row["rate_setting"] == "defaults" and row["rate_ratio"] == pytest.approx(3.0)


def test_bars_say_met_not_met_and_not_measured():
    summary = pd.concat([
        _summary_for_ratios(),
        peers.summarise([_record(peers.REFERENCE, [-100] * 4, updates=6e6),
                         _record("dwave SA", [-99] * 4, updates=1e6)], [G22], CONFIG)])
    bars = {b.bar: b for b in peers.bar_status(summary, peers.ratio_table(summary))}
    sparse = next(b for name, b in bars.items() if name.startswith("G22: reference SA"))
    assert sparse.met is True and sparse.measured.startswith("6.00×")
    three = next(b for name, b in bars.items() if "3× sb bSB" in name)
    assert three.met is True and three.measured == "4.00×"
    rates = {name: b.met for name, b in bars.items() if "closest peer" in name}
    assert rates == {"K2000: bSB (ours) ≥ its closest peer in updates/s": True,
                     "K2000: momentum (ours) ≥ its closest peer in updates/s": False}
    tts = next(b for name, b in bars.items() if name.startswith("K2000: TTS99"))
    assert tts.met is False  # 4 reads: the intervals overlap
    empty = peers.bar_status(summary.iloc[:0], peers.ratio_table(summary.iloc[:0]))
    assert {b.met for b in empty} == {None}


def test_a_fraction_of_the_best_seen_is_a_looser_dense_target():
    """At 99% of the best energy seen, more reads reach the dense target and the TTS bar is
    decided by many reads instead of the single one that found the best."""
    records = [_record("bSB (ours)", [-1000, -995, -995, -995], seconds=0.1, instance="K2000"),
               _record("sb bSB", [-985, -985, -985, -985], seconds=0.4, instance="K2000")]
    strict = peers.summarise(records, [K], CONFIG)
    loose = peers.summarise(records, [K], CONFIG, seen_fraction=0.99)
    assert set(strict["target"]) == {-1000.0} and set(loose["target"]) == {-990.0}
    assert set(loose["target_source"]) == {"99% of the best energy seen in the run"}
    assert strict.set_index("solver")["p_s"].to_dict() == {"bSB (ours)": 0.25, "sb bSB": 0.0}
    assert loose.set_index("solver")["p_s"].to_dict() == {"bSB (ours)": 1.0, "sb bSB": 0.0}
    assert peers.tts_bar(strict, "K2000").met is False  # one read: our upper end is infinite
    bar = peers.tts_bar(loose, "K2000", " (99%)")
    assert bar.met is True and bar.bar.endswith("intervals apart (99%)")


# --------------------------------------------------------------------------- running
def _counting_solver(name, calls, *, requires=(), fail=False, group="peer"):
    def make(setting, budget, n, ctx):
        return {"num_reads": budget.reads, "num_sweeps": budget.sweeps}

    def execute(bqm, params, ctx):
        calls.append(params)
        if fail:
            raise RuntimeError("broken")
        with Clock() as clock:
            energies = np.full(params["num_reads"], -1.0)
        return energies, 0.01, 10.0, False, clock

    return Solver(name, group, requires, "counted", make, execute)


def test_run_study_records_skips_and_resumes(tmp_path):
    calls = []
    solvers = [SOLVERS["SA (ours)"], SOLVERS[peers.REFERENCE],
               _counting_solver("fake", calls),
               _counting_solver("absent", calls, requires=("no_such_module_for_peers",)),
               _counting_solver("broken", calls, fail=True)]
    config = peers.StudyConfig(reads=3, sweeps=1000, n_boot=50)
    instances = [peers.dense_instance(10, seed=1), K]
    records, notes = peers.run_study(config, instances, solvers, tmp_path, progress=False)
    # 2 instances x 2 settings x 3 solvers that run; the broken one fails with a note
    assert len(records) == 2 * 2 * 3
    assert any(n.startswith("absent skipped: no_such_module_for_peers") for n in notes)
    assert sum("broken on" in n for n in notes) == 4
    # 1000 sweeps is also the defaults' budget: the matched run reuses the defaults run
    matched = [r for r in records if r["setting"] == "matched" and r["solver"] == "SA (ours)"]
    assert all(r["note"] == "same parameters as defaults" for r in matched)
    lines = (tmp_path / "runs.jsonl").read_text().splitlines()
    assert len(lines) == 1 + len(records)
    calls.clear()
    again, _ = peers.run_study(config, instances, solvers, tmp_path, resume=True,
                               progress=False)
    assert len(again) == len(records) and len(calls) == 4  # only the broken runs again
    summary = peers.summarise(again, instances, config)
    assert set(summary["solver"]) == {"SA (ours)", peers.REFERENCE, "fake"}
    # a fresh run keeps the earlier measurements beside its own
    peers.run_study(config, instances[:1], solvers[2:3], tmp_path, progress=False)
    assert (tmp_path / "runs.previous.jsonl").read_text().splitlines()[0] == lines[0]


def test_command_line_refuses_bad_budgets(capsys):
    with pytest.raises(SystemExit):
        peers.main(["--quick", "--reads", "0"])
    assert "reads must be an integer >= 1" in capsys.readouterr().err


def test_options_pick_the_configuration_and_name_the_command():
    assert get_study("peers") is peers.STUDY
    assert peers.Options().config == peers.FULL
    assert peers.Options(quick=True).config == peers.QUICK
    options = peers.STUDY.parse(["--quick", "--sweeps", "40", "--no-progress", "--out", "a b"])
    assert options == peers.Options(quick=True, sweeps=40, progress=False, out="a b")
    assert options.config == dataclasses.replace(peers.QUICK, sweeps=40)
    assert peers._command(options) == "isingbench study peers --quick --out 'a b' --sweeps 40"
    with pytest.raises(ValueError, match="sweeps must be an integer >= 1"):
        peers.Options(sweeps=0)


def test_isingbench_study_peers_prints_the_tables_or_one_error_line(tmp_path, monkeypatch,
                                                                     capsys):
    """``isingbench study peers`` end to end on a stand-in instance and solver; when no run
    finishes, one line on stderr and exit status 1."""
    calls = []
    monkeypatch.setattr(peers, "study_instances",
                        lambda quick, gset_dir: ([peers.dense_instance(10, seed=1)], []))
    monkeypatch.setattr(peers, "all_solvers", lambda: [_counting_solver("fake", calls)])
    # stand-in peers live in this process only: no worker process (it finds solvers by name)
    monkeypatch.setattr(peers, "PeerProcess", contextlib.nullcontext)
    argv = ["study", "peers", "--quick", "--out", str(tmp_path), "--no-progress"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Ours against the peers, one run")
    assert f"Command: `isingbench study peers --quick --out {tmp_path}`" in out
    assert "not measured: G22[300]: reference SA" in out
    assert f"wrote {tmp_path / 'results.md'}" in out and "### K10" in out
    monkeypatch.setattr(peers, "all_solvers",
                        lambda: [_counting_solver("broken", calls, fail=True)])
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("isingbench study peers: error: no run finished")
    assert "broken on K10 (defaults) failed: RuntimeError: broken" in err


def test_quick_study_writes_tables_and_figure(tmp_path):
    """The fast test of the whole study: ``--quick`` end to end (peers only if installed)."""
    assert peers.main(["--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    for name in ("results.csv", "results.parquet", "results.md", "peers.png", "runs.jsonl"):
        assert (tmp_path / name).stat().st_size > 0
    text = (tmp_path / "results.md").read_text()
    assert "## Bars (issue 18)" in text and "### K150" in text and "### BNN unit" in text
    table = pd.read_parquet(tmp_path / "results.parquet")
    assert {"defaults", "matched"} == set(table["setting"])
    assert (table.dropna(subset=["tts99"])["tts99_low"] <= table.dropna(
        subset=["tts99"])["tts99"]).all()
    matched = table[(table["setting"] == "matched") & table["updates_per_read"].notna()]
    full = matched["n"] * peers.QUICK.sweeps  # parallel tempering: whole sweeps per replica
    assert ((matched["updates_per_read"] <= full)
            & (matched["updates_per_read"] > full - matched["n"] * 16)).all()


def test_bnn_and_layerwise_instances():
    unit = peers.bnn_unit_instance()
    assert unit.bqm.num_variables == 65 and unit.bqm.vartype is dimod.BINARY
    assert unit.known_target is None and "357" in unit.description  # all 3-vs-8 digits
    layer = peers.layerwise_instance(10, None)
    assert layer.bqm.num_variables == 9 * 10  # (8 features + bias) x K bits


def test_gset_instances_take_the_best_known_cut_when_listed(gset_dir, tmp_path):
    listed = peers.gset_instance("G11", gset_dir)
    assert listed.best_known_cut == 564 and listed.known_target == -559.0  # ceil(0.99 * 564)
    (tmp_path / "G11.txt").write_bytes((gset_dir / "G11.txt").read_bytes())
    unlisted = peers.gset_instance("G11", tmp_path)  # no README.md: best seen in the run
    assert unlisted.known_target is None and unlisted.bqm.num_variables == 800


def test_each_run_is_timed_config_timings_times_and_the_fastest_kept(tmp_path):
    seconds = iter([0.5, 0.2, 0.9])
    calls = []

    def make(setting, budget, n, ctx):
        return {"num_reads": budget.reads}

    def execute(bqm, params, ctx):
        calls.append(params["seed"])
        with Clock() as clock:
            energies = np.full(params["num_reads"], -1.0)
        return energies, next(seconds), 10.0, False, clock

    solver = Solver("timed", "peer", (), "counted", make, execute)
    config = peers.StudyConfig(reads=2, sweeps=4, timings=3, min_timed_seconds=0.0)
    record = peers._run_one(K, "defaults", solver, config, Context(), {}, [])
    assert calls == [config.seed] * 3  # the same call, the same seed
    assert record["seconds"] == 0.2


@pytest.mark.parametrize("seconds, expected_calls", [(0.3, 4), (0.01, peers.MAX_TIMINGS),
                                                     (2.0, 2)])
def test_short_runs_are_timed_until_their_timings_add_up(seconds, expected_calls):
    calls = []

    def make(setting, budget, n, ctx):
        return {"num_reads": budget.reads}

    def execute(bqm, params, ctx):
        calls.append(1)
        with Clock() as clock:
            energies = np.full(params["num_reads"], -1.0)
        return energies, seconds * (1 + 0.01 * len(calls)), 10.0, False, clock

    solver = Solver("timed", "peer", (), "counted", make, execute)
    config = peers.StudyConfig(reads=2, sweeps=4, timings=2, min_timed_seconds=1.0)
    record = peers._run_one(K, "defaults", solver, config, Context(), {}, [])
    assert len(calls) == expected_calls
    assert record["seconds"] == pytest.approx(seconds * 1.01)  # the first (fastest) call
