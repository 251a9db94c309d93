"""Quantum-annealer emulator benchmarks.

* wall time per read of the SQA backends (dwave-samplers' continuous-time path-integral
  sampler, and our discrete-time Trotter kernel) and of the classical backend on a ±1 spin
  glass over the whole Pegasus P16 graph (5,640 qubits, 40,484 couplers);
* success probability with and without control errors on embedded G-set sub-problems
  (breadth-first neighbourhoods of 20–60 vertices of G1 and G22), printed as a table; TTS99
  uses the modelled time of one read (anneal + readout + delay, programming excluded).

Run: .venv/bin/pytest tests/benchmarks/test_quantum_annealer_speed.py -m bench -s
"""

from __future__ import annotations

import math
import time
from collections import deque
from pathlib import Path

import dimod
import numpy as np
import pytest
from dwave.samplers import SimulatedAnnealingSampler

from emulators.machine import ground_states
from emulators.quantum_annealer import QuantumAnnealerEmbeddingSampler, QuantumAnnealerSampler

SWEEPS = 10


@pytest.fixture(scope="module")
def advantage() -> QuantumAnnealerSampler:
    return QuantumAnnealerSampler("Advantage")


@pytest.fixture(scope="module")
def full_graph_glass(advantage) -> dimod.BinaryQuadraticModel:
    rng = np.random.default_rng(0)
    couplers = {e: float(rng.choice([-1.0, 1.0])) for e in advantage.edgelist}
    return dimod.BQM.from_ising({q: 0.0 for q in advantage.nodelist}, couplers)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqa", "sqa-trotter", "classical"])
def test_time_per_read_full_pegasus(benchmark, advantage, full_graph_glass, backend):
    """One read of ``SWEEPS`` sweeps over all 5,640 qubits (wall clock, this machine)."""
    kw = {"num_reads": 1, "num_sweeps": SWEEPS, "backend": backend, "answer_mode": "raw"}
    result = benchmark.pedantic(advantage.sample, args=(full_graph_glass,),
                                kwargs={**kw, "seed": 1}, rounds=3, iterations=1)
    assert len(result) == 1
    assert result.first.energy < 0
    per_read = benchmark.stats.stats.median
    kernel = result.info["timing"]["sampling_ns"] * 1e-9
    updates = SWEEPS * len(advantage.nodelist)
    benchmark.extra_info.update(
        qubits=len(advantage.nodelist), couplers=len(advantage.edgelist), sweeps=SWEEPS,
        seconds_per_read=per_read, kernel_seconds=kernel, ns_per_spin_update=kernel / updates
        * 1e9,
    )
    print(f"\n{backend}: {per_read:.3f} s per call of 1 read x {SWEEPS} sweeps on P16, of which "
          f"sampling {kernel:.3f} s ({kernel / updates * 1e9:.0f} ns per spin update)")


# --------------------------------------------------------------------------- success table
def _read_gset(path: Path) -> tuple[int, np.ndarray, np.ndarray]:
    with path.open() as handle:
        n, _ = (int(x) for x in handle.readline().split()[:2])
        table = np.loadtxt(handle, ndmin=2)
    return n, table[:, :2].astype(np.int64) - 1, table[:, 2]


def _neighbourhood_model(path: Path, size: int, start: int = 0) -> dimod.BinaryQuadraticModel:
    """Max-cut Ising model ``E = sum w_ij s_i s_j`` on ``size`` vertices reached by BFS."""
    n, ends, weights = _read_gset(path)
    adjacency: list[list[int]] = [[] for _ in range(n)]
    for (u, v) in ends:
        adjacency[u].append(v)
        adjacency[v].append(u)
    seen, queue = [start], deque([start])
    while queue and len(seen) < size:
        for w in sorted(adjacency[queue.popleft()]):
            if w not in seen and len(seen) < size:
                seen.append(w)
                queue.append(w)
    chosen = set(seen)
    couplers: dict[tuple[int, int], float] = {}
    for (u, v), w in zip(ends, weights, strict=True):
        if u in chosen and v in chosen:
            key = (int(min(u, v)), int(max(u, v)))
            couplers[key] = couplers.get(key, 0.0) + float(w)
    return dimod.BQM.from_ising({v: 0.0 for v in seen}, couplers)


def _target(bqm: dimod.BinaryQuadraticModel) -> tuple[float, str]:
    if bqm.num_variables <= 22:
        return ground_states(bqm)[0], "exact"
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=200, num_sweeps=5000, seed=0,
                                            randomize_order=True)
    return float(ss.first.energy), "best of SA 200x5000"


def _tts99(p: float, t_read: float) -> float:
    if p <= 0:
        return math.inf
    if p >= 0.99:
        return t_read
    return t_read * math.log(0.01) / math.log(1 - p)


CASES = [("G1", 20), ("G1", 40), ("G22", 40), ("G22", 60)]
NOISE = [0.0, 0.05, 0.1, 0.2]
CALLS, READS = 10, 20
BACKENDS = ("sqa", "sqa-trotter", "classical")


@pytest.mark.slow
def test_success_with_and_without_control_errors(benchmark, gset_dir):
    """p_s of embedded G-set neighbourhoods against the control-error width (h and J alike).

    Each setting is ``CALLS`` calls of ``READS`` reads (a fresh control-error draw per call),
    annealing time 20 us (100 sweeps), Advantage preset, default chain strength.
    """
    sampler = QuantumAnnealerEmbeddingSampler("Advantage")
    rows: list[dict] = []

    def run() -> None:
        for name, size in CASES:
            bqm = _neighbourhood_model(gset_dir / f"{name}.txt", size)
            target, source = _target(bqm)
            for backend in BACKENDS:
                for noise in NOISE:
                    energies, breaks, started = [], [], time.perf_counter()
                    for call in range(CALLS):
                        ss = sampler.sample(bqm, num_reads=READS, seed=100 + call,
                                            backend=backend, h_noise=noise, j_noise=noise,
                                            answer_mode="raw")
                        energies.append(ss.record.energy)
                        breaks.append(ss.info["chain_break_fraction_mean"])
                    energies = np.concatenate(energies)
                    t = ss.info["timing"]
                    t_read = (t["qpu_anneal_time_per_sample"] + t["qpu_readout_time_per_sample"]
                              + t["qpu_delay_time_per_sample"]) * 1e-6
                    p = float(np.mean(energies <= target + 1e-9))
                    rows.append({
                        "instance": f"{name}[{size}]", "edges": bqm.num_interactions,
                        "qubits": ss.info["chains"]["qubits_used"],
                        "longest_chain": ss.info["chains"]["longest_chain"],
                        "target": f"{target:g} ({source})", "backend": backend,
                        "noise": noise, "p_s": p, "chain_breaks": float(np.mean(breaks)),
                        "tts99_modelled_ms": _tts99(p, t_read) * 1e3,
                        "wall_s": time.perf_counter() - started,
                    })

    benchmark.pedantic(run, rounds=1, iterations=1)
    header = (f"{'instance':<10} {'edges':>5} {'qubits':>6} {'chain':>5} {'backend':<11} "
              f"{'noise':>5} {'p_s':>6} {'breaks':>6} {'TTS99 ms':>9} {'wall s':>6}  target")
    print("\n" + header + "\n" + "-" * len(header))
    for r in rows:
        print(f"{r['instance']:<10} {r['edges']:>5} {r['qubits']:>6} {r['longest_chain']:>5} "
              f"{r['backend']:<11} {r['noise']:>5.2f} {r['p_s']:>6.2f} {r['chain_breaks']:>6.3f} "
              f"{r['tts99_modelled_ms']:>9.3f} {r['wall_s']:>6.1f}  {r['target']}")
    benchmark.extra_info["rows"] = rows
    assert len(rows) == len(CASES) * len(BACKENDS) * len(NOISE)
    assert all(0.0 <= r["p_s"] <= 1.0 for r in rows)
