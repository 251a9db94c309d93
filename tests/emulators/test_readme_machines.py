"""The Python examples of the README's Machines section run as written, in order."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"


def machines_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Machines\n"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_machines_section_examples_run(capsys):
    blocks = machines_examples()
    assert len(blocks) == 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
    assert "fits" in capsys.readouterr().out
    assert namespace["ss"].info["timing"]["qpu_access_time"] > 0
