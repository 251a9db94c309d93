"""Natural ordering of labels: numbers inside names compare as numbers.

``da-4b`` sorts before ``da-10b``, ``bits=5`` before ``bits=10`` and ``qa-noise-0.05`` before
``qa-noise-0.1``, so precision, size and noise sweeps read in order in tables and figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")


def natural_key(name: object) -> list[tuple]:
    """Sort key of one label: text pieces compare as text, number pieces as numbers."""
    parts = _NUMBER.split(str(name))
    return [(0, float(p), "") if i % 2 else (1, 0.0, p) for i, p in enumerate(parts)]


def natural_order(names: Iterable) -> list:
    """The distinct names, in natural order."""
    return sorted(dict.fromkeys(names), key=natural_key)


def sort_naturally(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``df`` with its rows sorted by ``columns``, each in natural order (index reset)."""
    if df.empty:
        return df
    ranks = {c: {v: i for i, v in enumerate(natural_order(df[c]))} for c in columns}
    return df.sort_values(list(columns), key=lambda s: s.map(ranks[s.name])).reset_index(drop=True)
