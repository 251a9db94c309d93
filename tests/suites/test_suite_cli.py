"""The isingbench command line and the shipped suites."""

from __future__ import annotations

import pytest

from suites import cli
from suites.problems import build_problem
from suites.runner import run_job
from suites.spec import load_suite

SUBCOMMANDS = ("run", "plot", "report", "list", "machines", "validate")


def test_help_of_every_command(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert all(name in out for name in SUBCOMMANDS)
    assert "content hash" in out  # run-id semantics are documented
    for name in SUBCOMMANDS:
        with pytest.raises(SystemExit):
            cli.main([name, "--help"])
        text = capsys.readouterr().out
        assert text.startswith(f"usage: isingbench {name}")
    cli_run = cli._parser().parse_args(["run", "quickstart", "--dask", "local", "--workers", "3"])
    assert (cli_run.dask, cli_run.workers, cli_run.out) == ("local", 3, "results")


def test_list_shows_suites_machines_and_kinds(capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for word in ("quickstart", "maxcut_gset", "dwave-sa", "maxcut_dense", "bnn_digits",
                 "layerwise_digits", "gset"):
        assert word in out


def test_machines_lists_presets(capsys):
    assert cli.main(["machines"]) == 0
    out = capsys.readouterr().out
    assert "Machine names for suites" in out


def test_validate_prints_a_fit_report(capsys):
    code = cli.main(["validate", "maxcut_dense", "--param", "n=24", "--machine", "da"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "24 variables" in out and "FitReport" in out and "fits" in out
    # a problem entry of a shipped suite
    assert cli.main(["validate", "quickstart:bnn-16-2-1-s2", "--machine", "dwave-sa"]) == 0
    assert "no MachineSpec" in capsys.readouterr().out


def test_errors_are_reported_with_exit_code_2(capsys, tmp_path):
    assert cli.main(["run", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert "no suite file" in err and "quickstart" in err
    assert cli.main(["validate", "maxcut_dense", "--param", "m=3", "--machine", "da"]) == 2
    assert "not a parameter" in capsys.readouterr().err
    assert cli.main(["report", str(tmp_path)]) == 2


def test_run_then_plot_and_report_through_the_cli(tmp_path, suite_file, capsys):
    out = tmp_path / "results"
    assert cli.main(["run", str(suite_file), "--out", str(out), "--workers", "1",
                     "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "12 run now (0 failed)" in printed
    # the verdict follows the run summary: one heading per problem, then the fits
    verdict = printed[printed.index("Verdict: tiny"):]
    assert "m10 (10 variables; target: ground state)" in verdict
    assert "Fits the machine: yes for all 4 problem × machine pairs." in verdict
    assert cli.main(["run", str(suite_file), "--out", str(out), "--no-progress"]) == 0
    assert "12 already finished, 0 run now" in capsys.readouterr().out
    assert cli.main(["plot", "tiny", "--out", str(out)]) == 0
    assert "success_probability" in capsys.readouterr().out
    assert cli.main(["report", "tiny", "--out", str(out), "--text"]) == 0
    assert capsys.readouterr().out == verdict
    assert not list(out.glob("tiny/*/report.html"))  # --text writes no HTML


def test_quickstart_bnn_problem_has_the_zero_loss_target():
    suite = load_suite("quickstart")
    entry = next(p for p in suite.problems if p.kind == "bnn_digits")
    built = build_problem(entry.kind, entry.params)
    assert (built.target_energy, built.target_source) == (0.0, "optimum")
    # counts of DESIGN 6.1 for 16-2-1 with 2 samples: 34 weights, 6 activations, ...
    assert built.bqm.num_variables == sum(built.info["counts"].values())


def test_gset_suite_uses_best_known_cuts(gset_dir, monkeypatch):
    monkeypatch.setenv("ISINGBENCH_GSET_DIR", str(gset_dir))
    suite = load_suite("maxcut_gset")
    jobs = [j for j in suite.jobs() if j.problem == "G11" and j.machine == "sa"]
    job = {**jobs[0].to_dict(), "id": jobs[0].id}
    job["sample_params"] = {"num_sweeps": 50}
    job["reads"] = 2
    result = run_job(job)
    assert (result["known_target"], result["target_source"]) == (-564.0, "best_known")
    assert result["objective"] == ["cut", 0.0, -1.0]
    assert result["num_variables"] == 800
    assert min(result["energies"]) >= -564.0   # no cut beats the best known one


def test_a_closed_pipe_ends_the_listing_quietly():
    """`isingbench machines | head -1`: no error line when the reader stops early."""
    import subprocess
    import sys

    proc = subprocess.run(f"{sys.executable} -m suites.cli machines | head -1", shell=True,
                          capture_output=True, text=True, check=False)
    assert proc.stdout.strip()
    assert "error" not in proc.stderr.lower()
