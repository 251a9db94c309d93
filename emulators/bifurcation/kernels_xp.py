"""Array-module kernels (numpy on the CPU, cupy on a GPU): agents batched as matrix products.

All state lives on the array module's device: positions, momenta, spins, best states and
best energies. A step is one ``(agents, n) @ (n, n)`` product plus element-wise work, so a
GPU runs thousands of agents at once. With cupy nothing is copied to the host inside
``advance``; the host reads an ``(agents,)`` vector only at chunk ends (traces, early-stop
test). With numpy, a dense ±1 ``J`` is multiplied by table lookup
(:mod:`~emulators.bifurcation.sign_product`), and :class:`ProductCache` replaces the product
by a row-wise update when few entries changed since the last step (late in a run most
positions sit at a wall); the element-wise rest of a step is
one numba pass (:func:`~emulators.bifurcation.kernels_cpu.sb_step_elementwise`,
:func:`~emulators.bifurcation.kernels_cpu.flip_step_elementwise`: the same random draws and
float32 bits as the array code, which a GPU runs).

Arithmetic is float32 (what GPU SB machines use); coefficients were already rounded to the
machine's storage precision by the MachineSpec quantiser.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import scipy.sparse as sp

from emulators._core.target import TargetStop
from emulators._core.threads import numba_threads
from emulators.bifurcation.kernels_cpu import (
    add_changed_rows,
    count_changed,
    flip_logit_ratio,
    flip_step_elementwise,
    sb_step_elementwise,
)
from emulators.bifurcation.schedules import ASB, DSB, FlipSchedule, SBSettings
from emulators.bifurcation.sign_product import SignLookup

__all__ = [
    "ColourMetropolisXp",
    "CouplingMatrix",
    "ParallelFlipXp",
    "ProductCache",
    "SimulatedBifurcationXp",
    "to_host",
]


#: Uniforms are clipped into (0, 1) before their logit (float32).
_U_LOW, _U_HIGH = np.float32(1e-7), np.float32(1 - 1e-7)


#: Fewest entries of an ``(agents, n)`` batch for which the CPU step's numba passes run on
#: all of numba's threads. Measured on 2 cores (sampling time, one thread against two): the
#: 65-spin BNN unit QUBO, 16 agents x 1,000 steps, momentum 23.6 vs 45.7 ms, bSB 15.4 vs
#: 28.6 ms; dense n = 2,000 with 16 agents 519 vs 547 ms (momentum, 500 sweeps); with 64 or
#: 128 agents the two are within 3% (the BLAS product, on its own threads, dominates).
PARALLEL_MIN_ENTRIES = 65_536


def _share_threads(xp: ModuleType, batch: Any) -> bool:
    """Whether the numba passes over ``batch`` should use all threads (always on a GPU)."""
    return xp is not np or batch.size >= PARALLEL_MIN_ENTRIES


def to_host(xp: ModuleType, array: Any) -> np.ndarray:
    """Copy a device array to a numpy array (no-op for numpy)."""
    return array.get() if hasattr(array, "get") else np.asarray(array)


#: Most agents for which a dense CPU product is one BLAS matrix-vector product per agent.
#: OpenBLAS's matrix product is slow for a few rows: n = 2,000, 2 cores, ``X @ J`` took
#: 1.04 ms for 2 agents and 4 agents alike against 0.23 and 0.48 ms as products per agent;
#: from 8 agents on the matrix product wins (0.80 ms against 1.00 ms).
MATVEC_MAX_AGENTS = 6
#: Fewest agents for which a dense ±c matrix is multiplied by table lookup
#: (:mod:`~emulators.bifurcation.sign_product`): n = 2,000, 2 cores, 0.46 ms for any batch of
#: up to 16 agents against 0.37 ms for 3 matrix-vector products and 0.9-1.2 ms for BLAS's
#: matrix product of 8-16 agents.
LOOKUP_MIN_AGENTS = 4


class CouplingMatrix:
    """``J`` on the array module's device, dense or CSR, with ``X @ J`` for row batches.

    With numpy, a dense square ``J`` whose off-diagonal entries are all ``±c`` (complete ±1
    graphs) is multiplied by table lookup (:mod:`~emulators.bifurcation.sign_product`) from
    :data:`LOOKUP_MIN_AGENTS` float32 agents on; otherwise a batch of at most
    :data:`MATVEC_MAX_AGENTS` agents is multiplied as one matrix-vector product per agent
    (``J`` is symmetric, so row ``a`` of ``X @ J`` is ``J @ X[a]``). The result is a C-ordered
    ``(agents, n)`` array either way.
    """

    def __init__(self, xp: ModuleType, matrix: np.ndarray | sp.csr_matrix,
                 dtype: Any = np.float32) -> None:
        self.xp = xp
        self.sparse = sp.issparse(matrix)
        self.symmetric = True  # a sub-matrix from columns() is not
        if self.sparse:
            csr = sp.csr_matrix(matrix, dtype=dtype)
            if xp is np:
                self.m = csr
            else:
                import cupyx.scipy.sparse as csp  # noqa: PLC0415

                self.m = csp.csr_matrix(csr)
        else:
            self.m = xp.asarray(np.asarray(matrix, dtype=dtype))
        self.lookup = SignLookup.of(self.m) if xp is np and not self.sparse else None

    def times(self, x: Any) -> Any:
        """``x @ J`` for an ``(agents, n)`` batch (J is symmetric)."""
        if self.sparse:
            return (self.m @ x.T).T
        if self.xp is not np or not self.symmetric:
            return x @ self.m
        if self.lookup is not None and len(x) >= LOOKUP_MIN_AGENTS and x.dtype == np.float32:
            return self.lookup.times(x)
        if len(x) <= MATVEC_MAX_AGENTS:
            out = np.empty((len(x), self.m.shape[1]), dtype=np.result_type(x, self.m))
            for agent, row in enumerate(x):
                np.dot(self.m, row, out=out[agent])
            return out
        return x @ self.m

    def columns(self, cols: np.ndarray) -> CouplingMatrix:
        """The sub-matrix ``J[:, cols]`` as a new :class:`CouplingMatrix` (non-square)."""
        out = object.__new__(CouplingMatrix)
        out.xp, out.sparse, out.symmetric, out.lookup = self.xp, self.sparse, False, None
        if self.sparse:  # times() computes (M @ x.T).T, and J[:, cols].T == J[cols, :]
            out.m = self.m[cols] if self.xp is np else self.m[self.xp.asarray(cols)]
        else:
            out.m = self.m[:, self.xp.asarray(cols)]
        return out


class ProductCache:
    """``v @ J`` for a batch ``v`` that changes a little between calls.

    On the CPU with a dense ``J`` (numpy), when fewer than ``DELTA_FRACTION`` of the entries
    of ``v`` changed, the product is updated as ``cache + (v - v_old) @ J`` by a numba kernel
    that adds one row of ``J`` per changed entry, instead of a full product, and it is
    recomputed in full every ``REFRESH`` updates to bound float32 drift. On a GPU (or with a
    sparse ``J``) it is always the full product, so nothing data-dependent is read back to
    the host.
    """

    #: Measured crossover on a dense 2,000-spin ``J`` (2 cores): the row additions beat the
    #: BLAS product below about 12% changed entries with 64 agents, 15% with 256.
    DELTA_FRACTION = 0.1
    REFRESH = 50

    def __init__(self, coupling: CouplingMatrix, v: Any) -> None:
        self.j = coupling
        self.delta = coupling.xp is np and not coupling.sparse
        self.v = v.copy()
        self.value = coupling.times(v)
        self.since = 0

    def update(self, v: Any) -> Any:
        """``v @ J`` (``v`` is not modified; the cache keeps its own copy)."""
        if self.delta and self.since < self.REFRESH:
            changed = count_changed(v, self.v)
            if changed < self.DELTA_FRACTION * v.size:
                if changed:
                    add_changed_rows(self.value, v, self.v, self.j.m)
                self.since += 1
                self.v[...] = v
                return self.value
        self.value = self.j.times(v)
        self.since = 0
        self.v[...] = v
        return self.value


class _Engine:
    """Shared chunk-engine state: spins, best states and energies on the device."""

    def __init__(self, xp: ModuleType, h: np.ndarray, offset: float, spins: np.ndarray,
                 stop: TargetStop | None = None) -> None:
        self.xp = xp
        self.h = xp.asarray(h, dtype=xp.float32)
        self.offset = float(offset)
        self.s = xp.array(spins, dtype=xp.float32)  # a copy: the CPU steps update it in place
        self.best_s = self.s.astype(xp.int8)
        self.best_e = xp.full(spins.shape[0], np.inf, dtype=xp.float64)
        self.stable = xp.zeros(spins.shape[0], dtype=xp.int64)
        self.stop = stop or TargetStop(None, spins.shape[0])
        # with a target: which agents still run, and the step each stopped at (on the device)
        self.awake = None
        self._everyone = xp.ones(spins.shape[0], dtype=bool)
        if self.stop.enabled:
            self.awake = xp.ones(spins.shape[0], dtype=bool)
            self.stop_step = xp.full(spins.shape[0], -1, dtype=xp.int64)
            self.stop.attach(self.best_states, self._halt)

    def _keep_best(self, s: Any, js: Any, step: int = 0) -> None:
        """Record ``s`` where its energy (from ``js = s @ J``) beats the best so far; with a
        target, agents whose best reached it stop after ``step`` steps."""
        xp = self.xp
        e = self.offset + (s @ self.h).astype(xp.float64) + 0.5 * xp.sum(
            s * js, axis=1, dtype=xp.float64)
        better = e < self.best_e
        self.best_e = xp.where(better, e, self.best_e)
        self.best_s = xp.where(better[:, None], s.astype(xp.int8), self.best_s)
        if self.awake is not None:
            reached = self.awake & (self.best_e <= self.stop.threshold)
            self.stop_step = xp.where(reached, step, self.stop_step)
            self.awake = self.awake & ~reached

    def _frozen(self, new: Any, old: Any) -> Any:
        """``new`` for running agents, ``old`` for stopped ones (``new`` without a target)."""
        if self.awake is None:
            return new
        return self.xp.where(self.awake[:, None], new, old)

    def _running(self) -> Any:
        """Per-agent flags of the agents that still run (all of them without a target)."""
        return self._everyone if self.awake is None else self.awake

    def _halt(self, mask: np.ndarray, step: int) -> None:
        """Stop the agents of ``mask`` (host) after ``step`` steps."""
        stopped = self.xp.asarray(mask)
        self.stop_step = self.xp.where(stopped, step, self.stop_step)
        self.awake = self.awake & ~stopped

    def _sync_stops(self) -> None:
        """Copy the stop steps to the host (once per chunk)."""
        if self.awake is not None:
            self.stop.steps[:] = to_host(self.xp, self.stop_step)

    def _count_stable(self, old: Any, new: Any) -> None:
        changed = xp_any_changed(self.xp, old, new)
        self.stable = self.xp.where(changed, 0, self.stable + 1)

    def finalise(self) -> None:
        """Score the current spins too (the state the run ended in)."""
        self._keep_best(self.s, self.j.times(self.s))

    # host-side reads (chunk ends only)
    def best_energies(self) -> np.ndarray:
        return to_host(self.xp, self.best_e).astype(np.float64)

    def min_stable(self) -> int:
        return int(to_host(self.xp, self.stable.min()))

    def best_states(self) -> np.ndarray:
        return to_host(self.xp, self.best_s).astype(np.int8)


def xp_any_changed(xp: ModuleType, old: Any, new: Any) -> Any:
    """Per-row flag: did any entry change."""
    return xp.any(old != new, axis=1)


class SimulatedBifurcationXp(_Engine):
    """SB on an array module; see :func:`emulators.bifurcation.kernels_cpu.sb_chunk`."""

    def __init__(self, xp: ModuleType, coupling: CouplingMatrix, h: np.ndarray, offset: float,
                 settings: SBSettings, stop: TargetStop | None = None) -> None:
        x0, y0 = settings.x0, settings.y0
        spins = np.where(x0 >= 0, 1, -1).astype(np.int8)
        super().__init__(xp, h, offset, spins, stop)
        self.j = coupling
        self.variant, self.gamma = settings.variant, np.float32(settings.gamma)
        self.c0, self.a0 = np.float32(settings.c0), np.float32(settings.a0)
        self.dt = np.float32(settings.dt)
        self.num_steps, self.energy_interval = settings.num_steps, settings.energy_interval
        self.dt_a0 = np.float32(self.dt * self.a0)
        self.x = xp.asarray(x0, dtype=xp.float32)
        self.y = xp.asarray(y0, dtype=xp.float32)
        self.xj = ProductCache(coupling, self.x)
        self.sj = ProductCache(coupling, self.s)

    def advance(self, start: int, stop: int) -> None:
        with numba_threads(_share_threads(self.xp, self.x)):
            self._advance(start, stop)

    def _advance(self, start: int, stop: int) -> None:
        for k in range(start, stop):
            pump = min(1.0, (k + 1) / self.num_steps) * float(self.a0)
            detune = np.float32(float(self.a0) - pump)
            evaluate = (k + 1) % self.energy_interval == 0 or k + 1 == self.num_steps
            if self.variant == DSB:
                product = self.sj.update(self.s)
                if evaluate:
                    self._keep_best(self.s, product, k + 1)  # product = s @ J, current signs
            else:
                product = self.xj.update(self.x)
            if self.xp is np:
                sb_step_elementwise(self.variant, self.x, self.y, product, self.h, detune,
                                    self.c0, self.dt, self.dt_a0, self.gamma, self.s,
                                    self.stable, self._running())
            else:
                self._step(product, detune)
            if evaluate and self.variant != DSB:
                self._keep_best(self.s, self.sj.update(self.s), k + 1)
        if self.variant == DSB and stop == self.num_steps:
            self._keep_best(self.s, self.sj.update(self.s), stop)  # the final signs
        self._sync_stops()

    def _step(self, product: Any, detune: np.float32) -> None:
        """The element-wise part of one step as array code (what
        :func:`~emulators.bifurcation.kernels_cpu.sb_step_elementwise` does on the CPU)."""
        xp = self.xp
        drive = product + self.h
        if self.variant == ASB:
            force = -(self.x * self.x + detune) * self.x - self.c0 * drive
        else:
            force = -detune * self.x - self.c0 * drive
        x_old, y_old = self.x, self.y
        self.y = y_old + self.dt * force
        self.x = self.x + self.dt_a0 * self.y
        if self.variant != ASB:
            hit = xp.abs(self.x) > 1
            self.x = xp.where(hit, xp.sign(self.x), self.x)
            self.y = xp.where(hit, xp.float32(0), self.y)
        if self.gamma:
            self.y = self.y + (self.gamma * self.dt) * y_old
        self.x, self.y = self._frozen(self.x, x_old), self._frozen(self.y, y_old)
        new_s = xp.where(self.x >= 0, xp.float32(1), xp.float32(-1))
        self._count_stable(self.s, new_s)
        self.s = new_s


class ParallelFlipXp(_Engine):
    """Synchronous heat-bath flips; see :func:`kernels_cpu.parallel_flip_chunk`."""

    def __init__(self, xp: ModuleType, coupling: CouplingMatrix, h: np.ndarray, offset: float,
                 schedule: FlipSchedule, spins: np.ndarray, seed: int,
                 stop: TargetStop | None = None) -> None:
        super().__init__(xp, h, offset, spins, stop)
        self.j = coupling
        self.w = xp.asarray(schedule.w, dtype=xp.float32)
        self.temperatures, self.couplings = schedule.temperatures, schedule.couplings
        self.dropouts = schedule.dropouts
        self.energy_interval = schedule.energy_interval
        self.rng = np.random.default_rng(seed) if xp is np else xp.random.default_rng(seed)
        self.sj = ProductCache(coupling, self.s)
        if xp is np:  # buffers of the fused CPU step's random draws
            self._keep_u = np.empty_like(self.s)
            self._noise = np.empty_like(self.s)

    def advance(self, start: int, stop: int) -> None:
        with numba_threads(_share_threads(self.xp, self.s)):
            self._advance(start, stop)

    def _advance(self, start: int, stop: int) -> None:
        step = self._fused_step if self.xp is np else self._step
        total = len(self.temperatures)
        for k in range(start, stop):
            js = self.sj.update(self.s)
            if k > 0 and (k % self.energy_interval == 0):
                self._keep_best(self.s, js, k)
            step(js, k)
        if stop == total:
            self._keep_best(self.s, self.sj.update(self.s), stop)
        self._sync_stops()

    def _step(self, js: Any, k: int) -> None:
        """Step ``k`` as array code (what :meth:`_fused_step` does on the CPU)."""
        xp = self.xp
        self_c = np.float32(self.couplings[k]) * self.w * self.s
        if self.dropouts[k] > 0:
            keep = self.rng.random(self.s.shape, dtype=xp.float32) >= self.dropouts[k]
            self_c = self_c * keep
        u = self.rng.random(self.s.shape, dtype=xp.float32)
        u = xp.clip(u, _U_LOW, _U_HIGH)
        drive = self_c - (js + self.h) + np.float32(0.5 * self.temperatures[k]) * xp.log(
            u / (1 - u))
        new_s = self._frozen(xp.where(drive >= 0, xp.float32(1), xp.float32(-1)), self.s)
        self._count_stable(self.s, new_s)
        self.s = new_s

    def _fused_step(self, js: np.ndarray, k: int) -> None:
        """Step ``k`` on the CPU: the same random draws and float32 bits as :meth:`_step`,
        drawn into reused buffers, with the element-wise work in two numba passes around
        numpy's log (numba's log may differ from numpy's in the last bit)."""
        dropout = float(self.dropouts[k])
        if dropout > 0:
            self.rng.random(dtype=np.float32, out=self._keep_u)
        self.rng.random(dtype=np.float32, out=self._noise)
        flip_logit_ratio(self._noise, _U_LOW, _U_HIGH)
        np.log(self._noise, out=self._noise)
        flip_step_elementwise(self.s, js, self.h, self.w, np.float32(self.couplings[k]),
                              dropout, self._keep_u, self._noise,
                              np.float32(0.5 * self.temperatures[k]), self.stable,
                              self._running())


class ColourMetropolisXp(_Engine):
    """Checkerboard Metropolis: each colour class flips at once (all agents batched)."""

    def __init__(self, xp: ModuleType, coupling: CouplingMatrix, h: np.ndarray, offset: float,
                 classes: list[np.ndarray], betas: np.ndarray, spins: np.ndarray,
                 seed: int, stop: TargetStop | None = None) -> None:
        super().__init__(xp, h, offset, spins, stop)
        self.j = coupling
        self.classes = [xp.asarray(c) for c in classes]
        self.blocks = [coupling.columns(c) for c in classes]
        self.betas = betas
        self.rng = np.random.default_rng(seed) if xp is np else xp.random.default_rng(seed)

    def advance(self, start: int, stop: int) -> None:
        xp = self.xp
        for k in range(start, stop):
            beta = np.float32(self.betas[k])
            old = self.s.copy()
            for cols, block in zip(self.classes, self.blocks, strict=True):
                s_c = self.s[:, cols]
                delta = -2 * s_c * (block.times(self.s) + self.h[cols])
                u = self.rng.random(s_c.shape, dtype=xp.float32)
                flip = (delta <= 0) | (u < xp.exp(-beta * xp.maximum(delta, 0)))
                self.s[:, cols] = self._frozen(xp.where(flip, -s_c, s_c), s_c)
            self._count_stable(old, self.s)
            self._keep_best(self.s, self.j.times(self.s), k + 1)
        self._sync_stops()
