"""Declarative benchmark suites: specs, runner, results store, metrics, figures, report, CLI.

``from suites import run_suite, load`` gives the two entry points: :func:`suites.runner.run_suite`
runs a suite (resumable) and :func:`suites.store.load` reads a finished run's tables. Both are
imported on first use, so ``import suites.spec`` (or the CLI's start-up) does not load the
runner's and the store's dependencies.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (kept light)

#: Public name -> the module that defines it.
_EXPORTS = {"run_suite": "suites.runner", "load": "suites.store"}
__all__ = [
    "load",
    "run_suite",
]

if TYPE_CHECKING:
    from suites.runner import run_suite
    from suites.store import load


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
