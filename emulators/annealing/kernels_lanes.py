"""Reads as SIMD lanes: sequential Metropolis sweeps of many reads at once (numba, CPU).

For sparse models with integer storage (see :mod:`emulators.annealing.storage`) the reads
advance together, :data:`LANES` of them per block, in a read-minor layout: ``spins[b, i, l]``
and ``fields[b, i, l]`` hold spin ``i`` of read ``16 b + l``. Every read still visits the
spins in index order ``0..n-1`` with the rule of :mod:`.kernels_cpu` — a flip whose half cost
``e_i = -s_i f_i`` is ``<= 0`` is accepted, otherwise with probability ``exp(-beta2 e_i)`` —
but spin ``i`` is tried in all lanes at once, so the loops over lanes are branch-free and
vectorise, and when any lane flipped, each neighbour's fields are updated with one vector
operation per neighbour (:func:`add_scaled_lanes`) instead of one scalar update per read.

Acceptance. Each lane draws a 32-bit integer ``u`` per visited spin (xoshiro128++, one
stream per read, seeded from the call's generator) and accepts iff ``e <= 0`` or
``u < T[e]`` with ``T[e] = floor(2**32 exp(-beta2 e))``, a table filled once per sweep (the
sweep's β is shared by every read). The acceptance probability ``T[e] / 2**32`` differs from
``exp(-beta2 e)`` by less than ``2**-32`` per trial; otherwise the Markov chain of each read
is the one of the scalar kernel, with its own random stream (so the samples differ from the
scalar kernel's, but follow the same distribution; the tests compare them). Results do not
depend on the number of threads: a read's stream and trajectory are its own.

Blocks run in parallel threads (``prange``; the body of a ``prange`` loop is compiled with
non-aliasing arrays, which is what lets LLVM vectorise the lane loops and gathers).
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

__all__ = ["LANES", "add_scaled_lanes", "anneal_lanes", "seed_lanes"]

#: Reads per block, the width of one vector operation on the lanes.
LANES = 16
#: ``2**32``: the scale of the integer acceptance thresholds.
_TWO32 = 4294967296.0
_U32 = np.uint32
_I32 = np.int32


@intrinsic
def add_scaled_lanes(typingctx, dst, dst_at, src, src_at, weight):
    """``dst.flat[dst_at:dst_at + LANES] += weight * src.flat[src_at:src_at + LANES]``.

    One vector load, multiply-add and store (LLVM's loop vectoriser does not see that the
    lane count is a constant 16 without unrolling the loop into scalars). ``dst`` and ``src``
    are C-contiguous arrays of the same integer dtype; the caller keeps both slices in bounds.
    """
    if not (isinstance(dst, types.Array) and isinstance(src, types.Array)
            and dst.dtype == src.dtype and isinstance(dst.dtype, types.Integer)
            and dst.layout == "C" and src.layout == "C"
            and isinstance(weight, types.Integer)):
        return None
    sig = types.void(dst, types.int64, src, types.int64, weight)

    def codegen(context, builder, signature, args):
        dst_v, dst_at_v, src_v, src_at_v, weight_v = args
        element = context.get_data_type(signature.args[0].dtype)
        vector = ir.VectorType(element, LANES)
        dst_arr = context.make_array(signature.args[0])(context, builder, dst_v)
        src_arr = context.make_array(signature.args[2])(context, builder, src_v)
        dst_ptr = builder.bitcast(builder.gep(dst_arr.data, [dst_at_v]), vector.as_pointer())
        src_ptr = builder.bitcast(builder.gep(src_arr.data, [src_at_v]), vector.as_pointer())
        width = element.width
        if weight_v.type.width > width:
            weight_v = builder.trunc(weight_v, element)
        elif weight_v.type.width < width:
            weight_v = builder.sext(weight_v, element)
        lanes = builder.insert_element(ir.Constant(vector, ir.Undefined), weight_v,
                                       ir.Constant(ir.IntType(32), 0))
        lanes = builder.shuffle_vector(lanes, ir.Constant(vector, ir.Undefined),
                                       ir.Constant(ir.VectorType(ir.IntType(32), LANES),
                                                   [0] * LANES))
        old = builder.load(dst_ptr, align=element.width // 8)
        step = builder.mul(builder.load(src_ptr, align=element.width // 8), lanes)
        builder.store(builder.add(old, step), dst_ptr, align=element.width // 8)
        return context.get_dummy_value()

    return sig, codegen


def seed_lanes(seeds: np.ndarray, blocks: int) -> np.ndarray:
    """xoshiro128++ states ``(blocks, 4, LANES)`` uint32, lane ``l`` of block ``b`` seeded from
    ``seeds[LANES b + l]`` (SplitMix64-expanded; lanes without a seed get fixed states)."""
    count = blocks * LANES
    padded = np.arange(1, count + 1, dtype=np.uint64)
    padded[: len(seeds)] = np.asarray(seeds, dtype=np.int64).view(np.uint64)
    words = np.empty((4, count), dtype=np.uint32)
    z = padded.copy()
    with np.errstate(over="ignore"):
        for pair in range(2):
            z = z + np.uint64(0x9E3779B97F4A7C15)
            x = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(31))
            words[2 * pair] = (x & np.uint64(0xFFFFFFFF)).astype(np.uint32)
            words[2 * pair + 1] = (x >> np.uint64(32)).astype(np.uint32)
    words[0, (words == 0).all(axis=0)] = 1  # the all-zero state is xoshiro's fixed point
    return np.ascontiguousarray(words.reshape(4, blocks, LANES).transpose(1, 0, 2))


@njit(cache=True, inline="always")
def _fill_thresholds(tables, filled, b, beta2):
    """``tables[b, e] = floor(2**32 exp(-beta2 e))`` (at most ``2**32 - 1``) for
    ``1 <= e <= cap``; entries beyond the last non-zero one are zero."""
    cap = tables.shape[1] - 1
    last = 0
    for e in range(1, cap + 1):
        value = math.exp(-beta2 * e) * _TWO32
        if value < 1.0:
            break
        tables[b, e] = _U32(min(value, _TWO32 - 1.0))
        last = e
    for e in range(last + 1, filled[b] + 1):
        tables[b, e] = _U32(0)
    filled[b] = last


@njit(cache=True, inline="always")
def _draw(states, draws, b):
    """One xoshiro128++ output per lane of block ``b`` into ``draws[b]``."""
    for lane in range(states.shape[2]):
        s0 = states[b, 0, lane]
        s1 = states[b, 1, lane]
        s2 = states[b, 2, lane]
        s3 = states[b, 3, lane]
        x = _U32(s0 + s3)
        draws[b, lane] = _U32(_U32((x << _U32(7)) | (x >> _U32(25))) + s0)
        t = _U32(s1 << _U32(9))
        s2 = _U32(s2 ^ s0)
        s3 = _U32(s3 ^ s1)
        s1 = _U32(s1 ^ s2)
        s0 = _U32(s0 ^ s3)
        s2 = _U32(s2 ^ t)
        states[b, 0, lane] = s0
        states[b, 1, lane] = s1
        states[b, 2, lane] = s2
        states[b, 3, lane] = _U32((s3 << _U32(11)) | (s3 >> _U32(21)))


@njit(cache=True, parallel=True, fastmath=True)
def anneal_lanes(indptr, indices, data, spins, fields, energy, best, delta, beta2s, tables,
                 filled, states, draws, change, awake, stop_step, threshold, first_step):
    """One sweep per entry of ``beta2s`` on every lane of every block (blocks in parallel).

    The lane loops run over ``spins.shape[2]``, which must be :data:`LANES` (a run-time trip
    count keeps LLVM from unrolling them into scalar code). Shapes: ``spins``/``fields``
    ``(blocks, n, LANES)`` (the field dtype, int16 or int32),
    ``energy``/``best`` ``(blocks, LANES)`` int64 (current and lowest end-of-sweep energy,
    kernel units), ``delta`` ``(blocks, LANES)`` (per-sweep energy change, int32 or int64),
    ``tables`` ``(blocks, cap + 1)`` uint32 with ``cap`` at least the largest ``|e|`` and
    ``filled`` ``(blocks,)`` int64 (its last non-zero entry), ``states`` ``(blocks, 4,
    LANES)`` uint32, ``draws`` ``(blocks, LANES)`` uint32 and ``change`` ``(blocks, LANES)``
    (field dtype) scratch. ``awake[b, l]`` is 1 for a lane that runs and 0 for a stopped or
    padding lane; a running lane whose energy is ``<= threshold`` at the end of a sweep
    (or before the first) stops: ``awake`` drops to 0 and ``stop_step`` records
    ``first_step`` plus the sweeps it ran. All arrays are updated in place.
    """
    blocks, n, lanes = spins.shape
    cap = tables.shape[1] - 1
    for b in prange(blocks):
        for k in range(beta2s.shape[0]):
            live = 0
            for lane in range(lanes):
                if awake[b, lane] != 0 and energy[b, lane] <= threshold:
                    awake[b, lane] = 0
                    stop_step[b, lane] = first_step + k
                live += awake[b, lane]
            if live == 0:
                break
            _fill_thresholds(tables, filled, b, beta2s[k])
            for lane in range(lanes):
                delta[b, lane] = 0
            for i in range(n):
                _draw(states, draws, b)
                flips = _I32(0)
                for lane in range(lanes):
                    si = _I32(spins[b, i, lane])
                    e = _I32(-si * _I32(fields[b, i, lane]))
                    at = _I32(min(max(e, _I32(0)), _I32(cap)))
                    ok = ((e <= _I32(0)) | (draws[b, lane] < tables[b, at])) \
                        & (awake[b, lane] != _I32(0))
                    c = _I32(_I32(-2) * si) if ok else _I32(0)
                    change[b, lane] = c
                    spins[b, i, lane] = si + c
                    delta[b, lane] += _I32(e + e) if ok else _I32(0)
                    flips = _I32(flips | c)
                if flips != 0:
                    row = b * n
                    for q in range(indptr[i], indptr[i + 1]):
                        add_scaled_lanes(fields, (row + np.int64(indices[q])) * LANES, change,
                                         np.int64(b * LANES), data[q])
            for lane in range(lanes):
                en = energy[b, lane] + delta[b, lane]
                energy[b, lane] = en
                if en < best[b, lane]:
                    best[b, lane] = en
                if awake[b, lane] != 0 and en <= threshold:
                    awake[b, lane] = 0
                    stop_step[b, lane] = first_step + k + 1
