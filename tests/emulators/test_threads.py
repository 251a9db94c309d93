"""One thread or all of numba's: the same samples, and the thread count comes back."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from emulators._core.threads import numba_threads
from emulators.bifurcation import (
    ParallelFlipAnnealingSampler,
    SimulatedBifurcationSampler,
    kernels_xp,
)
from suites.instances import dense_pm1_instance, maxcut_bqm


def test_numba_threads_restores_the_count_even_after_an_error():
    before = numba.get_num_threads()
    with numba_threads(True):
        assert numba.get_num_threads() == before
    with pytest.raises(RuntimeError), numba_threads(False):
        assert numba.get_num_threads() == 1
        raise RuntimeError("inside")
    assert numba.get_num_threads() == before


@pytest.mark.parametrize("sampler, params", [
    (SimulatedBifurcationSampler(), {"variant": "bSB", "num_steps": 60}),
    (SimulatedBifurcationSampler(), {"variant": "dSB", "num_steps": 60}),
    (ParallelFlipAnnealingSampler(), {"scheme": "momentum", "num_sweeps": 60}),
])
def test_cpu_steps_give_the_same_samples_on_one_thread_and_on_all(monkeypatch, sampler,
                                                                  params):
    bqm = maxcut_bqm(dense_pm1_instance(40, 3))
    runs = []
    for least in (0, 10**9):  # every batch shared, then none
        monkeypatch.setattr(kernels_xp, "PARALLEL_MIN_ENTRIES", least)
        ss = sampler.sample(bqm, num_reads=6, seed=4, **params)
        runs.append((ss.record.sample.copy(), ss.record.energy.copy()))
    assert np.array_equal(runs[0][0], runs[1][0])
    assert np.array_equal(runs[0][1], runs[1][1])
