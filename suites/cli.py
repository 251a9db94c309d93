"""``isingbench`` command line: run suites, plot, report, list, machines, validate, study."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import Any

import yaml

from suites import problems as problem_registry
from suites import registry, trainers
from suites.runner import DASK_CONNECT_TIMEOUT_S, ExecutorError, RunInterrupted, run_suite
from suites.spec import SpecError, load_suite, resolve_suite_path, shipped_suites
from suites.store import DamagedRecordWarning
from suites.studies import STUDIES, get_study

RUN_ID_HELP = (
    "Run directories are results/<suite>/<run-id>. The default run id is the suite's content "
    "hash, so repeating the same command resumes the same run (finished jobs are skipped, "
    "failed ones retried) and editing the suite starts a new run. RUN arguments of plot/report "
    "accept a run directory or a suite name (its latest run)."
)
EXIT_CODES = (
    "Exit status: 0 done; 1 some jobs failed (rerun to retry them) or the problem does not fit "
    "the machine; 2 an error stopped the command (the message says what and what to do); 130 "
    "interrupted (finished jobs are kept)."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="isingbench",
        description="Benchmark Ising/QUBO machine emulators on max-cut and BNN-training "
                    "problems: run suites, then plot and report the results.",
        epilog=f"{RUN_ID_HELP} {EXIT_CODES}",
    )
    debug_help = "show the Python traceback of an error instead of one line"
    parser.add_argument("--debug", action="store_true", help=debug_help)
    common = argparse.ArgumentParser(add_help=False)  # --debug after the command works too
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=debug_help)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_run, _add_results, _add_listings, _add_validate, _add_study):
        add(sub, common)
    return parser


def _add_run(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("run", help="run (or resume) a suite", parents=[common],
                       description="Run every job of a suite that is not finished yet, "
                                   "writing one file per job as it finishes; then collect "
                                   "jobs.parquet, traces.parquet and provenance.json. "
                                   "Two runs of a suite into one --out at once share the "
                                   "work (each job runs once); Ctrl-C keeps the finished "
                                   "jobs.",
                       epilog=f"{RUN_ID_HELP} {EXIT_CODES}")
    p.add_argument("suite", metavar="SUITE",
                   help="a shipped suite name (see 'isingbench list') or a path to a YAML file")
    p.add_argument("--dask", metavar="ADDR",
                   help="run on Dask: a scheduler address (tcp://host:8786) or 'local' for a "
                        "LocalCluster on this machine (default: a local process pool)")
    p.add_argument("--dask-timeout", type=float, default=DASK_CONNECT_TIMEOUT_S, metavar="S",
                   help="seconds to wait for the Dask scheduler and its first worker "
                        f"(default: {DASK_CONNECT_TIMEOUT_S:g})")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes of the local pool or of '--dask local' (default: "
                        "all cores available; a remote Dask cluster has its own workers)")
    p.add_argument("--out", default="results", metavar="DIR",
                   help="results root directory (default: results)")
    p.add_argument("--run-id", metavar="ID",
                   help="name of the run directory (default: the suite's content hash)")
    p.add_argument("--report", action="store_true",
                   help="also write figures and report.html when the run ends")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _add_results(sub: Any, common: argparse.ArgumentParser) -> None:
    for name, what in (("plot", "write the figures (PNG) of a run into RUN/figures"),
                       ("report", "write RUN/report.html: one self-contained HTML file with "
                                  "the verdict, the fits, the tables and the figures embedded")):
        p = sub.add_parser(name, help=what, description=what + ".", epilog=RUN_ID_HELP,
                           parents=[common])
        p.add_argument("run", metavar="RUN", help="a run directory, or a suite name (latest run)")
        p.add_argument("--out", default="results", metavar="DIR",
                       help="results root used to resolve a suite name (default: results)")
    p.add_argument("--text", action="store_true",
                   help="print the verdict (machines ranked per problem, and whether each "
                        "problem fits each machine) as plain text instead of writing HTML")


def _add_listings(sub: Any, common: argparse.ArgumentParser) -> None:
    sub.add_parser("list", help="list shipped suites, machines, trainers, problem kinds and "
                               "studies",
                   parents=[common],
                   description="List the shipped suites, the registered machines (and whether "
                               "they are installed here), the trainers, the problem kinds and "
                               "the studies.")
    sub.add_parser("machines", help="show the machine specs (MachineSpec presets)",
                   parents=[common],
                   description="Show every MachineSpec preset of emulators.machine: capacity, "
                               "precision, ranges, connectivity, clock.")


def _add_validate(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "validate", help="check a suite file, or print the FitReport of a problem on a machine",
        parents=[common],
        description="With a suite alone: check the whole suite file as 'run' does before it "
                    "starts (every key, machine and parameter; every instance file it names "
                    "is read). With --machine: build one problem and print how it fits the "
                    "machine (capacity, quantisation error, clipping, ground-state survival "
                    "for small models).")
    p.add_argument("problem", metavar="SUITE|PROBLEM",
                   help="a suite (shipped name or YAML file) to check; or, with --machine, "
                        "SUITE:NAME (a problem entry of a suite, first grid point) or a problem "
                        "kind (see 'isingbench list') with its parameters given by --param")
    p.add_argument("--machine", metavar="NAME",
                   help="a machine name from 'isingbench list' or a spec preset from "
                        "'isingbench machines'")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a problem parameter (VALUE is read as YAML, e.g. layers=[16,2,1]); "
                        "repeatable")


def _add_study(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("study", help="run a study and print its markdown tables", parents=[common],
                       description="Run one of the studies (fixed experiments behind the "
                                   "README's and SUMMARY's tables) and print its markdown. "
                                   "'isingbench list' says what each does; 'isingbench study "
                                   "NAME --help' lists its options.")
    p.add_argument("name", metavar="NAME", choices=list(STUDIES),
                   help=f"one of: {', '.join(STUDIES)}")
    p.add_argument("options", nargs=argparse.REMAINDER, metavar="...",
                   help="the study's options (see 'isingbench study NAME --help')")


# ---------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace) -> int:
    suite = load_suite(args.suite)
    if args.workers is not None and args.workers < 1:
        raise SpecError(f"--workers must be >= 1, got {args.workers}")
    jobs = suite.jobs()
    print(f"suite {suite.name}: {len(jobs)} jobs "
          f"({len(suite.problems)} problems, {len(suite.machines)} machines, "
          f"{len(suite.seeds)} seeds)", file=sys.stderr)
    if args.dask_timeout <= 0:
        raise SpecError(f"--dask-timeout must be > 0 seconds, got {args.dask_timeout:g}")
    summary = run_suite(suite, args.out, run_id=args.run_id, workers=args.workers,
                        dask=args.dask, dask_timeout=args.dask_timeout,
                        progress=not args.no_progress, command=args.command_line)
    print(summary.text())
    from suites.report import text_report, write_report

    print(text_report(summary.run_dir, args.out))
    if args.report:
        print(f"report: {write_report(summary.run_dir, args.out)}")
    return 0 if summary.ok else 1


def cmd_plot(args: argparse.Namespace) -> int:
    from suites import plots, summary
    from suites.store import load

    results = load(args.run, args.out)
    n_boot = results.run_info.get("metrics", {}).get("bootstrap", 1000)
    written = plots.write_figures(results, summary.qubo_summary(results.jobs, n_boot),
                                  summary.training_summary(results.jobs))
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from suites.report import text_report, write_report

    print(text_report(args.run, args.out) if args.text else write_report(args.run, args.out))
    return 0


def cmd_list(_: argparse.Namespace) -> int:
    print("Shipped suites (isingbench run NAME):")
    for name, path in shipped_suites().items():
        try:
            desc = yaml.safe_load(path.read_text(encoding="utf-8")).get("description", "")
        except (OSError, yaml.YAMLError, AttributeError):
            desc = ""
        print(f"  {name:<16} {desc.strip().splitlines()[0] if desc.strip() else ''}")
    print("\nMachines (suite key 'machine'):")
    for name, entry in registry.MACHINES.items():
        ok, why = registry.machine_available(name)
        state = "available" if ok else f"not available: {why}"
        print(f"  {name:<14} {entry.description}  [{entry.target}; {state}]")
    _list_trainers()
    print("\nProblem kinds (suite key 'kind'):")
    for name in problem_registry.PROBLEM_KINDS:
        ok, why = problem_registry.kind_available(name)
        if not ok:
            print(f"  {name:<14} not available ({why})")
            continue
        adapter = problem_registry.problem_kind(name)
        print(f"  {name:<14} [{adapter.mode}] {adapter.description}")
        _list_params(adapter.params)
    print("\nStudies (isingbench study NAME [options]; NAME --help lists them):")
    for name in STUDIES:
        print(f"  {name:<16} {get_study(name).summary}")
    return 0


def _list_params(params: dict[str, problem_registry.Param]) -> None:
    for pname, spec in params.items():
        req = "required" if spec.required else f"default {spec.default!r}"
        print(f"      {pname}: {spec.kind}, {req} - {spec.help}")


def _list_trainers() -> None:
    print("\nTrainers (suite key 'machine' of a training problem; they train without a "
          "sampler, their parameters go under the machine entry's 'params'):")
    for name, entry in registry.TRAINERS.items():
        ok, why = registry.machine_available(name)
        state = "available" if ok else f"not available: {why}"
        print(f"  {name:<14} {entry.description}  [{entry.target}; {state}]")
        if ok:
            _list_params(trainers.trainer_class(name).params)
    print("  (any machine)  trains a training problem through its QUBOs, the machine solving "
          f"each one  [{trainers.QUBO_TRAINER}]")


def _presets() -> dict[str, Any]:
    try:
        from emulators import machine
    except ImportError as exc:
        raise SystemExit(f"emulators.machine is not available: {exc}") from None
    return machine.all_presets()


def cmd_machines(_: argparse.Namespace) -> int:
    presets = _presets()
    if not presets:
        print("No MachineSpec presets are registered yet (the emulator packages add theirs "
              "when installed).")
    seen = set()
    for _, spec in sorted(presets.items()):
        if id(spec) in seen:
            continue
        seen.add(id(spec))
        aliases = sorted(k for k, s in presets.items() if s is spec and k != spec.name.lower())
        print(f"{spec.name}" + (f" (aliases: {', '.join(aliases)})" if aliases else ""))
        for field_name, value in spec.to_dict().items():
            if field_name not in ("name", "clock"):
                print(f"    {field_name}: {value}")
        print(f"    clock: {spec.clock.source or 'assumption: no source given'}")
        print(f"        seconds(steps, reads, N) = {spec.clock.formula()}")
        if spec.clock.assumption:
            print(f"        {spec.clock.assumption}")
    _print_calibration()
    print("\nMachine names for suites (with the spec each models):")
    for name, entry in registry.MACHINES.items():
        ok, why = registry.machine_available(name)
        if not ok:
            print(f"  {name:<14} not available: {why}")
            continue
        spec = getattr(registry.make_sampler(entry.target, entry.init), "spec", None)
        spec_name = spec.name if spec is not None else entry.spec
        print(f"  {name:<14} spec: {spec_name or 'none (exact coefficients, no hardware clock)'}")
    return 0


def _print_calibration() -> None:
    """The published figures behind the preset clocks (emulators.calibration)."""
    from emulators import calibration

    print("\nClock calibration (emulators/calibration.py, docs/calibration.md; Q quoted, "
          "S secondary source, D derived by us):")
    for record in calibration.CALIBRATIONS:
        print(f"  {', '.join(record.presets)}: {record.source}")
        for figure in record.figures:
            print(f"      figure: {figure.text()}")
        print(f"      fit: {record.fit}")
        for missing in record.not_found:
            print(f"      not found in what we can read: {missing}")
    print("  sources:")
    for key, text in calibration.SOURCES.items():
        print(f"      {key}: {text}")


def _parse_params(items: Sequence[str]) -> dict[str, Any]:
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SpecError(f"--param {item!r}: expected KEY=VALUE")
        params[key] = yaml.safe_load(value)
    return params


def _problem_for_validate(problem: str, params: dict[str, Any]):
    if ":" in problem:
        suite_name, _, entry_name = problem.partition(":")
        suite = load_suite(suite_name, check_machines=False)
        entries = {p.name: p for p in suite.problems}
        if entry_name not in entries:
            raise SpecError(f"suite {suite_name!r} has no problem {entry_name!r}; it has: "
                            f"{', '.join(entries)}")
        entry = entries[entry_name]
        first = {k: v[0] for k, v in entry.grid.items()}
        return entry.kind, {**entry.params, **first, **params}
    adapter = problem_registry.problem_kind(problem)
    unknown = set(params) - set(adapter.params)
    if unknown:
        raise SpecError(f"--param {', '.join(sorted(unknown))}: not a parameter of kind "
                        f"{problem!r}; accepted: {', '.join(adapter.params)}")
    full = {k: p.default for k, p in adapter.params.items() if p.default is not None}
    full.update(params)
    missing = [k for k, p in adapter.params.items() if p.required and k not in full]
    if missing:
        raise SpecError(f"kind {problem!r} needs --param for: {', '.join(missing)}")
    adapter.check_params(full)
    adapter.check_instances(full)
    return problem, full


def _spec_for(name: str):
    if name in registry.MACHINES:
        entry = registry.MACHINES[name]
        ok, why = registry.machine_available(name)
        if not ok:
            raise SpecError(f"machine {name!r} is not installed here: {why}")
        sampler = registry.make_sampler(entry.target, entry.init)
        spec = getattr(sampler, "spec", None)
        if spec is None and entry.spec:
            from emulators.machine import get_preset

            spec = get_preset(entry.spec)
        return spec
    presets = _presets()
    if name.lower() in presets:
        return presets[name.lower()]
    raise SpecError(f"unknown machine {name!r}; machines: {', '.join(registry.MACHINES)}; "
                    f"spec presets: {', '.join(sorted(presets)) or '(none)'}")


def _validate_suite(name: str) -> int:
    suite = load_suite(name)  # reads every instance file the suite names
    files = [str(path) for path in suite.instance_files()]
    print(f"suite {suite.name} ({suite.source}) is valid: {len(suite.jobs())} jobs, "
          f"{len(suite.problems)} problems, {len(suite.machines)} machines; "
          f"{len(files)} instance files read" + (f": {', '.join(files)}" if files else ""))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    if args.machine is None:
        if ":" in args.problem or args.param:
            raise SpecError("--machine NAME is needed for a FitReport of one problem; give a "
                            "suite alone to check the whole suite")
        try:
            resolve_suite_path(args.problem)
        except SpecError as exc:
            raise SpecError(f"{exc}; for the FitReport of a problem kind add --machine NAME"
                            ) from None
        return _validate_suite(args.problem)
    kind, params = _problem_for_validate(args.problem, _parse_params(args.param))
    adapter = problem_registry.problem_kind(kind)
    if adapter.mode != "qubo":
        raise SpecError(f"problem kind {kind!r} trains a model; validate needs a QUBO kind")
    spec = _spec_for(args.machine)
    built = problem_registry.build_problem(kind, params)
    print(f"problem {args.problem} ({kind}): {built.bqm.num_variables} variables, "
          f"{built.bqm.num_interactions} interactions")
    if spec is None:
        print(f"machine {args.machine!r} has no MachineSpec: it samples the model exactly as "
              "given (float coefficients, any size, complete connectivity).")
        return 0
    report = spec.validate(built.bqm)
    print(report)
    return 0 if report.fits else 1


def cmd_study(args: argparse.Namespace) -> int:
    return get_study(args.name).main(args.options, prog=f"isingbench study {args.name}")


COMMANDS = {"run": cmd_run, "plot": cmd_plot, "report": cmd_report, "list": cmd_list,
            "machines": cmd_machines, "validate": cmd_validate, "study": cmd_study}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


#: Errors a user can cause (bad input, an unusable --out or --dask): one line, exit 2.
KNOWN_ERRORS = (SpecError, ExecutorError, OSError, ValueError,
                problem_registry.UnknownProblemKindError, registry.UnknownMachineError)


def _run_command(args: argparse.Namespace) -> int:
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # the reader went away (e.g. `isingbench machines | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except RunInterrupted as exc:
        print(f"isingbench run: interrupted: {exc.summary.progress()}; resume with: "
              f"{shlex.join(args.command_line)}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"isingbench {args.command}: interrupted", file=sys.stderr)
        return 130
    except KNOWN_ERRORS as exc:
        if args.debug:
            traceback.print_exc()
        print(f"isingbench {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``isingbench`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    args.command_line = ["isingbench", *argv]
    with warnings.catch_warnings():  # damaged records: one line each, as they are found
        warnings.simplefilter("always", DamagedRecordWarning)
        show_others = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: Any = None, line: str | None = None) -> None:
            if issubclass(category, DamagedRecordWarning):
                print(f"isingbench {args.command}: warning: {_one_line(message)}",
                      file=sys.stderr)
            else:
                show_others(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        return _run_command(args)


if __name__ == "__main__":
    raise SystemExit(main())
