"""HTML tables for the report: readable headers, cells with sort keys and tooltips, sorting.

Every table sits in a container that scrolls sideways when the table is wider than the page
(nothing is cut), and its rows sort by clicking a header (:data:`SORT_SCRIPT`, a few lines
of inline JavaScript, no network). A cell sorts by its ``sort`` key (numbers as numbers,
``inf`` after every finite value, missing values last in both directions), or by its text
in natural order (``da-4b`` before ``da-10b``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real


@dataclass(frozen=True)
class Cell:
    """One table cell: its text (escaped), or ``markup`` (trusted HTML) shown instead."""

    text: str
    sort: float | str | None = None
    title: str = ""
    cls: str = ""
    markup: str | None = None


@dataclass(frozen=True)
class Column:
    """A header: its label and an optional tooltip (what the column means, its unit)."""

    label: str
    title: str = ""


def _sort_value(value: float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Real) and not isinstance(value, bool):
        v = float(value)
        if math.isnan(v):
            return ""
        return "Infinity" if v == math.inf else "-Infinity" if v == -math.inf else repr(v)
    return str(value)


def _cell(cell: Cell | str) -> str:
    if not isinstance(cell, Cell):
        cell = Cell(str(cell))
    attrs = ""
    if cell.sort is not None:
        attrs += f' data-sort="{html.escape(_sort_value(cell.sort))}"'
    if cell.title:
        attrs += f' title="{html.escape(cell.title)}"'
    if cell.cls:
        attrs += f' class="{html.escape(cell.cls)}"'
    body = cell.markup if cell.markup is not None else html.escape(cell.text)
    return f"<td{attrs}>{body}</td>"


def table(columns: Sequence[Column | str], rows: Sequence[Sequence[Cell | str]],
          cls: str = "") -> str:
    """A sortable table in a scrolling container (``(none)`` when there are no rows)."""
    if not rows:
        return "<p class='note'>(none)</p>"
    head = "".join(
        f"<th title=\"{html.escape((c.title + ' ' if c.title else '') + '(click to sort)')}\">"
        f"{html.escape(c.label)}</th>"
        for c in (c if isinstance(c, Column) else Column(c) for c in columns))
    body = "\n".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    classes = " ".join(["sortable", cls]).strip()
    return (f"<div class='table-wrap'><table class='{classes}'><thead><tr>{head}</tr></thead>"
            f"<tbody>\n{body}\n</tbody></table></div>")


#: Click a header to sort its table by that column; click again to reverse.
SORT_SCRIPT = """
function sortKey(cell) {
  const v = cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort')
                                           : cell.textContent.trim();
  if (v === '' || v === '–') return null;
  const n = Number(v);
  return Number.isNaN(n) ? v : n;
}
function compareKeys(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, {numeric: true});
}
document.querySelectorAll('table.sortable').forEach((table) => {
  table.querySelectorAll('thead th').forEach((th, col) => {
    th.addEventListener('click', () => {
      const up = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('thead th').forEach((h) => h.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
      const body = table.tBodies[0];
      const rows = Array.from(body.rows).map((row, i) => [sortKey(row.cells[col]), i, row]);
      rows.sort((x, y) => {
        if (x[0] === null || y[0] === null) {
          return x[0] === y[0] ? x[1] - y[1] : (x[0] === null ? 1 : -1);
        }
        const c = compareKeys(x[0], y[0]);
        return c !== 0 ? (up ? c : -c) : x[1] - y[1];
      });
      rows.forEach((r) => body.appendChild(r[2]));
    });
  });
});
"""
