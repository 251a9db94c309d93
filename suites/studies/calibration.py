"""The machines' published headlines, reproduced in modelled time (issue 19).

Runs the ``calibration`` suite (``suites/specs/calibration.yaml``: simulated bifurcation on
the 2K FPGA clock on a K2000-style dense ±1 max-cut, the Digital Annealer on the DA1 clock
on SK and 2D spin glasses, single-core simulated annealing on every instance), or resumes it
when its jobs are stored, then:

* per instance, machine and target, takes the budget with the lowest TTS99 (the run length
  is optimised over the suite's grid, as Aramon et al. optimise theirs; the minimum of noisy
  estimates flatters every machine alike). TTS99 is in modelled seconds for the machines
  with a clock (``sb-fpga``, ``da-dense``) and in measured wall seconds, one core, for
  simulated annealing; intervals are :mod:`suites.bootstrap`'s;
* compares each published headline of :data:`emulators.calibration.HEADLINES` with ours:
  reproduced when within a factor 2, else not, and why.

Targets: the glasses' best energy any machine reached in the run (exact for n <= 20); on
K2000 the best cut seen and, for "good approximate solutions" (the papers' criterion is not
in what we can read), a cut within :data:`GOOD_CUT_GAP` of it.

``python -m suites.studies.calibration`` runs the full suite (about 2 minutes on 2 cores) and
prints the tables; ``--quick`` runs a seconds-long copy at toy sizes (its ratios mean
nothing; it is for tests).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from emulators import calibration as cal
from emulators._core.threads import numba_threads
from emulators.machine import get_preset
from suites import bootstrap, metrics, summary
from suites.formatting import sig3, time_interval
from suites.ordering import natural_key
from suites.registry import machine_entry
from suites.runner import run_suite
from suites.spec import load_suite, parse_suite, resolve_suite_path
from suites.store import load
from suites.studies.base import Study, StudyOptions, option
from suites.verdict import tts_ratio

__all__ = ["GOOD_CUT_GAP", "STUDY", "CalibrationOptions", "CalibrationResult", "main", "render",
           "run"]

#: "Good approximate" cut: within this fraction of the best cut seen (our choice).
GOOD_CUT_GAP = 0.005
SUITE = "calibration"
#: Problem kind of each headline family.
FAMILY_KINDS = {"k2000": "maxcut_dense", "sk": "spin_glass_sk", "lattice": "spin_glass_2d"}
#: Machine (suite entry name) whose modelled time each preset's headlines are judged on.
MACHINE_OF = {"sb-fpga-2k": "sb-fpga", "sb-8fpga-16k": "sb-fpga", "DA1": "da-dense"}
#: The preset each machine of the suite runs under.
RUN_PRESET = {"sb-fpga": "sb-fpga-2k", "da-dense": "DA1"}
#: The single-core CPU reference of each family.
SA_OF = {"k2000": "sa-k2000", "sk": "sa-glass", "lattice": "sa-glass"}
#: The quick copy: toy sizes and budgets, one seed (seconds; for tests).
QUICK = {
    "name": "calibration-quick", "seeds": [0], "reads": 8,
    "problems": {"k2000": {"params": {"n": 48}}, "sk-bimodal": {"grid": {"n": [12, 16]}},
                 "sk-gaussian": {"grid": {"n": [12, 16]}},
                 "lattice-bimodal": {"grid": {"side": [3, 4]}}},
    "machines": {"sb-fpga": {"grid": {"num_steps": [20, 100]}},
                 "sa-k2000": {"grid": {"num_sweeps": [50, 300]}},
                 "da-dense": {"grid": {"number_iterations": [100, 2000]}},
                 "sa-glass": {"grid": {"num_sweeps": [20, 300]}}},
}


@dataclass(frozen=True)
class CalibrationOptions(StudyOptions):
    """What :func:`run` runs: the full suite or the ``quick`` copy, into ``out`` (a results
    root), with ``workers`` processes (0: every core; each runs one numba thread, so
    simulated annealing's wall time is single-core) and ``n_boot`` bootstrap replicates
    (0: the suite's, as the report uses)."""

    quick: bool = option(False, "the seconds-long copy at toy sizes (for tests)")
    out: str = option("results", "results root")
    run_id: str = option("", "run directory name (empty: the suite's content hash)")
    workers: int = option(0, "worker processes (0: all cores)")
    n_boot: int = option(0, "bootstrap replicates (0: the suite's)")
    progress: bool = option(True, "show the progress bar")


@dataclass(frozen=True)
class BestBudget:
    """The budget with the lowest TTS99 of one machine on one instance and target."""

    instance: str
    kind: str
    num_variables: int
    machine: str
    clock: str  # "model" or "wall"
    target: str
    setting: str
    steps: float
    reads: int
    p_s: float
    t_read: float
    tts: metrics.Estimate
    boot: bootstrap.TTSBoot | None = field(repr=False, compare=False)
    success: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class Comparison:
    """One published headline against ours."""

    headline: cal.Headline
    instance: str
    ours: metrics.Estimate
    verdict: str  # "reproduced", "not reproduced" or "not run"
    why: str


@dataclass
class CalibrationResult:
    """What :func:`render` prints."""

    run_dir: Path
    quick: bool
    cpu: str
    best: list[BestBudget]
    comparisons: list[Comparison]


# ---------------------------------------------------------------- running the suite
def suite_for(quick: bool):
    """The calibration suite, or its quick copy."""
    if not quick:
        return load_suite(SUITE)
    path = resolve_suite_path(SUITE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update({k: QUICK[k] for k in ("name", "seeds", "reads")})
    for entry in data["problems"]:
        for key, value in QUICK["problems"][entry["name"]].items():
            entry[key] = {**entry.get(key, {}), **value}
    for entry in data["machines"]:
        entry.update(QUICK["machines"][entry["name"]])
    return parse_suite(yaml.safe_dump(data, sort_keys=False), source=f"{path} (quick copy)")


# ---------------------------------------------------------------- TTS99 per budget
def _steps(group: pd.DataFrame) -> float:
    params = json.loads(group["sample_params"].iloc[0])
    return float(params[machine_entry(group["machine_type"].iloc[0]).step_param])


def _successes(group: pd.DataFrame, target: str) -> np.ndarray:
    """Which finished reads of ``group`` reach ``target``."""
    ok = group[group["status"] == "ok"]
    if target == "good cut":
        threshold = ok["target"] + GOOD_CUT_GAP * ok["target"].abs()
        return (ok["energy"] <= threshold).to_numpy(dtype=bool)
    return ok["success"].to_numpy(dtype=bool)


def _boot(success: np.ndarray, times: np.ndarray, n_boot: int, key: str
          ) -> bootstrap.TTSBoot | None:
    return bootstrap.tts_boot(success, times, n_boot, np.random.default_rng([0, *key.encode()]))


def _budgets(jobs: pd.DataFrame, n_boot: int) -> list[BestBudget]:
    """Every instance x machine x target x budget with its TTS99 (not yet the best).

    The bootstraps are the report's (:func:`suites.bootstrap.instance_tts_boots` over each
    instance's configurations), so the best-seen intervals equal the report's.
    """
    q = jobs[jobs["mode"] == "qubo"]
    names = summary.labels(q).set_index(summary.GROUP)
    instances: dict[str, dict[str, tuple]] = {}
    for key, g in q.groupby(summary.GROUP, sort=False):
        instances.setdefault(names.loc[key, "instance"], {})[names.loc[key, "config"]] = (key, g)
    out = []
    for instance, configs in instances.items():
        kind = str(next(iter(configs.values()))[1]["kind"].iloc[0])
        targets = ["best-seen cut", "good cut"] if kind == "maxcut_dense" else ["best seen"]
        reads = {config: summary.group_reads(g) for config, (_, g) in configs.items()}
        for target in targets:
            success = {config: _successes(g, target) for config, (_, g) in configs.items()}
            boots = bootstrap.instance_tts_boots(
                {c: (success[c], reads[c].times) for c in configs}, n_boot)
            for config, (key, g) in configs.items():
                clock = "model" if reads[config].modelled.size else "wall"
                boot = boots[config, clock]
                times = reads[config].times[clock]
                est = boot.estimate() if boot else metrics.Estimate(math.nan, math.nan, math.nan)
                out.append(BestBudget(
                    instance, kind, int(g["num_variables"].iloc[0]), key[1], clock, target,
                    config[len(key[1]):].strip(" ()") or "default", _steps(g),
                    int(success[config].size), float(success[config].mean()),
                    float(times.mean()), est, boot, success[config]))
    return out


def _best(budgets: list[BestBudget]) -> list[BestBudget]:
    """Per instance, machine and target, the budget of lowest TTS99 (ties: fewer steps; when
    no budget reaches the target, the largest)."""
    groups: dict[tuple, list[BestBudget]] = {}
    for b in budgets:
        groups.setdefault((b.instance, b.machine, b.target), []).append(b)

    def key(b: BestBudget) -> tuple[float, float]:
        finite = math.isfinite(b.tts.value)
        return (b.tts.value if finite else math.inf, b.steps if finite else -b.steps)

    best = [min(g, key=key) for g in groups.values()]
    return sorted(best, key=lambda b: (natural_key(b.instance), b.target, b.machine))


# ---------------------------------------------------------------- the headlines
def _within(ours: float, headline: cal.Headline) -> bool:
    if headline.at_most:
        return ours <= 2 * headline.value
    return headline.value / 2 <= ours <= 2 * headline.value


def _verdict(ours: float, headline: cal.Headline) -> str:
    return "reproduced" if math.isfinite(ours) and _within(ours, headline) else "not reproduced"


def _rescaled(b: BestBudget, preset: str, n_boot: int) -> bootstrap.TTSBoot | None:
    """``b``'s reads timed by another preset's clock (same steps, same successes)."""
    t_read = get_preset(preset).clock.seconds(b.steps, b.reads, b.num_variables) / b.reads
    return _boot(b.success, np.full(b.reads, t_read), n_boot, f"{b.instance}|{preset}")


def _run_time(headline: cal.Headline, budgets: list[BestBudget], instance: str) -> Comparison:
    """Modelled time of the shortest SB run whose median read is a good cut."""
    runs = sorted((b for b in budgets if b.instance == instance and b.target == "good cut"
                   and b.machine == MACHINE_OF[headline.preset]), key=lambda b: b.steps)
    step = get_preset(headline.preset).clock.step_seconds(runs[0].num_variables)
    typical = next((b for b in runs if b.p_s >= 0.5), None)
    published_steps = headline.value / step
    if typical is None:
        return Comparison(headline, instance, metrics.Estimate(math.inf, math.inf, math.inf),
                          "not reproduced", f"no budget up to {runs[-1].steps:,.0f} steps gets "
                          f"half the reads within {GOOD_CUT_GAP:.1%} of the best cut; the "
                          f"published time is {published_steps:,.0f} steps of the fitted clock")
    ours = typical.t_read
    verdict = _verdict(ours, headline)
    why = (f"our SB needs {typical.steps:,.0f} steps for half the reads to come within "
           f"{GOOD_CUT_GAP:.1%} of the best cut (p_s {typical.p_s:.2f}), i.e. "
           f"{time_interval(ours)} on the fitted clock; "
           f"{time_interval(headline.value)} is {published_steps:,.0f} steps of that clock")
    return Comparison(headline, instance, metrics.Estimate(ours, ours, ours), verdict,
                      f"{why}; {headline.note}")


def _speedup(headline: cal.Headline, best: list[BestBudget], family_sa: str, instance: str,
             target: str, n_boot: int) -> Comparison | None:
    """Single-core SA wall TTS99 over the machine's modelled TTS99 on one instance."""
    pick = {b.machine: b for b in best if b.instance == instance and b.target == target}
    machine, sa = pick.get(MACHINE_OF[headline.preset]), pick.get(family_sa)
    if machine is None or sa is None:
        return None
    top = machine.boot if RUN_PRESET[machine.machine] == headline.preset \
        else _rescaled(machine, headline.preset, n_boot)
    if top is None or sa.boot is None:
        return None
    ratio = tts_ratio(top, sa.boot)
    if math.isinf(top.value) and math.isfinite(sa.tts.value):  # slower than SA: ratio 0
        ratio = metrics.Estimate(0.0, 0.0, ratio.high)
    verdict = "not reproduced" if math.isnan(ratio.value) else _verdict(ratio.value, headline)
    clock = "" if RUN_PRESET[machine.machine] == headline.preset else (
        f", the {machine.machine} runs timed by the {headline.preset} clock")
    why = (f"SA {time_interval(sa.tts.value)} wall on one core ({sa.setting}) over "
           f"{headline.preset} {time_interval(top.value)} modelled ({machine.setting}{clock}), "
           f"to the {target}")
    if math.isinf(top.value):
        why = (f"{headline.preset} never reaches the {target} within {machine.steps:,.0f} steps"
               f" (its best budget of the grid) while SA does in {time_interval(sa.tts.value)}"
               if math.isfinite(sa.tts.value) else
               f"neither {headline.preset} nor SA reaches the {target} at any budget")
    elif math.isinf(sa.tts.value):
        why = f"SA never reaches the {target} at any budget: the ratio is unbounded"
    note = f"; {headline.note}" if headline.note else ""
    return Comparison(headline, instance, ratio, verdict, why + note)


def _tts_headline(headline: cal.Headline, best: list[BestBudget], instance: str) -> Comparison:
    b = next(b for b in best if b.instance == instance and b.target == "best-seen cut"
             and b.machine == MACHINE_OF[headline.preset])
    verdict = _verdict(b.tts.value, headline)
    why = (f"our TTS99 to the best cut seen on our instance ({b.setting}, p_s {b.p_s:.2f}); "
           "the published figure is for another instance and target")
    return Comparison(headline, instance, b.tts, verdict, f"{why}; {headline.note}")


def compare(best: list[BestBudget], budgets: list[BestBudget], n_boot: int) -> list[Comparison]:
    """Every headline against the study's numbers (one row per instance for the ratios)."""
    out = []
    for headline in cal.HEADLINES:
        kind = FAMILY_KINDS[headline.family]
        instances = sorted({b.instance for b in best if b.kind == kind}, key=natural_key)
        if not instances:
            continue
        if headline.kind == "run_time":
            out.append(_run_time(headline, budgets, instances[0]))
        elif headline.kind == "tts":
            out.append(_tts_headline(headline, best, instances[0]))
        else:
            target = "good cut" if kind == "maxcut_dense" else "best seen"
            out += [c for i in instances if (c := _speedup(
                headline, best, SA_OF[headline.family], i, target, n_boot)) is not None]
    return out


# ---------------------------------------------------------------- run and render
def run(options: CalibrationOptions | None = None) -> CalibrationResult:
    """Run (or resume) the calibration suite and compare it with the published headlines."""
    options = options or CalibrationOptions()
    suite = suite_for(options.quick)
    # one numba thread while jobs run in this process (pool workers set their own)
    with numba_threads(options.workers != 1):
        done = run_suite(suite, options.out, run_id=options.run_id or None,
                         workers=options.workers or None, progress=options.progress)
    results = load(done.run_dir)
    n_boot = options.n_boot or results.run_info.get("metrics", {}).get("bootstrap", 1000)
    budgets = _budgets(results.jobs, n_boot)
    best = _best(budgets)
    return CalibrationResult(done.run_dir, options.quick, f"{results.provenance.get('cpu')}",
                             best, compare(best, budgets, n_boot))


def _ours(c: Comparison) -> str:
    if c.headline.kind == "speedup":
        if math.isinf(c.ours.value) or math.isnan(c.ours.value):
            return "∞" if math.isinf(c.ours.value) else "–"
        return f"{sig3(c.ours.value)}× [{sig3(c.ours.low)}, {sig3(c.ours.high)}]"
    if c.headline.kind == "run_time":  # one run's modelled time: no interval
        return time_interval(c.ours.value)
    return time_interval(c.ours.value, c.ours.low, c.ours.high)


def _published(h: cal.Headline) -> str:
    value = f"{sig3(h.value)}×" if h.kind == "speedup" else time_interval(h.value)
    return ("no speed-up" if h.at_most else value) + f" ({h.source}, {h.confidence})"


def render(result: CalibrationResult) -> str:
    """The comparison and the TTS99 table as markdown."""
    lines = [f"Run `{result.run_dir}`" + (" (quick copy: toy sizes, the ratios mean nothing)"
                                          if result.quick else "")
             + f"; simulated annealing's wall time is one core of {result.cpu}.", "",
             "### Published headlines against modelled time", "",
             "| claim | instance | published | ours | reproduced? | why |",
             "|---|---|---|---|---|---|"]
    for c in result.comparisons:
        lines.append(f"| {c.headline.claim} | {c.instance} | {_published(c.headline)} | "
                     f"{_ours(c)} | {c.verdict} | {c.why} |")
    lines += ["", "Not compared: the DA's TTS against N, the sizes and the steps behind it "
              "(Aramon et al. 2019, sections 4-6, not readable here); the 16,384-node instance "
              "of the 8-FPGA result (not run: too large for 2 cores in minutes).", "",
              "### TTS99 at the best budget (modelled seconds for sb-fpga and da-dense, wall "
              "seconds on one core for sa)", "",
              "| instance | n | machine | clock | target | best budget | p_s | time per read | "
              "TTS99 [95% CI] |", "|---|---|---|---|---|---|---|---|---|"]
    for b in result.best:
        clock = "modelled" if b.clock == "model" else "wall, 1 core"
        lines.append(f"| {b.instance} | {b.num_variables:,} | {b.machine} | {clock} | "
                     f"{b.target} | {b.setting} | {b.p_s:.2f} | {time_interval(b.t_read)} | "
                     f"{time_interval(b.tts.value, b.tts.low, b.tts.high)} |")
    return "\n".join(lines) + "\n"


STUDY = Study("calibration", __doc__.splitlines()[0], CalibrationOptions, run, render)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the study and print its tables."""
    return STUDY.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
