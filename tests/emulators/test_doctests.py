"""The ``>>>`` examples of the sampler modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "emulators",
    "emulators.annealing.sampler",
    "emulators.digital_annealer.sampler",
    "emulators.bifurcation.sampler",
    "emulators.quantum_annealer.sampler",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False, report=True)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
