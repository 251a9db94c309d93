"""Shared plumbing for every emulator sampler.

One job per piece:

* :func:`validate_bqm` and the ``check_*`` helpers validate input at the public boundary, so
  no bad array ever reaches a kernel;
* :func:`ising_arrays` turns a model into spin-form arrays (dense or CSR, chosen by density);
* :func:`make_rng` / :func:`kernel_seeds` give reproducible randomness from one seed;
* :class:`Stopwatch` times the phases under the keys DESIGN.md lists;
* :class:`Trace` and :func:`run_chunked` record best-so-far energies per read against steps
  and wall-clock seconds;
* :func:`build_sampleset` assembles a :class:`dimod.SampleSet` whose energies are those of
  the *original* model;
* :class:`EmulatorSampler` is the thin base class that strings these together, so that each
  machine only writes its kernel call (``_sample_arrays``).

Energy convention (spin form): ``E(s) = offset + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j``.
The local field is ``f_i = h_i + sum_j J_ij s_j`` and flipping spin ``i`` changes the energy by
``-2 s_i f_i``.
"""

from __future__ import annotations

import math
import numbers
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dimod
import numpy as np
import scipy.sparse as sp

__all__ = [
    "DENSITY_THRESHOLD",
    "array_module",
    "as_spin",
    "EmulatorSampler",
    "IsingArrays",
    "KernelResult",
    "Stopwatch",
    "Trace",
    "build_sampleset",
    "check_choice",
    "check_positive_float",
    "check_positive_int",
    "check_unknown_kwargs",
    "ising_arrays",
    "kernel_seeds",
    "make_rng",
    "parse_initial_states",
    "require_cupy",
    "run_chunked",
    "validate_bqm",
]

#: Above this fraction of the possible couplers a model is stored densely.
DENSITY_THRESHOLD = 0.1
#: Models with at most this many variables are always stored densely.
SMALL_MODEL = 64


# --------------------------------------------------------------------------- validation
def validate_bqm(bqm: Any, name: str = "bqm") -> dimod.BinaryQuadraticModel:
    """Check that ``bqm`` is a non-empty binary quadratic model with finite coefficients.

    Raises
    ------
    TypeError
        ``bqm`` is not a :class:`dimod.BinaryQuadraticModel` (or a quadratic model with
        variables other than SPIN/BINARY).
    ValueError
        The model has no variables, or a coefficient (linear, quadratic or offset) is NaN/inf.
    """
    if isinstance(bqm, dimod.QuadraticModel) and not isinstance(bqm, dimod.BQM):
        vartypes = {bqm.vartype(v) for v in bqm.variables}
        if vartypes - {dimod.SPIN, dimod.BINARY}:
            raise TypeError(
                f"{name} has INTEGER or REAL variables; emulators take binary or spin models "
                "(dimod.BinaryQuadraticModel)"
            )
        raise TypeError(f"{name} is a dimod.QuadraticModel; convert it with dimod.BQM(qm)")
    if not isinstance(bqm, dimod.BinaryQuadraticModel):
        raise TypeError(
            f"{name} must be a dimod.BinaryQuadraticModel, got {type(bqm).__name__}; build one "
            "with dimod.BQM.from_qubo(Q) or dimod.BQM.from_ising(h, J)"
        )
    if bqm.vartype not in (dimod.SPIN, dimod.BINARY):
        raise TypeError(f"{name} has vartype {bqm.vartype}; expected SPIN or BINARY")
    if bqm.num_variables == 0:
        raise ValueError(f"{name} has no variables; there is nothing to sample")
    linear, (_, _, quad), offset = bqm.to_numpy_vectors()
    for part, values in (("linear", linear), ("quadratic", quad)):
        bad = ~np.isfinite(values)
        if bad.any():
            raise ValueError(
                f"{name} has {int(bad.sum())} non-finite {part} coefficient(s) (NaN or inf)"
            )
    if not math.isfinite(float(offset)):
        raise ValueError(f"{name} has a non-finite offset ({offset})")
    return bqm


def check_unknown_kwargs(owner: str, kwargs: Mapping[str, Any], known: Mapping | set) -> None:
    """Raise ``TypeError`` naming every keyword of ``kwargs`` that is not in ``known``."""
    unknown = sorted(set(kwargs) - set(known))
    if unknown:
        raise TypeError(
            f"{owner}.sample() got unknown keyword argument(s) {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(sorted(known))}"
        )


def check_positive_int(name: str, value: Any, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an int in ``[minimum, maximum]`` or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def check_positive_float(
    name: str, value: Any, *, allow_zero: bool = False, maximum: float | None = None
) -> float:
    """Return ``value`` as a finite float > 0 (or >= 0) or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number {'>=' if allow_zero else '>'} 0, "
                         f"got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_choice(name: str, value: Any, choices: tuple[str, ...] | list[str]) -> str:
    """Return ``value`` if it is one of ``choices`` or raise a ``ValueError`` listing them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


# --------------------------------------------------------------------------- model arrays
@dataclass(frozen=True)
class IsingArrays:
    """A model in spin form as arrays.

    Exactly one of ``dense`` (an ``(n, n)`` symmetric matrix with zero diagonal) and the CSR
    triple ``indptr``/``indices``/``data`` (both directions of each coupler) is set.
    """

    labels: list
    h: np.ndarray
    offset: float
    dense: np.ndarray | None = None
    indptr: np.ndarray | None = None
    indices: np.ndarray | None = None
    data: np.ndarray | None = None

    @property
    def num_variables(self) -> int:
        return len(self.labels)

    @property
    def is_dense(self) -> bool:
        return self.dense is not None

    @property
    def num_interactions(self) -> int:
        if self.dense is not None:
            return int(np.count_nonzero(np.triu(self.dense, 1)))
        return int(len(self.data) // 2)

    def coupling_matrix(self) -> np.ndarray | sp.csr_matrix:
        """The coupling matrix J (dense array or CSR matrix)."""
        if self.dense is not None:
            return self.dense
        n = self.num_variables
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(n, n))

    def to_dense(self) -> np.ndarray:
        """The coupling matrix as a dense array."""
        if self.dense is not None:
            return self.dense
        return self.coupling_matrix().toarray()

    def local_fields(self, spins: np.ndarray) -> np.ndarray:
        """Local fields ``h + J s`` for every row of ``spins`` (shape ``(reads, n)``)."""
        s = np.asarray(spins, dtype=np.float64)
        return self.h + np.asarray(self.coupling_matrix() @ s.T).T

    def energies(self, spins: np.ndarray) -> np.ndarray:
        """Energies of the rows of ``spins`` on this model."""
        s = np.atleast_2d(np.asarray(spins, dtype=np.float64))
        js = np.asarray(self.coupling_matrix() @ s.T).T
        return self.offset + s @ self.h + 0.5 * np.einsum("ij,ij->i", s, js)


def as_spin(bqm: dimod.BinaryQuadraticModel) -> dimod.BinaryQuadraticModel:
    """``bqm`` in SPIN form: itself if it is already, else a copy (converted in C, unlike the
    coupler-by-coupler ``bqm.spin`` view)."""
    return bqm if bqm.vartype is dimod.SPIN else bqm.change_vartype(dimod.SPIN, inplace=False)


def ising_arrays(
    bqm: dimod.BinaryQuadraticModel,
    layout: str = "auto",
    density_threshold: float = DENSITY_THRESHOLD,
) -> IsingArrays:
    """Convert ``bqm`` (SPIN or BINARY) into spin-form :class:`IsingArrays`.

    ``layout`` is ``"dense"``, ``"sparse"`` or ``"auto"`` (dense when the model has at most
    64 variables or more than ``density_threshold`` of all possible couplers).
    """
    check_choice("layout", layout, ("auto", "dense", "sparse"))
    spin = as_spin(bqm)
    labels = list(spin.variables)
    n = len(labels)
    h, (rows, cols, vals), offset = spin.to_numpy_vectors(variable_order=labels)
    h = np.ascontiguousarray(h, dtype=np.float64)
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    vals = np.asarray(vals, dtype=np.float64)
    possible = n * (n - 1) / 2
    density = len(vals) / possible if possible else 1.0
    if layout == "auto":
        layout = "dense" if n <= SMALL_MODEL or density > density_threshold else "sparse"
    if layout == "dense":
        dense = np.zeros((n, n), dtype=np.float64)
        dense[rows, cols] = vals  # a BQM holds each pair once, so plain assignment is exact
        dense[cols, rows] = vals
        return IsingArrays(labels, h, float(offset), dense=dense)
    both_r = np.concatenate([rows, cols])
    both_c = np.concatenate([cols, rows])
    both_v = np.concatenate([vals, vals])
    csr = sp.csr_matrix((both_v, (both_r, both_c)), shape=(n, n))
    csr.sum_duplicates()
    csr.sort_indices()
    return IsingArrays(
        labels,
        h,
        float(offset),
        indptr=csr.indptr.astype(np.int64),
        indices=csr.indices.astype(np.int64),
        data=csr.data.astype(np.float64),
    )


# --------------------------------------------------------------------------- randomness
def make_rng(seed: Any) -> tuple[np.random.Generator, int]:
    """Return ``(generator, seed)``; ``seed=None`` draws a fresh seed and reports it."""
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)
    seed = check_positive_int("seed", seed, minimum=0, maximum=2**63 - 1)
    return np.random.default_rng(seed), seed


def kernel_seeds(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` independent 63-bit seeds for kernels (one per read/run/thread)."""
    return rng.integers(0, 2**63 - 1, size=count, dtype=np.int64)


def parse_initial_states(
    initial_states: Any,
    bqm: dimod.BinaryQuadraticModel,
    labels: list,
    num_reads: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return a ``(num_reads, n)`` int8 spin array of start states.

    ``initial_states`` may be ``None`` (uniformly random spins), anything
    :func:`dimod.as_samples` accepts (in the model's vartype), or a SampleSet. An unlabelled
    array (``(reads, n)`` or ``(n,)``) is read in the model's variable order. Fewer states
    than reads are tiled in order; more are refused.
    """
    n = len(labels)
    if initial_states is None:
        return (2 * rng.integers(0, 2, size=(num_reads, n), dtype=np.int8) - 1).astype(np.int8)
    if isinstance(initial_states, np.ndarray | list):
        try:
            plain = np.asarray(initial_states)
        except ValueError as exc:
            raise TypeError(f"initial_states could not be read as samples: {exc}") from exc
        if plain.dtype != object and plain.ndim in (1, 2):
            plain = np.atleast_2d(plain)
            if plain.shape[1] != n:
                raise ValueError(f"initial_states has {plain.shape[1]} columns but the model "
                                 f"has {n} variables")
            initial_states = (plain, labels)
    try:
        arr, state_labels = dimod.as_samples(initial_states, labels_type=list)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"initial_states could not be read as samples: {exc}") from exc
    if set(state_labels) != set(labels):
        missing = set(labels) - set(state_labels)
        extra = set(state_labels) - set(labels)
        raise ValueError(
            f"initial_states must give every variable of the model and no others "
            f"(missing {sorted(map(repr, missing))[:5]}, unknown {sorted(map(repr, extra))[:5]})"
        )
    order = [state_labels.index(v) for v in labels] if state_labels != labels else slice(None)
    arr = np.asarray(arr)[:, order]
    allowed = (0, 1) if bqm.vartype is dimod.BINARY else (-1, 1)
    if not np.isin(arr, allowed).all():
        raise ValueError(f"initial_states must hold only {allowed} values for a {bqm.vartype.name} "
                         "model")
    if len(arr) > num_reads:
        raise ValueError(f"initial_states has {len(arr)} states but num_reads is {num_reads}")
    spins = arr.astype(np.int8) if bqm.vartype is dimod.SPIN else (2 * arr - 1).astype(np.int8)
    reps = -(-num_reads // len(spins))
    return np.ascontiguousarray(np.tile(spins, (reps, 1))[:num_reads])


# --------------------------------------------------------------------------- GPU
def require_cupy() -> Any:
    """Return the cupy module, or raise ``RuntimeError`` saying what is missing."""
    try:
        import cupy  # noqa: PLC0415 - optional dependency
    except ImportError as exc:
        raise RuntimeError(
            "backend='gpu' needs cupy, which is not installed; install the 'gpu' extra "
            "(pip install 'isingbench[gpu]') on a machine with a CUDA GPU, or use backend='cpu'"
        ) from exc
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # noqa: BLE001 - cupy raises its own CUDA error types
        raise RuntimeError(f"backend='gpu' needs a CUDA device, but CUDA reports: {exc}") from exc
    if count < 1:
        raise RuntimeError("backend='gpu' needs a CUDA device, but none was found")
    return cupy


def array_module(backend: str) -> Any:
    """The array module for ``backend``: numpy for ``"cpu"``, cupy (checked) for ``"gpu"``."""
    return np if backend == "cpu" else require_cupy()


# --------------------------------------------------------------------------- timing
class Stopwatch:
    """Wall-clock timer for the phases of one call, in nanoseconds.

    ``with watch.section("sampling", sync=cupy_sync): ...`` — ``sync`` (if given) is called
    before the clock stops, so GPU work is counted in full.
    """

    def __init__(self) -> None:
        self.ns: dict[str, int] = {}

    @contextmanager
    def section(self, name: str, sync: Callable[[], None] | None = None) -> Iterator[None]:
        start = time.perf_counter_ns()
        try:
            yield
        finally:
            if sync is not None:
                sync()
            self.ns[f"{name}_ns"] = self.ns.get(f"{name}_ns", 0) + time.perf_counter_ns() - start

    def timing(self, modelled_hardware_s: float | None) -> dict[str, float]:
        """The ``info["timing"]`` dict (DESIGN.md section 2)."""
        out: dict[str, float] = {
            key: self.ns.get(key, 0)
            for key in ("preprocessing_ns", "sampling_ns", "postprocessing_ns")
        }
        out["modelled_hardware_s"] = (
            float("nan") if modelled_hardware_s is None else float(modelled_hardware_s)
        )
        return out


# --------------------------------------------------------------------------- traces
@dataclass
class Trace:
    """Best-so-far energy per read at checkpoints.

    ``step[k]`` sweeps/steps and ``seconds[k]`` wall seconds had elapsed at checkpoint ``k``;
    ``best_energy[r, k]`` is the lowest energy read ``r`` had seen by then.
    """

    step: np.ndarray
    seconds: np.ndarray
    best_energy: np.ndarray

    def to_dict(self) -> dict[str, np.ndarray]:
        return {"step": self.step, "seconds": self.seconds, "best_energy": self.best_energy}

    def rescaled(self, scale: float, offset: float = 0.0) -> Trace:
        """The trace with energies mapped by ``E / scale + offset`` (undo quantiser scaling)."""
        return Trace(self.step, self.seconds, self.best_energy / scale + offset)


def run_chunked(
    advance: Callable[[int, int], np.ndarray],
    total_steps: int,
    num_checkpoints: int = 64,
    record: bool = True,
    sync: Callable[[], None] | None = None,
) -> Trace | None:
    """Run ``advance(start, stop)`` over ``[0, total_steps)`` in chunks and trace it.

    ``advance`` runs steps ``start..stop-1`` of a kernel whose state lives outside and returns
    the best-so-far energy of each read (a ``(reads,)`` array). With ``record=False`` the
    whole range runs in one call and ``None`` is returned.
    """
    if not record:
        advance(0, total_steps)
        if sync is not None:
            sync()
        return None
    bounds = np.unique(np.linspace(0, total_steps, min(num_checkpoints, total_steps) + 1)
                       .round().astype(np.int64))
    steps, seconds, best = [], [], []
    start = time.perf_counter()
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        energies = advance(int(lo), int(hi))
        if sync is not None:
            sync()
        steps.append(int(hi))
        seconds.append(time.perf_counter() - start)
        best.append(np.array(energies, dtype=np.float64, copy=True))
    return Trace(np.asarray(steps), np.asarray(seconds), np.stack(best, axis=1))


# --------------------------------------------------------------------------- sample sets
def build_sampleset(
    bqm: dimod.BinaryQuadraticModel,
    labels: list,
    spins: np.ndarray,
    *,
    info: dict[str, Any] | None = None,
    vectors: dict[str, np.ndarray] | None = None,
) -> dimod.SampleSet:
    """A SampleSet of ``spins`` (over ``labels``) re-scored on the original ``bqm``.

    Samples are returned in ``bqm``'s vartype; ``vectors`` add per-read data vectors (e.g.
    ``quantised_energy``).
    """
    spins = np.asarray(spins, dtype=np.int8)
    samples = spins if bqm.vartype is dimod.SPIN else ((spins + 1) // 2).astype(np.int8)
    energies = bqm.energies((samples, labels))
    return dimod.SampleSet.from_samples(
        (samples, labels), vartype=bqm.vartype, energy=energies, info=info or {},
        **(vectors or {}),
    )


# --------------------------------------------------------------------------- base sampler
@dataclass
class KernelResult:
    """What a machine's kernel returns to :class:`EmulatorSampler`.

    ``spins`` is ``(reads, n)`` int8 over the arrays' labels; ``steps`` the number of
    sweeps/Monte Carlo steps each read ran (for the clock model); ``trace`` the best-so-far
    trace in the kernel's energy units; ``info`` extra machine-specific entries.
    """

    spins: np.ndarray
    steps: int
    trace: Trace | None = None
    info: dict[str, Any] = field(default_factory=dict)


class EmulatorSampler(dimod.Sampler, ABC):
    """Base class of every emulator: validation, quantisation, timing and assembly.

    Subclasses set :attr:`spec` (a :class:`~emulators.machine.MachineSpec` or ``None``), list
    their own keyword arguments with defaults in :attr:`_kernel_parameters` and implement
    :meth:`_sample_arrays`. The keywords ``num_reads``, ``seed``, ``record_trace`` and
    ``backend`` are common to all.
    """

    spec: Any = None
    backends: tuple[str, ...] = ("cpu",)
    _kernel_parameters: dict[str, Any] = {}
    _common_parameters: dict[str, Any] = {
        "num_reads": 10,
        "seed": None,
        "record_trace": False,
        "backend": "cpu",
    }

    @property
    def parameters(self) -> dict[str, list]:
        return {name: [] for name in (*self._common_parameters, *self._kernel_parameters)}

    @property
    def properties(self) -> dict[str, Any]:
        props: dict[str, Any] = {"backends": list(self.backends)}
        if self.spec is not None:
            props["spec"] = self.spec.to_dict()
        return props

    def sample(self, bqm: dimod.BinaryQuadraticModel, **kwargs: Any) -> dimod.SampleSet:
        """Sample ``bqm``; see the class docstring for the keyword arguments."""
        name = type(self).__name__
        check_unknown_kwargs(name, kwargs, self.parameters)
        params = {**self._common_parameters, **self._kernel_parameters, **kwargs}
        validate_bqm(bqm)
        num_reads = check_positive_int("num_reads", params.pop("num_reads"))
        record_trace = bool(params.pop("record_trace"))
        backend = check_choice("backend", params.pop("backend"), self.backends)
        rng, seed = make_rng(params.pop("seed"))
        sync = self._sync(backend)
        watch = Stopwatch()
        with watch.section("preprocessing"):
            fit, working, scale = self._prepare_model(bqm, params)
            arrays = ising_arrays(working)
            initial = params.pop("initial_states", None)
            if "initial_states" in self._kernel_parameters:
                params["initial_states"] = parse_initial_states(
                    initial, bqm, arrays.labels, num_reads, rng
                )
        with watch.section("sampling", sync=sync):
            result = self._sample_arrays(
                arrays, rng, num_reads=num_reads, record_trace=record_trace,
                backend=backend, scale=1.0 if scale is None else float(scale), **params,
            )
        with watch.section("postprocessing"):
            info: dict[str, Any] = {"seed": seed, "backend": backend, **result.info}
            if fit is not None:
                info["fit"] = fit
            vectors = {}
            if scale is not None:
                vectors["quantised_energy"] = arrays.energies(result.spins)
            if result.trace is not None:
                trace = result.trace if scale is None else result.trace.rescaled(scale)
                info["trace"] = trace.to_dict()
            sampleset = build_sampleset(bqm, arrays.labels, result.spins, info=info,
                                        vectors=vectors)
        modelled = None if self.spec is None else self.spec.clock.seconds(
            result.steps, num_reads, arrays.num_variables)
        sampleset.info["timing"] = watch.timing(modelled)
        return sampleset

    def _prepare_model(self, bqm: dimod.BinaryQuadraticModel, params: dict[str, Any]):
        """Return ``(fit_report, model_to_sample, scale)``; ``scale`` is None if unquantised.

        ``params`` are the call's machine keywords (after the common ones were taken out).
        """
        if self.spec is None:
            return None, bqm, None
        fit = self.spec.validate(bqm)
        self._check_fit(fit, bqm, params)
        quantised = self.spec.quantise(bqm)
        if quantised.exact:
            return fit, bqm, None
        return fit, quantised.bqm, quantised.scale

    def _check_fit(self, fit: Any, bqm: dimod.BinaryQuadraticModel,
                   params: dict[str, Any]) -> None:
        """Refuse models the machine cannot take (default: over capacity)."""
        if not fit.fits_capacity:
            raise ValueError(
                f"the model has {bqm.num_variables} variables but {self.spec.name} holds at most "
                f"{self.spec.capacity} ({bqm.num_variables - self.spec.capacity} too many)"
            )

    @staticmethod
    def _sync(backend: str) -> Callable[[], None] | None:
        """The device synchronise for ``backend="gpu"`` (clear error without cupy or a GPU)."""
        if backend != "gpu":
            return None
        return require_cupy().cuda.Device().synchronize

    @abstractmethod
    def _sample_arrays(
        self,
        arrays: IsingArrays,
        rng: np.random.Generator,
        *,
        num_reads: int,
        record_trace: bool,
        backend: str,
        scale: float,
        **params: Any,
    ) -> KernelResult:
        """Run the machine's kernel on ``arrays`` and return the final spins.

        ``arrays`` hold the model as the machine stores it: divided by ``scale`` (1.0 when
        the spec did not quantise it), so energies in the model's units are ``scale`` times
        those of ``arrays``.
        """
