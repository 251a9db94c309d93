"""Suite files: validation errors, safe loading, expansion and stable job hashes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from suites.spec import SpecError, job_hash, load_suite, parse_suite
from tests.suites.helpers import suite_text


def _error(text: str) -> str:
    with pytest.raises(SpecError) as info:
        parse_suite(text, source="bad.yaml")
    message = str(info.value)
    assert message.startswith("bad.yaml: "), message
    return message


def test_valid_suite_expands_to_the_cartesian_product(suite_file):
    suite = load_suite(suite_file)
    jobs = suite.jobs()
    # 2 problems x (dwave-sa x 2 sweeps + greedy) x 2 seeds
    assert len(jobs) == 2 * 3 * 2
    assert len({j.id for j in jobs}) == len(jobs)
    sa = [j for j in jobs if j.machine == "dwave-sa"]
    assert sorted({j.sample_params["num_sweeps"] for j in sa}) == [10, 100]
    greedy = [j for j in jobs if j.machine == "dwave-greedy"]
    # the sweep budget only goes to machines that take it
    assert all("num_sweeps" not in j.sample_params for j in greedy)
    assert {j.setting_label for j in sa} == {"num_sweeps=10", "num_sweeps=100"}


def test_job_ids_are_content_hashes(models, suite_file):
    ids = sorted(j.id for j in load_suite(suite_file).jobs())
    # same content written in another key order -> same ids
    reordered = suite_text(models)
    lines = reordered.splitlines()
    reordered = "\n".join(lines[1:] + lines[:1]) + "\n"
    assert sorted(j.id for j in parse_suite(reordered).jobs()) == ids
    # one grid value changed -> only the jobs with that value get new ids
    machines = ("machines:\n  - machine: dwave-sa\n    grid: {num_sweeps: [10, 101]}\n"
                "  - machine: dwave-greedy")
    changed = parse_suite(suite_text(models, machines=machines)).jobs()
    kept = {j.id for j in changed if j.sample_params.get("num_sweeps") != 101}
    new = {j.id for j in changed if j.sample_params.get("num_sweeps") == 101}
    assert kept <= set(ids) and len(kept) == len(ids) - 4
    assert not (new & set(ids)) and len(new) == 4


def test_job_ids_are_stable_across_processes(suite_file):
    code = ("import sys; from suites.spec import load_suite; "
            "print('\\n'.join(sorted(j.id for j in load_suite(sys.argv[1]).jobs())))")
    out = subprocess.run([sys.executable, "-c", code, str(suite_file)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == sorted(j.id for j in load_suite(suite_file).jobs())


def test_job_hash_is_sha256_of_canonical_json():
    import hashlib

    content = {"b": [1, 2.5], "a": "x"}
    expected = hashlib.sha256(b'{"a":"x","b":[1,2.5]}').hexdigest()[:16]
    assert job_hash(content) == expected
    with pytest.raises(ValueError):
        job_hash({"a": float("nan")})


def test_unknown_machine_lists_known_ones(models):
    msg = _error(suite_text(models, machines="machines:\n  - machine: warp-drive"))
    assert "machines[0].machine" in msg and "warp-drive" in msg and "dwave-sa" in msg


def test_unknown_problem_kind(models):
    msg = _error(suite_text(models, problems="problems:\n  - {name: p, kind: nope}"))
    assert "problems[0] (p).kind" in msg and "qubo_file" in msg


def test_bad_sampler_parameter_name(models):
    msg = _error(suite_text(models, machines="machines:\n  - machine: dwave-sa\n"
                                             "    params: {num_sweepz: 5}"))
    assert "machines[0] (dwave-sa).params.num_sweepz" in msg and "num_sweeps" in msg


def test_bad_parameter_type(models):
    msg = _error(suite_text(models, machines="machines:\n  - machine: dwave-sa\n"
                                             "    params: {num_sweeps: many}"))
    assert "params.num_sweeps" in msg and "expected int" in msg
    msg = _error(suite_text(models, reads="reads: 2.5"))
    assert "reads: expected a positive integer" in msg


def test_bad_problem_parameter(models):
    msg = _error(suite_text(models, problems="problems:\n  - {name: p, kind: qubo_file, "
                                             "params: {path: 3}}"))
    assert "problems[0] (p).params.path" in msg and "expected path" in msg
    msg = _error(suite_text(models, problems="problems:\n  - {name: p, kind: qubo_file, "
                                             "params: {file: x.json}}"))
    assert "params.file" in msg and "accepted: path" in msg
    msg = _error(suite_text(models, problems="problems:\n  - {name: p, kind: qubo_file}"))
    assert "missing required parameter 'path'" in msg
    msg = _error(suite_text(models, problems="problems:\n  - {name: p, kind: qubo_file, "
                                             "params: {path: /no/such.json}}"))
    assert "does not exist" in msg


def test_empty_grid(models):
    msg = _error(suite_text(models, machines="machines:\n  - machine: dwave-sa\n"
                                             "    grid: {num_sweeps: []}"))
    assert "grid.num_sweeps: empty grid" in msg
    assert "settings.machine.num_sweeps: empty grid" in _error(
        suite_text(models, target="target: auto\nsettings: {machine.num_sweeps: []}"))


def test_missing_target(models):
    msg = _error(suite_text(models, target=""))
    assert "missing target" in msg and "problems[0] (m10)" in msg
    msg = _error(suite_text(models, target="target: best_guess"))
    assert "target: expected one of auto" in msg


def test_top_level_mistakes(models):
    assert "unknown key(s) machins" in _error(suite_text(models) + "machins: []\n")
    assert "missing required key(s) machines" in _error(suite_text(models, machines=""))
    assert "seeds repeat" in _error(suite_text(models, seeds="seeds: [1, 1]"))
    assert "not valid YAML" in _error("name: [unclosed")
    assert "used twice" in _error(suite_text(
        models, machines="machines:\n  - machine: dwave-sa\n  - machine: dwave-sa"))
    assert "no machine in this suite accepts 'time_limit'" in _error(
        suite_text(models, budget="budget: {time_limit: 1.0}"))
    assert "not both" in _error(suite_text(models, budget="budget: {num_sweeps: 5, "
                                                          "time_limit: 1.0}"))


def test_yaml_is_loaded_safely(models, tmp_path):
    marker = tmp_path / "pwned"
    evil = suite_text(models, name=f"name: !!python/object/apply:os.system ['touch {marker}']")
    msg = _error(evil)
    assert "not valid YAML" in msg
    assert not marker.exists()


def test_shipped_suites_validate():
    from suites.spec import shipped_suites

    shipped = shipped_suites()
    assert "quickstart" in shipped
    for path in shipped.values():
        suite = load_suite(path, check_machines=False)
        assert suite.jobs()
        json.dumps([j.content for j in suite.jobs()])
