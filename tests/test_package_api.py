"""Package-level API: ``from qubo_bnn import ...`` and ``from suites import ...`` (issue 17),
imported lazily (``lazy_loader`` reading each package's ``__init__.pyi``) so that importing a
package stays light."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("qubo_bnn", "suites")
HEAVY = ("sklearn", "dimod", "numba", "numpy", "pandas", "scipy")


def _stub(package: str) -> tuple[dict[str, str], list[str]]:
    """``{name: module}`` imported by the package's stub, and the stub's ``__all__``."""
    tree = ast.parse((ROOT / package / "__init__.pyi").read_text(encoding="utf-8"))
    names = {alias.name: f"{package}.{node.module}" for node in tree.body
             if isinstance(node, ast.ImportFrom) for alias in node.names}
    listed = next(ast.literal_eval(node.value) for node in tree.body
                  if isinstance(node, ast.Assign) and node.targets[0].id == "__all__")
    return names, listed


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_resolves_to_its_module_object(package):
    pkg = importlib.import_module(package)
    names, listed = _stub(package)
    assert listed == sorted(names) == pkg.__all__  # the stub re-exports what it imports
    for name, module in names.items():
        assert getattr(pkg, name) is getattr(importlib.import_module(module), name)
        assert name in dir(pkg)
    with pytest.raises(AttributeError, match="nope"):
        pkg.nope  # noqa: B018


def test_issue_examples_import():
    from qubo_bnn import (  # noqa: F401
        BinaryNetwork,
        LayerwiseQuboClassifier,
        QuboBNNClassifier,
        RandomConvFeatures,
        build_bnn_qubo,
        load_digits_binary,
    )
    from suites import load, run_suite  # noqa: F401


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_the_package_loads_no_heavy_dependency(package):
    code = (f"import sys, {package}; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
