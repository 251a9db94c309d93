"""Everything under tests/benchmarks is a measurement: marked ``bench`` and deselected by default.

Run them on a quiet machine with ``pytest tests/benchmarks -m bench -s``; the ones also marked
``gpu`` run where cupy finds a CUDA device and are skipped, with the reason, elsewhere.
"""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/benchmarks/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.bench)
