"""Fixtures for the suite tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.suites.helpers import suite_text, write_model


@pytest.fixture
def models(tmp_path: Path) -> dict[str, Path]:
    return {"m10": write_model(tmp_path / "m10.json", 10, 1),
            "m40": write_model(tmp_path / "m40.json", 40, 2)}


@pytest.fixture
def suite_file(tmp_path: Path, models: dict[str, Path]) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(suite_text(models))
    return path
