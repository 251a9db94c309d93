"""Everything under tests/benchmarks is a measurement: marked ``bench`` and deselected by default.

Run them on a quiet machine with ``pytest tests/benchmarks -m bench -s`` (add ``or gpu`` to
the marker expression on a GPU machine).
"""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "/benchmarks/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.bench)
