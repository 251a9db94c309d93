"""Problem registry: the kinds of problem a suite can name.

Every kind is an adapter with one of two contracts:

* ``mode == "qubo"``: :meth:`ProblemKind.build` turns validated parameters into a
  :class:`BuiltProblem` — a ``dimod.BinaryQuadraticModel`` plus, when known, a target energy and
  where it comes from. The runner samples the model on each machine and the metrics compare
  read energies with the target.
* ``mode == "train"``: :meth:`ProblemKind.task` builds the data and the model to train (a
  :mod:`suites.tasks` object of the kind's :attr:`~ProblemKind.task_type`). The job's machine
  trains it: a sampler machine solves every QUBO of the training
  (:class:`suites.trainers.qubo.QuboTrainer`), a trainer machine (:data:`suites.registry.TRAINERS`)
  trains it without one. Parameters named in :attr:`~ProblemKind.machine_params` only apply
  to training through a sampler: with a trainer machine they must keep their defaults, and
  with a sampler machine those whose default is ``None`` must be given.

Kinds are registered by import string in :data:`PROBLEM_KINDS` (``"module:Class"``), so a kind
whose module is not installed only fails when a suite names it.

A kind whose parameters name files (a stored QUBO, a G-set instance) lists them with
:meth:`ProblemKind.instance_files`; suite validation reads every one
(:meth:`ProblemKind.check_instances`), so a missing or corrupt file is refused with an
:class:`InstanceFileError` naming it before any job runs, and :func:`read_instance` keeps what
was read for the builds in the same process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, ClassVar

import dimod
import numpy as np

from suites.registry import import_object

#: Largest model whose ground state is found by enumeration when a suite asks for it.
EXACT_MAX_VARIABLES = 20


@dataclass(frozen=True)
class Param:
    """A problem parameter: accepted types, default, and help text.

    ``kind`` is one of ``"int"``, ``"float"``, ``"bool"``, ``"str"``, ``"path"``,
    ``"int_list"``, ``"float_list"``.
    """

    kind: str
    help: str
    default: Any = None
    required: bool = False


@dataclass
class BuiltProblem:
    """A QUBO/Ising model to sample, with what is known about its optimum.

    Attributes
    ----------
    bqm:
        The model; read energies are ``bqm.energy(sample)``.
    target_energy:
        The reference energy when the kind knows one (``None`` otherwise).
    target_source:
        Where ``target_energy`` comes from: ``"best_known"``, ``"ground_state"``,
        ``"optimum"`` (zero loss, by construction) or ``None``.
    objective:
        Optional ``(name, offset, scale)``: the problem's own objective equals
        ``offset + scale * energy`` (e.g. the cut of a max-cut instance).
    info:
        Facts worth storing with the results (sizes, builder details).
    """

    bqm: dimod.BinaryQuadraticModel
    target_energy: float | None = None
    target_source: str | None = None
    objective: tuple[str, float, float] | None = None
    info: dict[str, Any] = field(default_factory=dict)


class InstanceFileError(ValueError):
    """An instance file a problem names is missing, unreadable or corrupt.

    The message names the file, says what is wrong (with the line where that is known) and
    what to do.
    """


#: Reads one instance file; raises ``ValueError`` naming the file for bad content.
InstanceReader = Callable[[Path], Any]


@lru_cache(maxsize=4)
def _read_unchanged(path: str, _mtime_ns: int, _size: int, reader: InstanceReader) -> Any:
    return reader(Path(path))


def read_instance(path: str | os.PathLike, reader: InstanceReader) -> Any:
    """``reader(path)``, read once per process while the file is unchanged.

    Raises :class:`InstanceFileError` for a missing, unreadable or corrupt file.
    """
    path = Path(path)
    try:
        st = path.stat()
        return _read_unchanged(str(path.resolve()), st.st_mtime_ns, st.st_size, reader)
    except InstanceFileError:
        raise
    except FileNotFoundError:
        raise InstanceFileError(f"{path}: the file does not exist; check the path in the "
                                "suite (a relative path starts from the directory you run in)"
                                ) from None
    except UnicodeDecodeError as exc:
        raise InstanceFileError(f"{path}: not a text file ({exc.reason} at byte {exc.start}); "
                                "give the instance file itself") from None
    except OSError as exc:
        raise InstanceFileError(f"{path}: cannot be read ({exc.strerror}); make it readable"
                                ) from None
    except ValueError as exc:
        raise InstanceFileError(str(exc)) from None


class ProblemKind:
    """Base class of problem adapters (see the module docstring for the contract)."""

    #: ``"qubo"`` (build a model to sample) or ``"train"`` (build a model to train).
    mode: ClassVar[str] = "qubo"
    description: ClassVar[str] = ""
    params: ClassVar[dict[str, Param]] = {}
    #: ``mode == "train"``: the :mod:`suites.tasks` class :meth:`task` returns.
    task_type: ClassVar[type | None] = None
    #: ``mode == "train"``: parameters that only training through a sampler machine uses.
    machine_params: ClassVar[tuple[str, ...]] = ()

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        """Build the model (``mode == "qubo"``)."""
        raise NotImplementedError(f"{type(self).__name__} is a {self.mode!r} kind")

    def task(self, params: Mapping[str, Any], seed: int) -> Any:
        """The data and model to train (``mode == "train"``); ``seed`` is the job's seed."""
        raise NotImplementedError(f"{type(self).__name__} is a {self.mode!r} kind")

    def check_params(self, params: Mapping[str, Any]) -> None:
        """Extra checks beyond names and types (e.g. a value range); raise ``ValueError``."""

    def instance_files(self, params: Mapping[str, Any]) -> list[tuple[Path, InstanceReader]]:
        """The files these parameters name, each with the function that reads it (none by
        default). A file that cannot be found raises ``FileNotFoundError`` saying where it
        was looked for."""
        return []

    def check_instances(self, params: Mapping[str, Any]) -> list[Path]:
        """Read every instance file of ``params`` (see :func:`read_instance`); their paths.

        Raises :class:`InstanceFileError` naming the first file that is missing or corrupt.
        """
        try:
            files = self.instance_files(params)
        except FileNotFoundError as exc:
            raise InstanceFileError(str(exc)) from None
        for path, reader in files:
            read_instance(path, reader)
        return [path for path, _ in files]


_QUBO_FILE_FIX = "write it again with json.dump(bqm.to_serializable(), fh)"


def load_bqm_file(path: str | os.PathLike) -> dimod.BinaryQuadraticModel:
    """A BQM from dimod's serialisable JSON; ``ValueError`` naming the file and line if not."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON at line {exc.lineno} column {exc.colno} "
                         f"({exc.msg}; truncated or edited?); {_QUBO_FILE_FIX}") from None
    try:
        return dimod.BinaryQuadraticModel.from_serializable(data)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"{path}: JSON, but not a dimod BQM ({type(exc).__name__}: {exc}); "
                         f"{_QUBO_FILE_FIX}") from None


class QuboFile(ProblemKind):
    """A model stored as dimod's serialisable JSON (``bqm.to_serializable()``)."""

    description = "a BQM stored as dimod serialisable JSON (bring your own QUBO/Ising model)"
    params = {"path": Param("path", "JSON file written from bqm.to_serializable()", required=True)}

    def instance_files(self, params: Mapping[str, Any]) -> list[tuple[Path, InstanceReader]]:
        return [(Path(params["path"]), load_bqm_file)] if "path" in params else []

    def build(self, params: Mapping[str, Any]) -> BuiltProblem:
        bqm = read_instance(params["path"], load_bqm_file).copy()
        return BuiltProblem(bqm=bqm, info={"num_variables": bqm.num_variables})


#: Problem kinds by name -> import string of the adapter class.
PROBLEM_KINDS: dict[str, str] = {
    "qubo_file": "suites.problems:QuboFile",
    "maxcut_dense": "suites.problem_kinds.maxcut:DenseMaxCut",
    "gset": "suites.problem_kinds.maxcut:GsetMaxCut",
    "gset_neighbourhood": "suites.problem_kinds.maxcut:GsetNeighbourhood",
    "spin_glass_sk": "suites.problem_kinds.spin_glass:SKSpinGlass",
    "spin_glass_2d": "suites.problem_kinds.spin_glass:LatticeSpinGlass",
    "bnn_digits": "suites.problem_kinds.bnn:DigitsBNN",
    "bnn_training": "suites.problem_kinds.bnn_training:DigitsBNNTraining",
    "layerwise_digits": "suites.problem_kinds.layerwise:LayerwiseTraining",
    "layerwise_qubo": "suites.problem_kinds.layerwise:LayerwiseQubo",
}


class UnknownProblemKindError(KeyError):
    """Raised for a problem kind that is not in :data:`PROBLEM_KINDS`."""

    def __str__(self) -> str:
        return str(self.args[0])


@cache
def problem_kind(name: str) -> ProblemKind:
    """Return the adapter instance for ``name``; unknown names list the known ones."""
    if name not in PROBLEM_KINDS:
        known = ", ".join(sorted(PROBLEM_KINDS))
        raise UnknownProblemKindError(f"unknown problem kind {name!r}; known kinds: {known}")
    cls = import_object(PROBLEM_KINDS[name])
    return cls()


def kind_available(name: str) -> tuple[bool, str]:
    """Whether the adapter for ``name`` (and what it needs) imports."""
    try:
        problem_kind(name)
    except ImportError as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""


@lru_cache(maxsize=16)
def _build_cached(kind: str, params_json: str) -> BuiltProblem:
    return problem_kind(kind).build(json.loads(params_json))


def build_problem(kind: str, params: Mapping[str, Any]) -> BuiltProblem:
    """Build a QUBO problem, reusing the last few builds in this process."""
    return _build_cached(kind, json.dumps(dict(params), sort_keys=True))


def exact_ground_energy(bqm: dimod.BinaryQuadraticModel) -> float:
    """Ground-state energy by enumeration (at most :data:`EXACT_MAX_VARIABLES` variables)."""
    n = bqm.num_variables
    if n > EXACT_MAX_VARIABLES:
        raise ValueError(
            f"exact ground state needs at most {EXACT_MAX_VARIABLES} variables, model has {n}"
        )
    if n == 0:
        return float(bqm.offset)
    linear, (row, col, quad), offset = bqm.to_numpy_vectors(bqm.variables)
    best = np.inf
    # enumerate in blocks of 2**min(n, 16) states to bound memory
    block_bits = min(n, 16)
    low = ((np.arange(2**block_bits)[:, None] >> np.arange(block_bits)) & 1).astype(np.float64)
    for high in range(2 ** (n - block_bits)):
        high_bits = ((high >> np.arange(n - block_bits)) & 1).astype(np.float64)
        states = np.hstack([low, np.broadcast_to(high_bits, (low.shape[0], n - block_bits))])
        if bqm.vartype is dimod.SPIN:
            states = 2 * states - 1
        energy = states @ linear + (states[:, row] * states[:, col]) @ quad
        best = min(best, float(energy.min()))
    return best + float(offset)
