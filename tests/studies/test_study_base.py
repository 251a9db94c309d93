"""Studies as the command line sees them (suites.studies, suites.studies.base, isingbench study)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from suites import cli
from suites.studies import STUDIES, get_study
from suites.studies.base import Study, StudyOptions, option
from suites.studies.paper_summary import Options as PaperOptions
from suites.studies.paper_summary import render, run

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class _Options(StudyOptions):
    path: str = option(help="a positional argument", positional=True)
    count: int = option(3, "a number")
    names: tuple[str, ...] = option(("a",), "names", choices=("a", "b"), noun="name")
    loud: bool = option(False, "a flag")


_TOY = Study("toy", "a toy study", _Options, lambda o: o, lambda o: f"{o.path}:{o.count}")


def test_options_build_the_command_line_once():
    opts = _TOY.parse(["here", "--count", "5", "--names", "b", "a", "--loud"])
    assert opts == _Options(path="here", count=5, names=("b", "a"), loud=True)
    assert _TOY.parse(["x"]) == _Options(path="x")
    with pytest.raises(SystemExit):
        _TOY.parse(["x", "--names", "c"])
    with pytest.raises(SystemExit):
        _TOY.parse([])  # the positional is required


def test_options_refuse_unknown_choices_and_store_tuples():
    assert _Options(path="p", names=["a", "b"]).names == ("a", "b")
    with pytest.raises(ValueError, match="unknown name 'z'"):
        _Options(path="p", names=("z",))


def test_every_study_has_options_run_and_render():
    for name in STUDIES:
        study = get_study(name)
        assert study.name == name and study.summary
        assert issubclass(study.options, StudyOptions)
        assert callable(study.run) and callable(study.render)
    with pytest.raises(ValueError, match="unknown study"):
        get_study("nope")


@pytest.mark.parametrize("suite", ["regularisers", "bit_precision"])
def test_paper_summary_regenerates_the_committed_tables(suite, monkeypatch):
    """The committed reference runs (jobs of the kinds before issue 16) give their tables.md,
    as ``isingbench study paper_summary results/<suite>/reference`` prints it."""
    monkeypatch.chdir(REPO)
    run_dir = Path("results") / suite / "reference"
    text = render(run(PaperOptions(run=str(run_dir))))
    assert text + "\n" == (run_dir / "tables.md").read_text(encoding="utf-8")


def test_study_verb_runs_a_study_and_lists_them(capsys):
    assert cli.main(["study", "layerwise_fit", "--bits", "2", "--n-features", "2",
                     "--machines", "DA1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| K | bits (d+1)K |") and "| 2 | 6 |" in out
    with pytest.raises(SystemExit):
        cli.main(["study", "layerwise_fit", "--help"])
    assert capsys.readouterr().out.startswith("usage: isingbench study layerwise_fit")
    with pytest.raises(SystemExit):
        cli.main(["study", "nope"])
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in STUDIES)
    assert "Trainers" in out and all(t in out for t in ("direct", "ste", "float-mm", "lbfgs",
                                                          "sgd"))
