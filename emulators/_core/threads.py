"""How many of numba's threads a kernel call gets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numba

__all__ = ["numba_thread_count", "numba_threads"]


@contextmanager
def numba_thread_count(count: int) -> Iterator[None]:
    """Inside the block, ``prange`` kernels run on ``count`` of numba's threads (at most
    ``NUMBA_NUM_THREADS``); the count before the block is restored after it."""
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(count, numba.config.NUMBA_NUM_THREADS)))
    try:
        yield
    finally:
        numba.set_num_threads(before)


@contextmanager
def numba_threads(shared: bool) -> Iterator[None]:
    """Inside the block, ``prange`` kernels run on numba's threads when ``shared`` is true and
    on the calling thread alone otherwise (too little work to be worth waking the others:
    each parallel launch costs 10-60 µs on a 2-core machine, a small step 1-2 µs). Rows of
    a ``prange`` are independent, so the results are the same either way."""
    if shared:
        yield
        return
    with numba_thread_count(1):
        yield
