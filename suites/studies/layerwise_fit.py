"""Which machines one class's K-bit layer-wise QUBO fits: a markdown table (issue 8).

One row per (K, machine) from :func:`qubo_bnn.layerwise.fit_check.class_qubo` and each
machine's :class:`~emulators.machine.FitReport`: fits or why not, couplers rounded to zero,
largest relative coefficient error, and the coupler dynamic range
(:func:`~qubo_bnn.layerwise.fit_check.dynamic_range_bits`).
``python -m suites.studies.layerwise_fit --help``.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence

from qubo_bnn.layerwise.fit_check import class_qubo, dynamic_range_bits, resolve_specs

DEFAULT_MACHINES = ("DA1", "DA2", "sb-fpga-2k-int8", "sb-gpu-fp16", "sb-gpu-fp32", "Advantage",
                    "Advantage2")


def markdown_table(bits_list: Sequence[int], n_features: int, machines: Sequence,
                   **qubo_kwargs) -> str:
    """One row per (K, machine): fits, why not, rounding to zero, largest relative error."""
    lines = ["| K | bits (d+1)K | coupler range (bits) | machine | fits | rounded to 0 | "
             "max rel. error | notes |", "|---|---|---|---|---|---|---|---|"]
    resolved = resolve_specs(machines)
    for k in bits_list:
        bqm = class_qubo(k, n_features, **qubo_kwargs).bqm
        span = dynamic_range_bits(bqm)
        for spec in resolved:
            rep = spec.validate(bqm)
            notes = "; ".join(rep.reasons) or "-"
            lines.append(f"| {k} | {bqm.num_variables} | {span:.1f} | {spec.name} | "
                         f"{'yes' if rep.fits else 'no'} | {rep.num_rounded_to_zero:,} / "
                         f"{rep.num_interactions:,} | {rep.max_rel_error:.2g} | {notes} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bits", nargs="+", type=int, default=[5, 10, 15, 20])
    parser.add_argument("--n-features", type=int, default=8)
    parser.add_argument("--machines", nargs="+", default=list(DEFAULT_MACHINES))
    parser.add_argument("--embedding-timeout", type=float, default=20.0,
                        help="seconds minorminer may spend per annealer embedding")
    args = parser.parse_args(argv)
    from emulators.machine import get_preset

    specs = []
    for name in args.machines:
        spec = get_preset(name)
        if hasattr(spec, "embedding_timeout"):
            spec = dataclasses.replace(spec, embedding_timeout=args.embedding_timeout)
        specs.append(spec)
    print(markdown_table(args.bits, args.n_features, specs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
