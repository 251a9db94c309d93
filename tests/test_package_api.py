"""Package-level API: ``from qubo_bnn import ...`` and ``from suites import ...`` (issue 17),
imported lazily so that importing a package stays light."""

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


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_resolves_to_its_module_object(package):
    pkg = importlib.import_module(package)
    assert pkg.__all__ == sorted(pkg._EXPORTS)  # one list, in order
    for name, module in pkg._EXPORTS.items():
        assert getattr(pkg, name) is getattr(importlib.import_module(module), name)
        assert name in dir(pkg)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
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
def test_type_checking_imports_match_the_exports(package):
    """The ``if TYPE_CHECKING:`` block (for type checkers) names what ``_EXPORTS`` maps."""
    tree = ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If)
                 and ast.unparse(n.test) == "TYPE_CHECKING")
    imported = {alias.name: node.module for node in block.body for alias in node.names}
    assert imported == importlib.import_module(package)._EXPORTS


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_the_package_loads_no_heavy_dependency(package):
    code = (f"import sys, {package}; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
