"""Which machines one class's K-bit layer-wise QUBO fits: a markdown table (issue 8).

One row per (K, machine) from :func:`qubo_bnn.layerwise.fit_check.class_qubo` and each
machine's :class:`~emulators.machine.FitReport`: fits or why not, couplers rounded to zero,
largest relative coefficient error, and the coupler dynamic range
(:func:`~qubo_bnn.layerwise.fit_check.dynamic_range_bits`).
``isingbench study layerwise_fit --help`` (or ``python -m suites.studies.layerwise_fit``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from qubo_bnn.layerwise.fit_check import class_qubo, dynamic_range_bits, resolve_specs
from suites.studies.base import Study, StudyOptions, option

DEFAULT_MACHINES = ("DA1", "DA2", "sb-fpga-2k-int8", "sb-gpu-fp16", "sb-gpu-fp32", "Advantage",
                    "Advantage2")


def fit_rows(bits_list: Sequence[int], n_features: int, machines: Sequence,
             **qubo_kwargs) -> pd.DataFrame:
    """One row per (K, machine): the class QUBO's size and range and the machine's FitReport.

    ``machines`` are :class:`~emulators.machine.MachineSpec` objects or preset names;
    ``qubo_kwargs`` go to :func:`~qubo_bnn.layerwise.fit_check.class_qubo`.
    """
    resolved = resolve_specs(machines)
    rows = []
    for k in bits_list:
        bqm = class_qubo(k, n_features, **qubo_kwargs).bqm
        span = dynamic_range_bits(bqm)
        for spec in resolved:
            rep = spec.validate(bqm)
            rows.append({"K": k, "variables": bqm.num_variables, "range_bits": span,
                         "machine": spec.name, "fits": rep.fits,
                         "rounded_to_zero": rep.num_rounded_to_zero,
                         "interactions": rep.num_interactions,
                         "max_rel_error": rep.max_rel_error, "notes": "; ".join(rep.reasons)})
    return pd.DataFrame(rows)


def render(rows: pd.DataFrame) -> str:
    """The rows as a markdown table."""
    lines = ["| K | bits (d+1)K | coupler range (bits) | machine | fits | rounded to 0 | "
             "max rel. error | notes |", "|---|---|---|---|---|---|---|---|"]
    for r in rows.to_dict("records"):
        lines.append(f"| {r['K']} | {r['variables']} | {r['range_bits']:.1f} | {r['machine']} | "
                     f"{'yes' if r['fits'] else 'no'} | {r['rounded_to_zero']:,} / "
                     f"{r['interactions']:,} | {r['max_rel_error']:.2g} | {r['notes'] or '-'} |")
    return "\n".join(lines)


def markdown_table(bits_list: Sequence[int], n_features: int, machines: Sequence,
                   **qubo_kwargs) -> str:
    """One row per (K, machine): fits, why not, rounding to zero, largest relative error."""
    return render(fit_rows(bits_list, n_features, machines, **qubo_kwargs))


@dataclass(frozen=True)
class Options(StudyOptions):
    """K values, head width and machine presets."""

    bits: tuple[int, ...] = option((5, 10, 15, 20), "bits per weight K")
    n_features: int = option(8, "features d of the head")
    machines: tuple[str, ...] = option(DEFAULT_MACHINES, "MachineSpec presets "
                                       "('isingbench machines')")
    embedding_timeout: float = option(20.0, "seconds minorminer may spend per annealer "
                                      "embedding")


def run(options: Options) -> pd.DataFrame:
    """The fit rows of every K on every preset (annealers with the embedding timeout)."""
    from emulators.machine import get_preset

    specs = []
    for name in options.machines:
        spec = get_preset(name)
        if hasattr(spec, "embedding_timeout"):
            spec = dataclasses.replace(spec, embedding_timeout=options.embedding_timeout)
        specs.append(spec)
    return fit_rows(options.bits, options.n_features, specs)


STUDY = Study("layerwise_fit", __doc__.splitlines()[0], Options, run, render)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m suites.studies.layerwise_fit [--bits K ...] [--machines PRESET ...]``."""
    return STUDY.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
