"""Declarative benchmark suites: specs, runner, results store, metrics, figures, report, CLI.

``from suites import run_suite, load`` gives the two entry points: :func:`suites.runner.run_suite`
runs a suite (resumable) and :func:`suites.store.load` reads a finished run's tables. Both are
listed in ``__init__.pyi`` and imported on first use (``lazy_loader``), so ``import
suites.spec`` (or the CLI's start-up) does not load the runner's and the store's dependencies.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
