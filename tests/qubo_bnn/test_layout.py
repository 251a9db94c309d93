"""The library's shape: import graph without cycles, no private names across modules, no study
imports, functions of bounded length and arity (issue 16)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "qubo_bnn"
MAX_LINES = 80
MAX_PARAMETERS = 8


def _modules() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = ast.parse(path.read_text(encoding="utf-8"))
    return out


MODULES = _modules()


def _imports(tree: ast.Module):
    """``(module, name or None)`` of every import statement, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                yield node.module, alias.name


def _ancestors(name: str) -> set[str]:
    """``name`` and the packages above it."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def _graph() -> dict[str, set[str]]:
    """Module -> library modules its imports run (a target's packages included, except the
    importing module's own packages, which Python has loaded already)."""
    graph = {}
    for name, tree in MODULES.items():
        deps = set()
        for module, imported in _imports(tree):
            target = f"{module}.{imported}" if f"{module}.{imported}" in MODULES else module
            deps |= _ancestors(target) - _ancestors(name)
        graph[name] = {d for d in deps if d in MODULES}
    return graph


def _package(name: str) -> str:
    """The unit of the package graph: a subpackage of ``qubo_bnn``, or a top-level module."""
    return ".".join(name.split(".")[:2])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state, cycles = {}, []

    def visit(node, path):
        state[node] = 1  # on the current path
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt])
            elif not state.get(nxt):
                visit(nxt, [*path, nxt])
        state[node] = 2  # done

    for node in sorted(graph):
        if not state.get(node):
            visit(node, [node])
    return cycles


def test_import_graph_has_no_cycle():
    assert _cycles(_graph()) == []


def test_package_graph_has_no_cycle():
    """Collapsed to ``whole_network``, ``layerwise`` and the top-level modules."""
    packages: dict[str, set[str]] = {}
    for name, deps in _graph().items():
        unit = _package(name)
        packages.setdefault(unit, set()).update(_package(d) for d in deps if _package(d) != unit)
    packages = {k: {d for d in v if d != "qubo_bnn"} for k, v in packages.items()}
    assert _cycles(packages) == []
    assert not packages.get("qubo_bnn.layerwise", set()) & {"qubo_bnn.whole_network"}
    assert not packages.get("qubo_bnn.whole_network", set()) & {"qubo_bnn.layerwise"}


def test_no_private_name_imported_across_modules():
    private = [(name, module, imported) for name, tree in MODULES.items()
               for module, imported in _imports(tree)
               if module.startswith("qubo_bnn") and imported and imported.startswith("_")]
    assert private == []


def test_library_imports_no_study_or_suite():
    assert [(name, module) for name, tree in MODULES.items() for module, _ in _imports(tree)
            if module.split(".")[0] == "suites"] == []


def _functions():
    for name, tree in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                decorators = [ast.unparse(d) for d in node.decorator_list]
                kernel = any("njit" in d or "numba" in d for d in decorators)
                yield name, node, kernel, decorators


def test_functions_are_short_except_kernels():
    long = [(name, node.name, node.end_lineno - node.lineno + 1)
            for name, node, kernel, _ in _functions()
            if not kernel and node.end_lineno - node.lineno + 1 > MAX_LINES]
    assert long == []


def _parameters(node: ast.FunctionDef, decorators: list[str]) -> list[str]:
    args = node.args
    params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    bound = params[:1] == ["self"] or (params[:1] == ["cls"] and "classmethod" in decorators)
    params = params[1:] if bound else params
    return params + [a.arg for a in (args.vararg, args.kwarg) if a is not None]


def test_public_functions_take_few_parameters():
    """Public functions and constructors; estimators' ``__init__`` (sklearn style) excepted."""
    wide = []
    for name, node, kernel, decorators in _functions():
        public = not node.name.startswith("_") or node.name == "__init__"
        estimator_init = node.name == "__init__" and name.endswith(".classifier")
        n = len(_parameters(node, decorators))
        if public and not kernel and not estimator_init and n > MAX_PARAMETERS:
            wide.append((name, node.name, n))
    assert wide == []
