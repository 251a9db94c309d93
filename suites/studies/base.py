"""What every study has: one options dataclass, ``run(options)`` and ``render(result)``.

A study module defines

* ``Options``: a frozen dataclass deriving from :class:`StudyOptions` whose fields are
  declared with :func:`option` (default, help text, allowed values). The command line of the
  study is built from these fields, so each option is declared once;
* ``run(options)``: does the work and returns data (a DataFrame or a small dataclass);
* ``render(result) -> str``: the markdown the study prints;
* ``STUDY = Study(name, summary, Options, run, render)``, which
  :mod:`suites.studies` lists and ``isingbench study NAME`` runs, and a ``main`` for
  ``python -m suites.studies.NAME``.

Options refused by the options dataclass (a ``ValueError``) end the command line with argparse's
usage error; a :class:`StudyError` raised by ``run`` ends it with one line and exit status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

_MISSING = dataclasses.MISSING


class StudyError(RuntimeError):
    """A study could not produce its result (e.g. no run finished); the command line prints
    the message as one line, without a traceback, and exits with status 1."""


def option(default: Any = _MISSING, help: str = "", *, choices: Sequence[Any] | None = None,
           noun: str = "value", positional: bool = False, type: type | None = None) -> Any:
    """A study option: a dataclass field with its command-line metadata.

    ``default``: a number, string, bool or tuple (a tuple option takes one or more values;
    omitted: a required option), or ``None`` with ``type`` (the option then reads values of
    that type and is ``None`` when not given). ``choices``: the allowed values, checked by the
    command line and by :class:`StudyOptions` (``noun`` names one in the error).
    ``positional``: given without a flag (e.g. ``RUN``).
    """
    return dataclasses.field(default=default, metadata={
        "help": help, "choices": None if choices is None else tuple(choices), "noun": noun,
        "positional": positional, "type": type})


@dataclass(frozen=True)
class StudyOptions:
    """Base of a study's options: lists become tuples, and values outside ``choices`` are
    refused with a ``ValueError`` that names the unknown value."""

    def __post_init__(self) -> None:
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, list):
                value = tuple(value)
                object.__setattr__(self, spec.name, value)
            choices = spec.metadata.get("choices")
            if choices is None:
                continue
            for item in value if isinstance(value, tuple) else (value,):
                if item not in choices:
                    raise ValueError(f"unknown {spec.metadata['noun']} {item!r}; known: "
                                     f"{', '.join(map(str, choices))}")


def _add_argument(parser: argparse.ArgumentParser, spec: dataclasses.Field) -> None:
    meta, default = spec.metadata, spec.default
    kwargs: dict[str, Any] = {"help": meta.get("help", "")}
    if meta.get("choices") is not None:
        kwargs["choices"] = meta["choices"]
    if meta.get("positional"):
        parser.add_argument(spec.name, metavar=spec.name.upper(), **kwargs)
        return
    flag = "--" + spec.name.replace("_", "-")
    if isinstance(default, bool):
        parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default,
                            **kwargs)
    elif isinstance(default, tuple):
        item_type = type(default[0]) if default else str
        parser.add_argument(flag, nargs="+", type=item_type, default=list(default), **kwargs)
    elif default is _MISSING:
        parser.add_argument(flag, required=True, **kwargs)
    else:
        parser.add_argument(flag, type=meta.get("type") or type(default), default=default,
                            **kwargs)


@dataclass(frozen=True)
class Study:
    """A study as the command line sees it (see the module docstring)."""

    name: str
    summary: str
    options: type[StudyOptions]
    run: Callable[[Any], Any]
    render: Callable[[Any], str]

    def parser(self, prog: str | None = None) -> argparse.ArgumentParser:
        """The study's command line, one argument per field of its options."""
        parser = argparse.ArgumentParser(prog=prog or f"python -m suites.studies.{self.name}",
                                         description=self.summary)
        for spec in dataclasses.fields(self.options):
            _add_argument(parser, spec)
        return parser

    def parse(self, argv: Sequence[str] | None = None, prog: str | None = None
              ) -> StudyOptions:
        """Options from command-line arguments (options the dataclass refuses end with the
        parser's usage error, ``SystemExit(2)``)."""
        parser = self.parser(prog)
        args = vars(parser.parse_args(argv))
        try:
            return self.options(**args)
        except ValueError as exc:
            parser.error(str(exc))

    def main(self, argv: Sequence[str] | None = None, prog: str | None = None) -> int:
        """Parse the options, run the study and print its markdown; exit status 0, or 1 with
        one line on stderr when the run raises :class:`StudyError`."""
        options = self.parse(argv, prog)
        try:
            result = self.run(options)
        except StudyError as exc:
            name = prog or f"python -m suites.studies.{self.name}"
            print(f"{name}: error: {' '.join(str(exc).split())}", file=sys.stderr)
            return 1
        print(self.render(result))
        return 0
