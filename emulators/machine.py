"""What a machine can hold: capacity, coefficient precision and ranges, connectivity, clock.

A :class:`MachineSpec` answers two questions about a model before any sampling:

* :meth:`MachineSpec.quantise` — the model as the machine would store it;
* :meth:`MachineSpec.validate` — a :class:`FitReport`: does it fit, and what did storing it
  cost (scale factor, rounding and clipping errors, and for small models whether the ground
  state survives).

Scaling rule (one global factor, as the machines' automatic scaling does)
-----------------------------------------------------------------------
Coefficients are first written in the machine's native form (``spec.vartype``: QUBO for the
Digital Annealer, Ising for SB machines and annealers). Each coefficient class (couplers,
biases) has a largest representable magnitude ``M`` and a grid step ``q``:

* ``b`` signed bits, no range: the integer grid ``{-(2^(b-1)-1), ..., 2^(b-1)-1}``, so
  ``M = 2^(b-1) - 1`` and ``q = 1`` (symmetric: the most negative code is not used);
* a range ``[lo, hi]`` and no bits: continuous values (``q = 0``) inside the range;
* both: the range divided into ``2^(b-1) - 1`` steps each side,
  ``q = max(|lo|, |hi|) / (2^(b-1) - 1)``;
* a floating-point storage type (``float16``/``bfloat16``/``float32``): values are rounded to
  that type after scaling.

The one factor ``c`` is the largest that keeps every scaled coefficient inside its class's
range, i.e. ``c = min(M_J / max|J|, M_h / max|h|)`` (taken separately for positive and
negative values when a range is asymmetric). Each coefficient becomes ``q * round(c * v / q)``
and the offset ``c * offset``. So ``E_stored(x) ~= c * E(x)``, the error of each stored
coefficient is at most ``q / 2`` in machine units, i.e. ``q / (2c)`` in model units.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import dimod
import networkx as nx
import numpy as np

from emulators._core.arrays import ising_arrays

__all__ = [
    "EXACT_LIMIT",
    "all_presets",
    "ClockModel",
    "FitReport",
    "MachineSpec",
    "PRESETS",
    "QuantisedModel",
    "get_preset",
    "ground_states",
    "register_lazy_preset",
    "register_preset",
]

#: Models with at most this many variables get the exact ground-state survival check.
EXACT_LIMIT = 16
_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")


@dataclass(frozen=True)
class ClockModel:
    """Modelled hardware time of one call (a model, never a measurement).

    ``seconds(steps, reads, n) = per_call + ceil(reads / parallel_reads) * (per_read(n) +
    steps * (per_step + n * per_spin_step + n**2 * per_coupling_step))``:

    * ``seconds_per_step`` suits hardware whose step time does not depend on the model size
      (a fixed-size FPGA array, the Digital Annealer's parallel trial);
    * ``seconds_per_spin_step`` hardware whose step work grows with the number of spins;
    * ``seconds_per_coupling_step`` hardware whose step is a dense ``N x N`` matrix-vector
      product (simulated bifurcation on a GPU: ``1 / R`` for a rate of ``R`` multiply-adds
      per second);
    * ``parallel_reads`` reads (agents, runs) share one batch of steps, so a call runs
      ``ceil(reads / parallel_reads)`` batches one after another;
    * ``per_read(n) = seconds_per_read`` plus, when ``read_curve`` is given, a per-read time
      that depends on the number of variables read: ``read_curve`` holds ``(log10 n, log10
      seconds)`` points, interpolated linearly in log-log and held flat beyond the ends (how
      D-Wave's timing model gives readout time against qubits read).

    ``num_variables=None`` (not known) counts the spin and coupling terms as 0 and reads the
    curve at its last point. ``source`` names where the numbers come from (``"fitted to
    ..."`` or ``"assumption: ..."``, see :mod:`emulators.calibration`); ``assumption`` says
    what is assumed beyond the published figures.
    """

    seconds_per_step: float = 0.0
    seconds_per_read: float = 0.0
    seconds_per_call: float = 0.0
    parallel_reads: int = 1
    seconds_per_spin_step: float = 0.0
    assumption: str = ""
    seconds_per_coupling_step: float = 0.0
    read_curve: tuple[tuple[float, float], ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("seconds_per_step", "seconds_per_read", "seconds_per_call",
                     "seconds_per_spin_step", "seconds_per_coupling_step"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if isinstance(self.parallel_reads, bool) or not isinstance(self.parallel_reads, int) \
                or self.parallel_reads < 1:
            raise ValueError(f"parallel_reads must be an integer >= 1, got "
                             f"{self.parallel_reads!r}")
        curve = tuple((float(x), float(y)) for x, y in self.read_curve)
        if curve and any(b[0] <= a[0] for a, b in itertools.pairwise(curve)):
            raise ValueError("read_curve needs (log10 n, log10 seconds) points with rising n")
        object.__setattr__(self, "read_curve", curve)

    def step_seconds(self, num_variables: int | None = None) -> float:
        """Time of one step of one batch of reads."""
        n = num_variables or 0
        return (self.seconds_per_step + n * self.seconds_per_spin_step
                + n * n * self.seconds_per_coupling_step)

    def read_seconds(self, num_variables: int | None = None) -> float:
        """Per-read overhead (readout, delay) outside the steps."""
        if not self.read_curve:
            return self.seconds_per_read
        xs, ys = zip(*self.read_curve, strict=True)
        x = xs[-1] if num_variables is None else math.log10(max(1, num_variables))
        return self.seconds_per_read + 10.0 ** float(np.interp(x, xs, ys))

    def formula(self) -> str:
        """The model written out with its numbers, e.g. for ``isingbench machines``."""
        step = [f"{_si(self.seconds_per_step)}"] if self.seconds_per_step else []
        step += [f"N x {_si(self.seconds_per_spin_step)}"] if self.seconds_per_spin_step else []
        step += [f"N^2 x {self.seconds_per_coupling_step:.4g} s"] \
            if self.seconds_per_coupling_step else []
        read = [_si(self.seconds_per_read)] if self.seconds_per_read else []
        read += ["readout(N)"] if self.read_curve else []
        batch = " + ".join(read + [f"steps x ({' + '.join(step) or '0'})"])
        head = f"{_si(self.seconds_per_call)} + " if self.seconds_per_call else ""
        reads = "reads" if self.parallel_reads == 1 else f"ceil(reads / {self.parallel_reads})"
        return f"{head}{reads} x ({batch})"

    def seconds(self, steps: float, num_reads: int, num_variables: int | None = None) -> float:
        """Modelled seconds of a call that runs ``num_reads`` reads of ``steps`` steps each."""
        batches = math.ceil(num_reads / self.parallel_reads)
        return self.seconds_per_call + batches * (self.read_seconds(num_variables)
                                                  + steps * self.step_seconds(num_variables))


def _si(seconds: float) -> str:
    """Seconds with an SI prefix (``2.24 us``)."""
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us")):
        if seconds >= scale:
            return f"{seconds / scale:.4g} {unit}"
    return f"{seconds * 1e9:.4g} ns"


@dataclass
class QuantisedModel:
    """A model as the machine stores it (``bqm``), with ``E_stored ~= scale * E``."""

    bqm: dimod.BinaryQuadraticModel
    scale: float
    exact: bool
    max_abs_error: float
    max_rel_error: float
    num_rounded_to_zero: int
    num_clipped: int


@dataclass
class FitReport:
    """Whether a model fits a machine, and what storing it costs.

    Errors are in the model's own units (``max_abs_error``) and relative to its largest
    coefficient magnitude (``max_rel_error``). ``ground_state_survives`` is ``None`` when the
    model is too large to solve exactly; otherwise True iff every ground state of the stored
    model is a ground state of the original one (``ground_state_gap`` is how much worse, in
    the original energy, the worst stored ground state is). ``clock_source`` is the
    machine's ``clock.source``: where the modelled times of a run come from.
    """

    machine: str
    num_variables: int
    num_interactions: int
    capacity: int | None
    fits_capacity: bool
    fits_connectivity: bool
    scale: float
    max_abs_error: float
    max_rel_error: float
    num_rounded_to_zero: int
    num_clipped: int
    ground_state_survives: bool | None = None
    ground_state_gap: float | None = None
    reasons: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    clock_source: str = ""

    @property
    def fits(self) -> bool:
        return self.fits_capacity and self.fits_connectivity

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["fits"] = self.fits
        return out

    def __str__(self) -> str:
        lines = [f"FitReport for {self.machine}: {'fits' if self.fits else 'does NOT fit'}"]
        lines += [f"  - {reason}" for reason in self.reasons]
        cap = "unlimited" if self.capacity is None else f"{self.capacity:,}"
        lines.append(f"  variables {self.num_variables:,} (capacity {cap}), "
                     f"interactions {self.num_interactions:,}")
        lines.append(f"  scale factor {self.scale:.6g}; max abs error {self.max_abs_error:.3g} "
                     f"(relative {self.max_rel_error:.3g}); rounded to zero "
                     f"{self.num_rounded_to_zero}; clipped {self.num_clipped}")
        if self.ground_state_survives is not None:
            gap = "" if not self.ground_state_gap else f" (gap {self.ground_state_gap:.6g})"
            lines.append(f"  ground state survives quantisation: "
                         f"{'yes' if self.ground_state_survives else 'no'}{gap}")
        for key, value in self.extra.items():
            lines.append(f"  {key}: {value}")
        return "\n".join(lines)


def _bits_or_none(name: str, bits: int | None) -> int | None:
    if bits is None:
        return None
    if isinstance(bits, bool) or not isinstance(bits, int) or bits < 2:
        raise ValueError(
            f"{name} must be an integer >= 2 (sign bit included) or None, got {bits!r}"
        )
    return bits


def _range_or_none(name: str, rng: tuple[float, float] | None) -> tuple[float, float] | None:
    if rng is None:
        return None
    lo, hi = (float(v) for v in rng)
    if not (lo < 0 < hi):
        raise ValueError(f"{name} must be (lo, hi) with lo < 0 < hi, got {rng!r}")
    return lo, hi


@dataclass(frozen=True)
class _Grid:
    """Representable values of one coefficient class (see the module docstring)."""

    lo: float
    hi: float
    step: float
    dtype: str | None

    @classmethod
    def make(cls, bits: int | None, rng: tuple[float, float] | None, dtype: str | None) -> _Grid:
        if rng is None and bits is None:
            return cls(-math.inf, math.inf, 0.0, dtype)
        if rng is None:
            top = float(2 ** (bits - 1) - 1)
            return cls(-top, top, 1.0, dtype)
        step = 0.0 if bits is None else max(-rng[0], rng[1]) / (2 ** (bits - 1) - 1)
        return cls(rng[0], rng[1], step, dtype)

    @property
    def exact(self) -> bool:
        return math.isinf(self.hi) and self.step == 0.0 and self.dtype in (None, "float64")

    def max_scale(self, values: np.ndarray) -> float:
        """Largest factor keeping ``values * factor`` inside ``[lo, hi]``."""
        limit = math.inf
        pos, neg = values[values > 0], values[values < 0]
        if len(pos) and math.isfinite(self.hi):
            limit = min(limit, self.hi / pos.max())
        if len(neg) and math.isfinite(self.lo):
            limit = min(limit, self.lo / neg.min())
        return limit

    def store(self, scaled: np.ndarray) -> tuple[np.ndarray, int]:
        """Round and clip scaled values; returns ``(stored, number clipped)``."""
        slack = 1e-9 * max(1.0, abs(self.lo), abs(self.hi)) if math.isfinite(self.hi) else 0.0
        clipped = (scaled > self.hi + slack) | (scaled < self.lo - slack)
        out = np.clip(scaled, self.lo, self.hi)
        if self.step > 0:
            out = self.step * np.round(out / self.step)
        if self.dtype is not None:
            out = _round_to_float(out, self.dtype)
        return out, int(clipped.sum())


def _round_to_float(values: np.ndarray, dtype: str) -> np.ndarray:
    """Round float64 values to a narrower float type (bfloat16 by mantissa rounding)."""
    if dtype == "float64":
        return values
    if dtype in ("float16", "float32"):
        return values.astype(dtype).astype(np.float64)
    as32 = values.astype(np.float32).view(np.uint32)
    rounding = ((as32 >> 16) & 1) + np.uint32(0x7FFF)  # round half to even
    return ((as32 + rounding) & np.uint32(0xFFFF0000)).view(np.float32).astype(np.float64)


@dataclass(frozen=True)
class MachineSpec:
    """A machine's limits (see the module docstring for the scaling rule).

    Parameters
    ----------
    name: preset or user name.
    capacity: most variables it holds (``None``: unlimited).
    coupler_bits, bias_bits: signed fixed-point bits (sign included) or ``None`` (exact).
    coupler_range, bias_range: ``(lo, hi)`` ranges of stored values, or ``None``.
    coefficient_dtype: floating storage of coefficients (``"float16"``, ``"bfloat16"``,
        ``"float32"``) or ``None``.
    vartype: the form the machine stores (``dimod.BINARY`` = QUBO, ``dimod.SPIN`` = Ising).
    graph: hardware graph (``None``: fully connected).
    clock: the clock model for ``modelled_hardware_s``.
    notes: where the numbers come from, and which are assumptions.
    """

    name: str
    capacity: int | None = None
    coupler_bits: int | None = None
    bias_bits: int | None = None
    coupler_range: tuple[float, float] | None = None
    bias_range: tuple[float, float] | None = None
    coefficient_dtype: str | None = None
    vartype: dimod.Vartype = dimod.SPIN
    graph: nx.Graph | None = None
    clock: ClockModel = field(default_factory=ClockModel)
    notes: str = ""

    def __post_init__(self) -> None:
        if self.capacity is not None and (not isinstance(self.capacity, int) or self.capacity < 1):
            raise ValueError(f"capacity must be a positive integer or None, got {self.capacity!r}")
        _bits_or_none("coupler_bits", self.coupler_bits)
        _bits_or_none("bias_bits", self.bias_bits)
        object.__setattr__(self, "coupler_range", _range_or_none("coupler_range",
                                                                 self.coupler_range))
        object.__setattr__(self, "bias_range", _range_or_none("bias_range", self.bias_range))
        if self.coefficient_dtype not in (None, *_FLOAT_TYPES):
            raise ValueError(f"coefficient_dtype must be one of {_FLOAT_TYPES} or None, got "
                             f"{self.coefficient_dtype!r}")
        object.__setattr__(self, "vartype", dimod.as_vartype(self.vartype))

    # ------------------------------------------------------------------ description
    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly description."""
        graph = None if self.graph is None else {
            "name": self.graph.graph.get("family", "custom"),
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
        }
        return {
            "name": self.name,
            "capacity": self.capacity,
            "coupler_bits": self.coupler_bits,
            "bias_bits": self.bias_bits,
            "coupler_range": self.coupler_range,
            "bias_range": self.bias_range,
            "coefficient_dtype": self.coefficient_dtype,
            "vartype": self.vartype.name,
            "connectivity": "complete" if graph is None else graph,
            "clock": asdict(self.clock),
            "notes": self.notes,
        }

    def _grids(self) -> tuple[_Grid, _Grid]:
        return (_Grid.make(self.coupler_bits, self.coupler_range, self.coefficient_dtype),
                _Grid.make(self.bias_bits, self.bias_range, self.coefficient_dtype))

    # ------------------------------------------------------------------ quantisation
    def quantise(self, bqm: dimod.BinaryQuadraticModel, scale: float | None = None
                 ) -> QuantisedModel:
        """The model as this machine stores it (in ``spec.vartype``).

        ``scale`` fixes the global factor instead of choosing the largest that fits (values
        outside the ranges are then clipped and counted).
        """
        native = bqm.change_vartype(self.vartype, inplace=False)
        labels = list(native.variables)
        h, (rows, cols, j), offset = native.to_numpy_vectors(variable_order=labels)
        h = np.asarray(h, dtype=np.float64)
        j = np.asarray(j, dtype=np.float64)
        j_grid, h_grid = self._grids()
        if j_grid.exact and h_grid.exact and scale is None:
            return QuantisedModel(native, 1.0, True, 0.0, 0.0, 0, 0)
        if scale is None:
            scale = min(j_grid.max_scale(j), h_grid.max_scale(h))
            if not math.isfinite(scale) or scale <= 0:
                scale = 1.0
        scale = float(scale)
        j_stored, j_clipped = j_grid.store(j * scale)
        h_stored, h_clipped = h_grid.store(h * scale)
        errors = np.abs(np.concatenate([j_stored / scale - j, h_stored / scale - h]))
        magnitude = max(np.abs(j).max(initial=0.0), np.abs(h).max(initial=0.0))
        zeroed = int(((j != 0) & (j_stored == 0)).sum() + ((h != 0) & (h_stored == 0)).sum())
        stored = dimod.BinaryQuadraticModel.from_numpy_vectors(
            h_stored, (rows, cols, j_stored), offset * scale, self.vartype,
            variable_order=labels,
        )
        max_abs = float(errors.max(initial=0.0))
        return QuantisedModel(
            bqm=stored,
            scale=scale,
            exact=max_abs == 0.0 and scale == 1.0,
            max_abs_error=max_abs,
            max_rel_error=max_abs / magnitude if magnitude else 0.0,
            num_rounded_to_zero=zeroed,
            num_clipped=j_clipped + h_clipped,
        )

    # ------------------------------------------------------------------ fit
    def validate(self, bqm: dimod.BinaryQuadraticModel, exact_limit: int = EXACT_LIMIT
                 ) -> FitReport:
        """A :class:`FitReport` of ``bqm`` on this machine."""
        quantised = self.quantise(bqm)
        n = bqm.num_variables
        reasons = []
        fits_capacity = self.capacity is None or n <= self.capacity
        if not fits_capacity:
            reasons.append(f"{n:,} variables exceed the capacity of {self.capacity:,} by "
                           f"{n - self.capacity:,}")
        fits_connectivity = True
        if self.graph is not None:
            missing = [(u, v) for u, v in bqm.quadratic if not self.graph.has_edge(u, v)]
            absent = [v for v in bqm.variables if v not in self.graph]
            if absent or missing:
                fits_connectivity = False
                reasons.append(f"not native to the hardware graph ({len(absent)} absent nodes, "
                               f"{len(missing)} absent couplers): a minor embedding is needed")
        if quantised.num_clipped:
            reasons.append(f"{quantised.num_clipped} coefficients clipped to the range")
        if quantised.num_rounded_to_zero:
            reasons.append(f"{quantised.num_rounded_to_zero} non-zero coefficients rounded to 0")
        survives = gap = None
        if n <= exact_limit and not quantised.exact:
            survives, gap = _ground_state_survives(bqm, quantised.bqm)
            if not survives:
                reasons.append("the stored model's ground state is not the original's")
        return FitReport(
            machine=self.name,
            num_variables=n,
            num_interactions=bqm.num_interactions,
            capacity=self.capacity,
            fits_capacity=fits_capacity,
            fits_connectivity=fits_connectivity,
            scale=quantised.scale,
            max_abs_error=quantised.max_abs_error,
            max_rel_error=quantised.max_rel_error,
            num_rounded_to_zero=quantised.num_rounded_to_zero,
            num_clipped=quantised.num_clipped,
            ground_state_survives=True if n <= exact_limit and quantised.exact else survives,
            ground_state_gap=0.0 if n <= exact_limit and quantised.exact else gap,
            reasons=reasons,
            clock_source=self.clock.source,
        )


# --------------------------------------------------------------------------- exact solving
def _all_spin_states(n: int, chunk: int = 1 << 16):
    """Yield all ``2^n`` spin states in chunks, as ``(k, n)`` float arrays."""
    powers = 1 << np.arange(n, dtype=np.int64)
    for start in range(0, 1 << n, chunk):
        idx = np.arange(start, min(start + chunk, 1 << n), dtype=np.int64)
        yield (2 * ((idx[:, None] & powers) > 0) - 1).astype(np.float64)


def ground_states(bqm: dimod.BinaryQuadraticModel, atol: float = 1e-9
                  ) -> tuple[float, np.ndarray, list]:
    """Exact minimum energy and all minimising spin states of a small model (brute force).

    Returns ``(energy, states, labels)`` with ``states`` a ``(k, n)`` int8 spin array.
    """
    if bqm.num_variables > 26:
        raise ValueError(f"exact enumeration is limited to 26 variables, got {bqm.num_variables}")
    arrays = ising_arrays(bqm, layout="dense")
    best, found = math.inf, []
    tol = atol * max(1.0, float(np.abs(arrays.h).max(initial=0) + np.abs(arrays.dense).sum()))
    for states in _all_spin_states(arrays.num_variables):
        energies = arrays.energies(states)
        low = energies.min()
        if low < best - tol:
            best, found = low, [states[energies <= low + tol]]
        elif low <= best + tol:
            found.append(states[energies <= best + tol])
    return float(best), np.concatenate(found).astype(np.int8), arrays.labels


def _ground_state_survives(original: dimod.BinaryQuadraticModel,
                           stored: dimod.BinaryQuadraticModel) -> tuple[bool, float]:
    e_min, _, _ = ground_states(original)
    _, stored_states, labels = ground_states(stored)
    spin = original.change_vartype(dimod.SPIN, inplace=False)
    worst = float(spin.energies((stored_states, labels)).max())
    tol = 1e-9 * max(1.0, abs(e_min))
    return worst <= e_min + tol, max(0.0, worst - e_min)


# --------------------------------------------------------------------------- presets
#: Presets by lower-case name and alias (lazy presets appear once built).
PRESETS: dict[str, MachineSpec] = {}
#: Presets built on first use (e.g. those with a large hardware graph), by lower-case key.
_LAZY: dict[str, Callable[[], MachineSpec]] = {}
_PACKAGES = ("emulators.annealing", "emulators.digital_annealer", "emulators.bifurcation",
             "emulators.quantum_annealer")


def register_preset(spec: MachineSpec, *aliases: str) -> MachineSpec:
    """Make ``spec`` available by its name (and aliases) through :func:`get_preset`."""
    for key in itertools.chain([spec.name], aliases):
        PRESETS[key.lower()] = spec
    return spec


def register_lazy_preset(name: str, build: Callable[[], MachineSpec], *aliases: str) -> None:
    """Make the spec ``build()`` returns available as ``name`` (and aliases), built once, on
    the first :func:`get_preset` that asks for it."""
    once = functools.cache(build)
    for key in itertools.chain([name], aliases):
        _LAZY[key.lower()] = once


def get_preset(name: str) -> MachineSpec:
    """The preset called ``name`` (case-insensitive)."""
    _import_packages()
    key = name.lower()
    if key not in PRESETS and key in _LAZY:
        _build(key)
    try:
        return PRESETS[key]
    except KeyError:
        raise ValueError(f"unknown machine spec {name!r}; known: "
                         f"{', '.join(sorted(set(PRESETS) | set(_LAZY)))}") from None


def _build(key: str) -> None:
    build = _LAZY[key]
    spec = build()
    for alias, other in _LAZY.items():
        if other is build:
            PRESETS[alias] = spec


def all_presets() -> dict[str, MachineSpec]:
    """Every preset by name and alias, the lazy ones built (for listings such as
    ``isingbench machines``)."""
    _import_packages()
    for key in list(_LAZY):
        if key not in PRESETS:
            _build(key)
    return dict(PRESETS)


def _import_packages() -> None:
    """Import the emulator packages, which register their presets on import."""
    for module in _PACKAGES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
