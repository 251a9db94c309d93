"""Where each machine's modelled hardware times in a run come from.

Every job of a machine with a :class:`~emulators.machine.MachineSpec` stores the FitReport of
its model, which names the spec (``machine``) and, since the clocks were calibrated, the
spec's ``clock_source`` ("fitted to ..." or "assumption: ..."; see
:mod:`emulators.calibration`). Runs stored before that carry no source: their modelled times
came from the clocks of their day, which may differ from today's presets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from suites.ordering import natural_key

#: What stands in for a clock source the run did not store.
NOT_STORED = "not stored (the run predates stored clock sources; its modelled times used the " \
             "clocks of that time)"


@dataclass(frozen=True)
class MachineClock:
    """The clock behind one machine's modelled times: the spec(s) its jobs ran under, the
    source stored with them, and today's preset clock of that name (``""`` when the spec is
    not a registered preset, e.g. one a suite overrode)."""

    machine: str
    specs: str
    source: str
    today: str
    formula: str


def _preset_clock(name: str) -> tuple[str, str]:
    """Today's ``(source, formula)`` of the preset called ``name``, or ``("", "")``."""
    from emulators.machine import get_preset  # noqa: PLC0415 - only reports with specs

    try:
        clock = get_preset(name).clock
    except ValueError:
        return "", ""
    return clock.source, clock.formula()


def machine_clocks(records: list[Mapping[str, Any]]) -> list[MachineClock]:
    """One :class:`MachineClock` per machine whose finished jobs stored a FitReport."""
    specs: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    for rec in records:
        fit = (rec.get("result") or {}).get("fit")
        if rec.get("status") != "ok" or not fit or rec["job"].get("mode") != "qubo":
            continue
        machine = rec["job"]["machine_name"]
        specs.setdefault(machine, set()).add(str(fit.get("machine")))
        sources.setdefault(machine, set()).add(fit.get("clock_source") or NOT_STORED)
    out = []
    for machine in sorted(specs, key=natural_key):
        names = sorted(specs[machine], key=natural_key)
        today = [_preset_clock(name) for name in names]
        out.append(MachineClock(machine, ", ".join(names), "; ".join(sorted(sources[machine])),
                                "; ".join(sorted({t[0] for t in today if t[0]})),
                                "; ".join(sorted({t[1] for t in today if t[1]}))))
    return out


def clocks_text(clocks: list[MachineClock]) -> str:
    """One line per machine naming the clock of its modelled times."""
    if not clocks:
        return "Clocks: no machine of this run models hardware time."
    return "\n".join(["Clocks of the modelled hardware times:"]
                     + [f"  {c.machine} ({c.specs}): {c.source}" for c in clocks])
