"""Shared test fixtures and paths."""

from pathlib import Path

import pytest

from emulators._core.devices import require_cupy

REPO = Path(__file__).resolve().parents[1]
#: G-set instances live beside the repository, never inside it.
GSET_DIR = REPO.parent / "shared" / "data" / "gset"


@pytest.fixture
def gset_dir() -> Path:
    """The shared G-set directory; skips the test when it is absent."""
    if not (GSET_DIR / "G1.txt").exists():
        pytest.skip(f"G-set instances not found in {GSET_DIR}")
    return GSET_DIR


def _gpu_missing() -> str | None:
    """Why GPU tests cannot run here (``None`` when cupy finds a CUDA device)."""
    try:
        require_cupy()
    except RuntimeError as exc:
        return str(exc)
    return None


def pytest_collection_modifyitems(config, items):
    """Tests marked ``gpu`` are skipped, with the reason, when cupy finds no CUDA device."""
    gpu_items = [item for item in items if item.get_closest_marker("gpu")]
    reason = _gpu_missing() if gpu_items else None
    if reason:
        for item in gpu_items:
            item.add_marker(pytest.mark.skip(reason=reason))
