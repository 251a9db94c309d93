"""A sampler that kills its own process: how a job looks whose worker the OS kills every time
(out of memory, say). Used by tests/suites/test_faults.py through its import string."""

from __future__ import annotations

import os
import signal

import dimod


class SuicideSampler(dimod.Sampler):
    """Sends SIGKILL to the process that calls :meth:`sample`."""

    parameters = {"num_reads": [], "seed": []}
    properties: dict = {}

    def sample(self, bqm, **kwargs):  # noqa: ARG002 - never returns
        os.kill(os.getpid(), signal.SIGKILL)
