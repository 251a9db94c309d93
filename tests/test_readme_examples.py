"""The README's ``python`` blocks run as written (issue 17).

Blocks run in order, one namespace per ``##`` section (a later block may use what an earlier
one of its section defined, as a reader working down the section would). A block preceded by
the marker line ``<!-- readme-test: skip (reason) -->`` is not run (for blocks that need the
G-set files or a GPU); one preceded by ``<!-- readme-test: slow (reason) -->`` runs in its own
namespace in a ``slow`` test instead (it must then be self-contained).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MARKER = re.compile(r"<!--\s*readme-test:\s*(skip|slow)\s*\((.+?)\)\s*-->")


@dataclass(frozen=True)
class Block:
    section: str
    line: int  # 1-based line of the opening fence
    code: str
    marker: str | None = None  # "skip" or "slow"
    reason: str = ""


def python_blocks(text: str) -> list[Block]:
    """Every ```python block of a markdown text, with its ``##`` section and marker."""
    blocks, section, previous = [], "(top)", ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:].strip()
        if line.strip() == "```python":
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
            found = MARKER.search(previous)
            blocks.append(Block(section, i + 1, "\n".join(lines[i + 1:end]),
                                found.group(1) if found else None,
                                found.group(2) if found else ""))
            i, previous = end + 1, ""
            continue
        if line.strip():
            previous = line
        i += 1
    return blocks


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))
SECTIONS = list(dict.fromkeys(b.section for b in BLOCKS))


def _run(block: Block, namespace: dict) -> None:
    code = compile(block.code, f"README.md, block at line {block.line}", "exec")
    exec(code, namespace)  # noqa: S102 - the README's own examples


@pytest.fixture
def in_repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # paths in the examples are relative to the repository


@pytest.mark.usefixtures("in_repo_root")
@pytest.mark.parametrize("section", SECTIONS)
def test_readme_section_runs(section):
    namespace: dict = {"__name__": "__readme__"}
    ran, left = 0, []
    for block in (b for b in BLOCKS if b.section == section):
        if block.marker:
            left.append(f"line {block.line}: {block.marker} ({block.reason})")
            continue
        _run(block, namespace)
        ran += 1
    if not ran:
        pytest.skip("; ".join(left))


@pytest.mark.slow
@pytest.mark.usefixtures("in_repo_root")
@pytest.mark.parametrize("block", [b for b in BLOCKS if b.marker == "slow"],
                         ids=lambda b: f"line{b.line}")
def test_readme_slow_block_runs(block):
    _run(block, {"__name__": "__readme__"})


def test_markers_and_sections_are_read():
    text = "\n".join([
        "## One", "```python", "a = 1", "```", "<!-- readme-test: skip (needs G-set) -->", "",
        "```python", "raise SystemExit", "```", "## Two",
        "<!-- readme-test: slow (20 s) -->", "```python", "b = 2", "```", "```bash", "ls", "```",
    ])
    blocks = python_blocks(text)
    assert [(b.section, b.line, b.code, b.marker, b.reason) for b in blocks] == [
        ("One", 2, "a = 1", None, ""),
        ("One", 7, "raise SystemExit", "skip", "needs G-set"),
        ("Two", 12, "b = 2", "slow", "20 s"),
    ]


def test_every_block_imports_from_the_packages_not_their_modules():
    """Package-level imports (``from qubo_bnn import ...``); the machines' blocks keep their
    ``emulators.<module>`` imports until the package exports them."""
    deep = [(b.line, line) for b in BLOCKS for line in b.code.splitlines()
            if re.match(r"\s*from (qubo_bnn|suites)\.", line)]
    assert BLOCKS and deep == []
