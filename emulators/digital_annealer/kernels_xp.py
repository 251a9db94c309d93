"""Array-module (``xp``) kernels of the Digital Annealer emulator: cupy on GPU, numpy on CPU.

Written once against ``xp`` so the numpy path (what CI runs) tests the same code the GPU runs.
All rows (runs, or runs x replicas) advance together: per step, ``dE`` of every bit of every
row is one array operation, each row flips at most one bit, and the local fields are updated
by gathering the flipped bits' coupling rows. Couplings are dense on this path.

The step rule is the one in :mod:`emulators.digital_annealer.kernels_cpu`: acceptance
``min(1, exp(-(dE - E_off) / T))``; the accepted bit with the smallest ``u / p`` (a uniform
choice among the accepted ones) is flipped; the dynamic offset grows by ``offset_rate`` when
nothing is accepted and resets after a flip. Random numbers come from ``xp.random``'s
default generator, so results are reproducible per backend but differ from the numba path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["DeviceState", "Stepper", "XpExchange", "anneal", "replica_exchange_rounds", "to_device"]

#: Above this value of ``(dE - E_off) / T`` a trial is always rejected (as on the CPU path).
REJECT_ABOVE = 42.0


@dataclass
class DeviceState:
    """Per-row state on the device (see :mod:`kernels_cpu` for the meaning of each array).

    With a target energy (:meth:`watch`), ``awake`` marks the rows still running and
    ``stop_step`` the step after which each stopped one (``-1`` while it runs); a row stops
    once its best energy is ``<= threshold``. Without one they are ``None``.
    """

    spins: Any
    fields: Any
    energy: Any
    offset: Any
    best_energy: Any
    best_spins: Any
    threshold: float = 0.0
    awake: Any = None
    stop_step: Any = None

    def watch(self, xp: Any, threshold: float) -> None:
        """Start checking every row against ``threshold`` (stored energy units)."""
        self.threshold = threshold
        self.awake = self.best_energy > threshold
        self.stop_step = xp.where(self.awake, -1, 0).astype(xp.int64)

    def halt(self, xp: Any, rows: Any, step: int) -> None:
        """Stop the rows of the boolean mask ``rows`` after ``step`` steps."""
        rows = xp.asarray(rows)
        self.stop_step = xp.where(rows & self.awake, step, self.stop_step)
        self.awake = self.awake & ~rows


@dataclass(frozen=True)
class Stepper:
    """What every step uses: the array module, its generator, the dense couplings on the
    device, the dynamic-offset rate and the trial rule (``single``: one candidate bit)."""

    xp: Any
    gen: Any
    dense: Any
    offset_rate: float
    single: bool


@dataclass(frozen=True)
class XpExchange:
    """Replica-exchange state on the device: ``row_temp`` ``(rows,)``, ``perm``
    ``(runs, replicas)``, ``accepted``/``attempted`` ``(runs, replicas - 1)``."""

    row_temp: Any
    perm: Any
    accepted: Any
    attempted: Any


def to_device(xp: Any, spins: np.ndarray, fields: np.ndarray, energy: np.ndarray
              ) -> DeviceState:
    """Copy host state onto ``xp``'s device (``best_*`` start at the current state); the
    host arrays are never modified."""
    s = xp.array(spins, dtype=xp.int8, copy=True)
    e = xp.array(energy, dtype=xp.float64, copy=True)
    return DeviceState(s, xp.array(fields, dtype=xp.float64, copy=True), e,
                       xp.zeros(len(e), dtype=xp.float64), e.copy(), s.copy())


def _step(stepper: Stepper, st: DeviceState, beta: Any, t: int) -> None:
    """Monte Carlo step ``t`` of every row (``beta``: ``(rows,)`` inverse temperatures)."""
    xp, gen, dense = stepper.xp, stepper.gen, stepper.dense
    rows, n = st.spins.shape
    idx = xp.arange(rows)
    s = st.spins.astype(xp.float64)
    if stepper.single:
        cand = xp.minimum((gen.random(rows) * n).astype(xp.int64), n - 1)
        de_c = -2.0 * s[idx, cand] * st.fields[idx, cand]
        x = (de_c - st.offset) * beta
        p = xp.exp(-xp.clip(x, 0.0, REJECT_ABOVE))
        has = (gen.random(rows) < p) & (x <= REJECT_ABOVE)
        k = cand
    else:
        de = -2.0 * s * st.fields
        x = (de - st.offset[:, None]) * beta[:, None]
        p = xp.exp(-xp.clip(x, 0.0, REJECT_ABOVE))
        u = gen.random((rows, n))
        keys = xp.where((u < p) & (x <= REJECT_ABOVE), u / p, 2.0)
        k = xp.argmin(keys, axis=1)
        has = keys[idx, k] < 2.0
    if st.awake is not None:
        has = has & st.awake
    s_k = s[idx, k]
    de_k = -2.0 * s_k * st.fields[idx, k]
    st.energy += xp.where(has, de_k, 0.0)
    weight = xp.where(has, -2.0 * s_k, 0.0)
    st.fields += weight[:, None] * dense[k]
    st.spins[idx, k] = xp.where(has, -s_k, s_k).astype(xp.int8)
    st.offset = xp.where(has, 0.0, st.offset + stepper.offset_rate)
    improved = st.energy < st.best_energy
    st.best_energy = xp.where(improved, st.energy, st.best_energy)
    st.best_spins = xp.where(improved[:, None], st.spins, st.best_spins)
    if st.awake is not None:
        reached = st.awake & (st.best_energy <= st.threshold)
        st.stop_step = xp.where(reached, t + 1, st.stop_step)
        st.awake = st.awake & ~reached


def anneal(stepper: Stepper, st: DeviceState, t0: int, t1: int, temps: Any,
           interval: int) -> None:
    """Annealing mode: steps ``t0..t1-1`` of every row at ``temps[t // interval]``."""
    rows = st.spins.shape[0]
    for t in range(t0, t1):
        beta = stepper.xp.full(rows, 1.0 / float(temps[t // interval]))
        _step(stepper, st, beta, t)


def replica_exchange_rounds(stepper: Stepper, st: DeviceState, exchange: XpExchange,
                            round0: int, round1: int, exchange_interval: int) -> None:
    """Replica-exchange rounds ``round0..round1-1`` (same layout and rule as the CPU kernel).

    The arrays of ``exchange`` are updated in place; the swaps of one parity are decided for
    all runs and pairs at once (the pairs of one parity are disjoint). With a target energy
    (``st.awake``), every replica of a run stops at the end of the round in which one of them
    reached it; ``st.stop_step`` holds the step of each replica that did.
    """
    xp, gen = stepper.xp, stepper.gen
    row_temp, perm = exchange.row_temp, exchange.perm
    runs, replicas = perm.shape
    run_idx = xp.arange(runs)[:, None]
    for rnd in range(round0, round1):
        beta = 1.0 / row_temp
        for step in range(exchange_interval):
            _step(stepper, st, beta, rnd * exchange_interval + step)
        if st.awake is not None:
            run_awake = st.awake.reshape(runs, replicas).all(axis=1)
            st.awake = xp.repeat(run_awake, replicas)
        ks = xp.arange(rnd % 2, replicas - 1, 2)
        if len(ks) == 0:
            continue
        a = perm[:, ks]
        b = perm[:, ks + 1]
        ta, tb = row_temp[a], row_temp[b]
        x = (1.0 / ta - 1.0 / tb) * (st.energy[a] - st.energy[b])
        ok = (x >= 0.0) | (gen.random(x.shape) < xp.exp(xp.minimum(x, 0.0)))
        exchange.attempted[:, ks] += 1
        exchange.accepted[:, ks] += ok
        perm[run_idx, ks] = xp.where(ok, b, a)
        perm[run_idx, ks + 1] = xp.where(ok, a, b)
        row_temp[a] = xp.where(ok, tb, ta)
        row_temp[b] = xp.where(ok, ta, tb)
