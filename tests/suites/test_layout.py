"""The suites package's shape (issue 16): functions of bounded length, public functions of
bounded arity, and the studies outside the machinery they use."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "suites"
MAX_LINES = 80
MAX_PARAMETERS = 8


def _trees() -> dict[str, ast.Module]:
    return {str(path.relative_to(PACKAGE.parent)): ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted(PACKAGE.rglob("*.py"))}


def _functions():
    for name, tree in _trees().items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield name, node


def _arity(node: ast.FunctionDef) -> int:
    args = node.args
    params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    if params[:1] in (["self"], ["cls"]):
        params = params[1:]
    return len(params) + (args.vararg is not None) + (args.kwarg is not None)


def test_functions_are_short():
    long = [(name, node.name, node.end_lineno - node.lineno + 1) for name, node in _functions()
            if node.end_lineno - node.lineno + 1 > MAX_LINES]
    assert long == []


def test_public_functions_take_few_parameters():
    wide = [(name, node.name, _arity(node)) for name, node in _functions()
            if (not node.name.startswith("_") or node.name == "__init__")
            and _arity(node) > MAX_PARAMETERS]
    assert wide == []


def test_only_the_command_line_imports_the_studies():
    users = sorted(name for name, tree in _trees().items() for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                       "suites.studies") and not name.startswith("suites/studies/"))
    assert users == ["suites/cli.py"]
