"""``X @ J`` by table lookup for a dense coupling matrix of one magnitude (CPU).

When every off-diagonal entry of ``J`` is ``+c`` or ``-c`` (complete ±1 graphs such as the
K2000 benchmark), row ``i`` of the product is ``c * sum_j s_ij x_j`` with signs
``s_ij = ±1``. The columns are cut into blocks of :data:`BLOCK`; for each block and agent the
``2**BLOCK`` signed sums ``±x_j1 ± x_j2 ± ...`` of its entries form a table, built once per
product. Row ``i`` is then the sum, over blocks, of the table entry that row ``i``'s signs in
that block select: ``n / BLOCK`` additions per row and agent instead of ``n`` multiply-adds,
and no ``J`` to stream from memory (only the precomputed entry offsets). :data:`LANES`
agents sit side by side in each table entry, so one addition serves them all (one 512-bit
vector add), and the blocks are walked in tiles of :data:`TILE` whose tables stay in the L1
cache: on 2 cores with n = 2,000 and 16 agents the product took 0.4 ms against 1.1 ms
through BLAS (``pytest tests/benchmarks/test_bifurcation_speed.py -m bench -s -k
table_lookup`` times whole SB runs both ways).

Arithmetic is float32 throughout: table entries are float32 sums of ``±x`` (the factors
``±1`` are exact), so the result differs from BLAS's only in the order of the additions.
The diagonal (any values) is added separately, ``(J_ii - c) x_i``.
"""

from __future__ import annotations

import functools

import numba as nb
import numpy as np

from emulators._core.threads import numba_thread_count

__all__ = ["BLOCK", "LANES", "SignLookup"]

#: Columns per table (a table has ``2**BLOCK`` entries; the table build is written out for 4).
BLOCK = 4
#: Blocks per tile of the lookup: one tile of tables (32 x 16 entries x 16 lanes x 4 bytes =
#: 32 KB) fits the L1 cache; a multiple of four (see :func:`_lookup_sums_py`).
TILE = 32
#: Agents per table entry (one 512-bit vector of float32).
LANES = 16
_ENTRIES = 1 << BLOCK
#: The lane offsets as unsigned constants (numba adds no negative-index wraparound to them).
_U = tuple(np.uintp(k) for k in range(LANES))


class SignLookup:
    """The table-lookup product of one dense ±c matrix (see the module docstring)."""

    def __init__(self, magnitude: float, diagonal: np.ndarray, offsets: np.ndarray) -> None:
        """``offsets``: :func:`_entry_offsets` of the matrix's signs."""
        self.magnitude = np.float32(magnitude)
        self.diagonal_excess = (diagonal - self.magnitude).astype(np.float32)
        self.n = len(diagonal)
        self.blocks = -(-self.n // BLOCK)
        self.offsets = offsets
        self._work: tuple | None = None

    @classmethod
    def of(cls, matrix: np.ndarray) -> SignLookup | None:
        """The lookup product of ``matrix``, or ``None`` when it does not apply: a square
        float32 matrix of at least two rows whose off-diagonal entries all have one non-zero
        magnitude."""
        if matrix.dtype != np.float32 or matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            return None
        n = matrix.shape[0]
        if n < 2:
            return None
        magnitude = abs(matrix[0, 1])
        if magnitude == 0 or not np.all(np.abs(matrix[0, 1:]) == magnitude):
            return None  # the first row decides most matrices at once
        magnitudes = np.abs(matrix)
        np.fill_diagonal(magnitudes, magnitude)
        if not np.all(magnitudes == magnitude):
            return None
        positive = matrix > 0
        np.fill_diagonal(positive, True)  # the diagonal is added separately
        return cls(float(magnitude), np.diagonal(matrix).copy(), _entry_offsets(positive))

    def times(self, x: np.ndarray) -> np.ndarray:
        """``x @ J`` for an ``(agents, n)`` float32 batch, as a new C-ordered float32 array."""
        agents = len(x)
        padded, tables, sums = self._work_arrays(agents)
        padded[:agents, :self.n] = x
        threads = nb.config.NUMBA_NUM_THREADS
        with numba_thread_count(threads):  # as the BLAS product it replaces
            build_tables(padded, tables)
            lookup_sums_kernel()(self.offsets, tables.reshape(-1), sums.reshape(-1, LANES),
                                 threads)
        product = sums.transpose(0, 2, 1).reshape(-1, self.n)[:agents]
        out = np.multiply(product, self.magnitude, order="C")
        out += self.diagonal_excess * x
        return out

    def _work_arrays(self, agents: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The padded batch, tables and sums for ``agents``, kept between calls (fresh
        megabyte-sized arrays each step cost page faults that doubled the time)."""
        if self._work is None or self._work[0] != agents:
            chunks = -(-agents // LANES)
            self._work = (agents,
                          np.zeros((chunks * LANES, self.blocks * BLOCK), dtype=np.float32),
                          np.empty((chunks, self.blocks, _ENTRIES, LANES), dtype=np.float32),
                          np.empty((chunks, self.n, LANES), dtype=np.float32))
        return self._work[1:]


def _entry_offsets(positive: np.ndarray) -> np.ndarray:
    """Where in a chunk's tables each row's sign patterns sit, tile by tile: ``offsets[tile,
    i, b] = (block * 2**BLOCK + pattern) * LANES`` for ``block = tile * TILE + b``, with bit
    ``k`` of the pattern set where the sign of column ``block * BLOCK + k`` is ``+`` (zero
    past the last block)."""
    n = positive.shape[0]
    blocks = -(-n // BLOCK)
    padded = np.zeros((n, blocks * BLOCK), dtype=np.uint8)
    padded[:, :n] = positive
    bits = padded.reshape(n, blocks, BLOCK) << np.arange(BLOCK, dtype=np.uint8)
    patterns = bits.sum(axis=2, dtype=np.int32)
    offsets = (np.arange(blocks, dtype=np.int32) * _ENTRIES + patterns) * np.int32(LANES)
    tiles = -(-blocks // TILE)
    tiled = np.zeros((n, tiles * TILE), dtype=np.int32)
    tiled[:, :blocks] = offsets
    return np.ascontiguousarray(tiled.reshape(n, tiles, TILE).transpose(1, 0, 2))


@nb.njit(cache=True)
def build_tables(x, tables):
    """``tables[chunk, block, pattern, lane]`` = the sum over the block's four columns ``j``
    of ``+x[agent, j]`` where the pattern's bit is set and ``-x[agent, j]`` where it is not,
    ``agent = chunk * LANES + lane`` (``x`` is zero-padded to whole blocks). Entry
    ``pattern + 2**k`` is entry ``pattern`` plus ``2 x_k``, written out for ``BLOCK = 4``.

    One thread: inside K2000 SB runs (16 agents) a parallel build took 123 µs a call against
    46 µs serially (waking the second thread cost more than it saved)."""
    chunks, blocks = tables.shape[0], tables.shape[1]
    two = np.float32(2.0)
    for job in range(chunks * blocks):
        chunk, block = job // blocks, job % blocks
        table = tables[chunk, block]
        col = block * BLOCK
        for lane in range(LANES):
            agent = chunk * LANES + lane
            x0, x1, x2, x3 = x[agent, col], x[agent, col + 1], x[agent, col + 2], x[agent, col + 3]
            d0, d1, d2, d3 = two * x0, two * x1, two * x2, two * x3
            e0 = -(x0 + x1 + x2 + x3)
            e1 = e0 + d0
            e2, e3 = e0 + d1, e1 + d1
            e4, e5, e6, e7 = e0 + d2, e1 + d2, e2 + d2, e3 + d2
            table[0, lane], table[1, lane], table[2, lane], table[3, lane] = e0, e1, e2, e3
            table[4, lane], table[5, lane], table[6, lane], table[7, lane] = e4, e5, e6, e7
            table[8, lane], table[9, lane], table[10, lane], table[11, lane] = (
                e0 + d3, e1 + d3, e2 + d3, e3 + d3)
            table[12, lane], table[13, lane], table[14, lane], table[15, lane] = (
                e4 + d3, e5 + d3, e6 + d3, e7 + d3)


def _lookup_sums_py(offsets, tables, sums, parts):
    """``sums[chunk * n + i, lane]`` = the sum over blocks of the table entries row ``i``'s
    offsets select.

    Rows are split into ``parts`` ranges per chunk of agents (one job each); a job walks the
    blocks tile by tile, and for each tile runs all its rows, so the tile's tables (32 KB)
    stay in the L1 cache (25% faster than walking each row through all 512 KB of tables).
    The sixteen lanes are sixteen named accumulators so that LLVM's SLP vectoriser (enabled
    for this kernel alone, see :func:`_compile_with_slp`) turns each block's sixteen
    additions into one vector add; ``uintp`` indices carry no negative-index wraparound that
    would stop it. Four blocks are summed per addition to an accumulator, which shortens the
    chain of dependent additions (22% faster with 64 agents); ``TILE`` is a multiple of four,
    so the order of additions does not depend on the tiling.
    """
    tiles, n, tile = offsets.shape
    chunks = sums.shape[0] // n
    blocks = tables.shape[0] // (chunks * (1 << BLOCK) * LANES)
    chunk_size = np.uintp(blocks * (1 << BLOCK) * LANES)
    for job in nb.prange(chunks * parts):
        chunk, part = job // parts, job % parts
        base = np.uintp(chunk) * chunk_size
        for t in range(tiles):
            width = min(tile, blocks - t * tile)
            for i in range(part * n // parts, (part + 1) * n // parts):
                row = offsets[t, i]
                out = sums[chunk * n + i]
                if t == 0:
                    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = np.float32(0.0)
                    s8 = s9 = s10 = s11 = s12 = s13 = s14 = s15 = np.float32(0.0)
                else:
                    s0, s1, s2, s3, s4, s5, s6, s7 = (out[0], out[1], out[2], out[3],
                                                      out[4], out[5], out[6], out[7])
                    s8, s9, s10, s11, s12, s13, s14, s15 = (out[8], out[9], out[10], out[11],
                                                            out[12], out[13], out[14], out[15])
                block = 0
                while block + 4 <= width:  # four entries per addition to an accumulator
                    p = base + np.uintp(row[block])
                    q = base + np.uintp(row[block + 1])
                    r = base + np.uintp(row[block + 2])
                    u = base + np.uintp(row[block + 3])
                    s0 += (tables[p] + tables[q]) + (tables[r] + tables[u])
                    s1 += ((tables[p + _U[1]] + tables[q + _U[1]])
                           + (tables[r + _U[1]] + tables[u + _U[1]]))
                    s2 += ((tables[p + _U[2]] + tables[q + _U[2]])
                           + (tables[r + _U[2]] + tables[u + _U[2]]))
                    s3 += ((tables[p + _U[3]] + tables[q + _U[3]])
                           + (tables[r + _U[3]] + tables[u + _U[3]]))
                    s4 += ((tables[p + _U[4]] + tables[q + _U[4]])
                           + (tables[r + _U[4]] + tables[u + _U[4]]))
                    s5 += ((tables[p + _U[5]] + tables[q + _U[5]])
                           + (tables[r + _U[5]] + tables[u + _U[5]]))
                    s6 += ((tables[p + _U[6]] + tables[q + _U[6]])
                           + (tables[r + _U[6]] + tables[u + _U[6]]))
                    s7 += ((tables[p + _U[7]] + tables[q + _U[7]])
                           + (tables[r + _U[7]] + tables[u + _U[7]]))
                    s8 += ((tables[p + _U[8]] + tables[q + _U[8]])
                           + (tables[r + _U[8]] + tables[u + _U[8]]))
                    s9 += ((tables[p + _U[9]] + tables[q + _U[9]])
                           + (tables[r + _U[9]] + tables[u + _U[9]]))
                    s10 += ((tables[p + _U[10]] + tables[q + _U[10]])
                           + (tables[r + _U[10]] + tables[u + _U[10]]))
                    s11 += ((tables[p + _U[11]] + tables[q + _U[11]])
                           + (tables[r + _U[11]] + tables[u + _U[11]]))
                    s12 += ((tables[p + _U[12]] + tables[q + _U[12]])
                           + (tables[r + _U[12]] + tables[u + _U[12]]))
                    s13 += ((tables[p + _U[13]] + tables[q + _U[13]])
                           + (tables[r + _U[13]] + tables[u + _U[13]]))
                    s14 += ((tables[p + _U[14]] + tables[q + _U[14]])
                           + (tables[r + _U[14]] + tables[u + _U[14]]))
                    s15 += ((tables[p + _U[15]] + tables[q + _U[15]])
                           + (tables[r + _U[15]] + tables[u + _U[15]]))
                    block += 4
                while block < width:
                    p = base + np.uintp(row[block])
                    s0 += tables[p]
                    s1 += tables[p + _U[1]]
                    s2 += tables[p + _U[2]]
                    s3 += tables[p + _U[3]]
                    s4 += tables[p + _U[4]]
                    s5 += tables[p + _U[5]]
                    s6 += tables[p + _U[6]]
                    s7 += tables[p + _U[7]]
                    s8 += tables[p + _U[8]]
                    s9 += tables[p + _U[9]]
                    s10 += tables[p + _U[10]]
                    s11 += tables[p + _U[11]]
                    s12 += tables[p + _U[12]]
                    s13 += tables[p + _U[13]]
                    s14 += tables[p + _U[14]]
                    s15 += tables[p + _U[15]]
                    block += 1
                out[0], out[1], out[2], out[3] = s0, s1, s2, s3
                out[4], out[5], out[6], out[7] = s4, s5, s6, s7
                out[8], out[9], out[10], out[11] = s8, s9, s10, s11
                out[12], out[13], out[14], out[15] = s12, s13, s14, s15


def _compile_with_slp(function):
    """Compile ``function`` (eagerly, for its one signature) with LLVM's SLP vectoriser on.

    Numba turns SLP vectorisation off by default (it miscompiled some loops; numba PR
    #8852), and reads the setting each time it optimises a compiled module, so switching it
    on around this one compilation leaves every other kernel as numba builds it. The lookup
    kernel is tested against ``x @ J`` (tests/emulators/test_sign_product.py).
    """
    saved = nb.config.SLP_VECTORIZE
    nb.config.SLP_VECTORIZE = 1
    try:
        return nb.njit("void(int32[:, :, ::1], float32[::1], float32[:, ::1], int64)",
                       cache=True, parallel=True)(function)
    finally:
        nb.config.SLP_VECTORIZE = saved


@functools.cache
def lookup_sums_kernel():
    """The compiled lookup kernel (compiled, or loaded from numba's cache, on first use)."""
    return _compile_with_slp(_lookup_sums_py)
