"""Shared test fixtures and paths."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: G-set instances live beside the repository, never inside it.
GSET_DIR = REPO.parent / "shared" / "data" / "gset"


@pytest.fixture
def gset_dir() -> Path:
    """The shared G-set directory; skips the test when it is absent."""
    if not (GSET_DIR / "G1.txt").exists():
        pytest.skip(f"G-set instances not found in {GSET_DIR}")
    return GSET_DIR
