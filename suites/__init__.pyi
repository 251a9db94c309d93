"""The public names of ``suites`` (type checkers read this stub; at run time
``lazy_loader`` reads it to import each name from its module on first use)."""

from .runner import run_suite
from .store import load

__all__ = [
    "load",
    "run_suite",
]
