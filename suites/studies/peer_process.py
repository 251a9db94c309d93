"""A process of its own for the peers' sampling calls, with the environment the user started.

Importing :mod:`emulators` sets ``OMP_WAIT_POLICY=PASSIVE`` (unless the user set it), and
every OpenMP runtime loaded afterwards in that process reads it, torch's included: measured
on 2 cores, the ``simulated-bifurcation`` package's bSB on the 65-spin BNN unit QUBO (16
agents × 1,000 steps) took 0.03 s in a clean process and 0.11-0.15 s after ``import
emulators``. So the peers study runs every peer in one spawned worker process that never
imports our emulators (or, where spawn imports a main module that does, whose import leaves
the variable alone), started without the variable when our import set it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any

__all__ = ["PeerProcess", "clean_environment"]

#: The variable :mod:`emulators` sets on import, and the one that stops it (``leave``;
#: ``emulators.LEAVE_WAIT_POLICY``, spelled again here because importing :mod:`emulators`
#: for it would load numba in the worker, and is checked equal by the tests).
WAIT_POLICY, LEAVE_WAIT_POLICY = "OMP_WAIT_POLICY", "ISINGBENCH_OMP_WAIT_POLICY"


def clean_environment() -> dict[str, str]:
    """``os.environ`` without what importing :mod:`emulators` added to it, and with the
    switch that keeps an import of :mod:`emulators` in the worker (a main module that spawn
    imports again, say) from adding it there."""
    env = dict(os.environ)
    emulators = sys.modules.get("emulators")
    if emulators is not None and getattr(emulators, "OMP_WAIT_POLICY_SET_HERE", False):
        env.pop(WAIT_POLICY, None)
    env[LEAVE_WAIT_POLICY] = "leave"
    return env


def _ready() -> str | None:
    """What the worker sees as ``OMP_WAIT_POLICY`` (``None``: unset); also starts it."""
    return os.environ.get(WAIT_POLICY)


class PeerProcess:
    """One spawned worker process (``with PeerProcess() as worker: worker.call(f, ...)``);
    ``f`` must be a module-level function and its arguments picklable."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self.wait_policy: str | None = None

    def __enter__(self) -> PeerProcess:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(clean_environment())
        try:  # a spawned child copies the environment when it starts: start it now
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            self.wait_policy = self._pool.submit(_ready).result()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return self

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in the worker (its exceptions are raised here)."""
        if self._pool is None:
            raise RuntimeError("PeerProcess.call outside its with-block")
        return self._pool.submit(function, *args).result()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
