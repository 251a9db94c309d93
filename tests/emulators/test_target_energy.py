"""``target_energy``: every sampler stops its reads at a known ground state, reports when,
and gives the samples it gives without a target when the target is never reached."""

from __future__ import annotations

import math

import dimod
import networkx as nx
import numpy as np
import pytest

from emulators import (
    DigitalAnnealerSampler,
    ParallelFlipAnnealingSampler,
    ParallelTemperingSampler,
    QuantumAnnealerEmbeddingSampler,
    QuantumAnnealerSampler,
    SimulatedAnnealingSampler,
    SimulatedBifurcationSampler,
)
from emulators._core.arrays import ising_arrays
from emulators._core.target import RELATIVE_TOLERANCE, EnergyTarget, TargetStop
from emulators.digital_annealer.engine import Engine, ExchangePlan
from emulators.digital_annealer.presets import user_spec


def planted(n: int = 120, degree: int = 3, seed: int = 0, vartype: str = "SPIN"):
    """A sparse model without frustration whose only ground state is a random ``s*``
    (``J_ij = -s*_i s*_j``, ``h_i = -s*_i / 2``), and its ground energy."""
    graph = nx.random_regular_graph(degree, n, seed=seed)
    star = np.random.default_rng(seed).choice([-1, 1], n)
    bqm = dimod.BQM.from_ising({i: -0.5 * float(star[i]) for i in range(n)},
                               {(u, v): -float(star[u] * star[v]) for u, v in graph.edges})
    energy = -(graph.number_of_edges() + 0.5 * n)
    return (bqm if vartype == "SPIN" else bqm.change_vartype("BINARY", inplace=False)), energy


CASES = {
    "sa-lanes": (SimulatedAnnealingSampler(), {"num_sweeps": 500}),
    "pt": (ParallelTemperingSampler(), {"num_sweeps": 300, "num_replicas": 6}),
    "da": (DigitalAnnealerSampler(), {"number_iterations": 20_000}),
    "da-exchange": (DigitalAnnealerSampler(), {"number_iterations": 20_000,
                                               "mode": "replica_exchange",
                                               "number_replicas": 4}),
    "sb-numpy": (SimulatedBifurcationSampler(), {"num_steps": 1000}),
    "sb-numba": (SimulatedBifurcationSampler(), {"num_steps": 1000, "cpu_kernel": "numba"}),
    "momentum": (ParallelFlipAnnealingSampler(), {"num_sweeps": 1000}),
    "sca-numba": (ParallelFlipAnnealingSampler(), {"num_sweeps": 1000, "scheme": "sca"}),
    "colour-numba": (ParallelFlipAnnealingSampler(), {"num_sweeps": 1000, "scheme": "colour"}),
    "colour-numpy": (ParallelFlipAnnealingSampler(), {"num_sweeps": 1000, "scheme": "colour",
                                                      "cpu_kernel": "numpy"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_reads_stop_at_the_ground_state_and_say_when(case):
    sampler, kwargs = CASES[case]
    bqm, ground = planted()
    total = next(v for k, v in kwargs.items() if k in ("num_sweeps", "num_steps",
                                                        "number_iterations"))
    ss = sampler.sample(bqm, num_reads=6, seed=3, target_energy=ground, **kwargs)
    np.testing.assert_allclose(ss.record.energy, ground)
    steps, seconds = ss.record.stop_step, ss.record.stop_seconds
    assert steps.dtype.kind == "i" and np.all(steps <= total) and steps.max() < total
    assert np.all(seconds >= 0)
    order = np.argsort(steps, kind="stable")
    assert np.all(np.diff(seconds[order]) >= 0)  # later steps, later seconds
    if sampler.spec is not None:  # the machine's clock counts the steps it ran
        expected = sampler.spec.clock.seconds(int(steps.max()), 6, bqm.num_variables)
        assert ss.info["timing"]["modelled_hardware_s"] == pytest.approx(expected)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_target_never_reached_changes_nothing(case):
    sampler, kwargs = CASES[case]
    bqm, ground = planted(seed=1)
    plain = sampler.sample(bqm, num_reads=5, seed=4, **kwargs)
    missed = sampler.sample(bqm, num_reads=5, seed=4, target_energy=ground - 1.0, **kwargs)
    np.testing.assert_array_equal(plain.record.sample, missed.record.sample)
    assert "stop_step" not in plain.record.dtype.names
    total = next(v for k, v in kwargs.items() if k in ("num_sweeps", "num_steps",
                                                        "number_iterations"))
    assert np.all(missed.record.stop_step == total)
    assert plain.info["timing"]["modelled_hardware_s"] == pytest.approx(
        missed.info["timing"]["modelled_hardware_s"], nan_ok=True)


def test_the_scalar_annealer_and_binary_models_stop_too():
    bqm, ground = planted(n=40, vartype="BINARY")  # 40 variables: dense, scalar kernel
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=4, num_sweeps=400, seed=1,
                                            target_energy=ground)
    assert ss.info["kernel"] == "scalar" and ss.info["storage"]["layout"] == "dense"
    np.testing.assert_allclose(ss.record.energy, ground)
    assert ss.record.stop_step.max() < 400


def test_a_read_already_at_the_target_runs_no_sweep():
    bqm, ground = planted()
    star = {v: int(-np.sign(bqm.linear[v])) for v in bqm.variables}  # h_i = -s*_i / 2
    for sampler, kwargs in ((SimulatedAnnealingSampler(), {"num_sweeps": 50}),
                            (ParallelTemperingSampler(), {"num_sweeps": 50,
                                                          "num_replicas": 3}),
                            (DigitalAnnealerSampler(), {"number_iterations": 500})):
        ss = sampler.sample(bqm, num_reads=3, seed=0, initial_states=star,
                            target_energy=ground, **kwargs)
        assert np.all(ss.record.stop_step == 0)
        np.testing.assert_allclose(ss.record.energy, ground)


@pytest.mark.parametrize("sampler, kwargs", [
    (DigitalAnnealerSampler("DA1"), {"number_iterations": 20_000}),
    (DigitalAnnealerSampler("DA1"), {"number_iterations": 20_000, "mode": "replica_exchange",
                                     "number_replicas": 4}),
    (SimulatedBifurcationSampler("sb-fpga-2k-int8"), {"num_steps": 2000}),
    (SimulatedBifurcationSampler("sb-fpga-2k-int8"), {"num_steps": 2000,
                                                      "cpu_kernel": "numba"}),
], ids=["da1", "da1-exchange", "sb-int8-numpy", "sb-int8-numba"])
def test_a_machine_that_rounds_the_model_stops_on_your_models_energy(sampler, kwargs):
    """DA1 and the int8 FPGA store ``h = 0.5`` rounded: the stored ground state's energy is
    not the target times the scale, so reads are checked on the model as given."""
    bqm, ground = planted(n=80)
    ss = sampler.sample(bqm, num_reads=4, seed=2, target_energy=ground, **kwargs)
    assert ss.info["fit"].max_abs_error > 0  # the stored model is rounded
    np.testing.assert_allclose(ss.record.energy, ground)
    total = kwargs.get("number_iterations", kwargs.get("num_steps"))
    assert ss.record.stop_step.max() < total


def test_decomposition_checks_the_target_after_block_solves():
    bqm, ground = planted(n=16, degree=3, seed=5)
    sampler = DigitalAnnealerSampler(user_spec("half", capacity=8))
    kwargs = {"num_reads": 6, "number_iterations": 1000, "decomposition": True, "seed": 2}
    plain = sampler.sample(bqm, **kwargs)
    ss = sampler.sample(bqm, target_energy=ground, **kwargs)
    reached = np.isclose(ss.record.energy, ground)
    assert reached.any() and np.all(ss.record.stop_step % 1000 == 0)  # whole block solves
    # the runs that never reached it did what they do without a target
    np.testing.assert_array_equal(ss.record.sample[~reached], plain.record.sample[~reached])


def test_digital_annealer_array_path_stops_rows_on_the_device():
    """The xp code the GPU runs, with numpy: annealing and replica exchange."""
    bqm, ground = planted(n=30)
    arrays = ising_arrays(bqm, layout="dense")
    start = np.random.default_rng(0).choice([-1, 1], size=(4, 30)).astype(np.int8)
    temps = np.geomspace(3.0, 0.02, 40)
    engine = Engine(arrays, np, np.random.default_rng(1), 0.0, False, 1.0)
    stop = TargetStop(EnergyTarget(ground), 4)
    spins, _ = engine.anneal(arrays, start, temps, 50, 2000, False, stop)
    np.testing.assert_allclose(arrays.energies(spins), ground)
    assert np.all((stop.steps > 0) & (stop.steps < 2000))
    stop = TargetStop(EnergyTarget(ground), 4, steps_per_mark=10)
    plan = ExchangePlan(number_replicas=4, replica_exchange_interval=10,
                        number_iterations=2000, temperature_ladder="exponential")
    spins, _, _, _ = engine.replica_exchange(start, 3.0, 0.02, plan, False, stop)
    np.testing.assert_allclose(arrays.energies(spins), ground)
    assert np.all((stop.steps > 0) & (stop.steps < 2000))


def test_quantum_annealers_accept_a_target_but_run_every_read_in_full():
    bqm, ground = planted(n=12, degree=3)
    composite = QuantumAnnealerEmbeddingSampler("Chimera-C4")
    kwargs = {"num_reads": 5, "num_sweeps": 100, "backend": "sqa-trotter", "seed": 3,
              "answer_mode": "raw"}
    plain = composite.sample(bqm, **kwargs)
    target = composite.sample(bqm, target_energy=ground, **kwargs)
    np.testing.assert_array_equal(plain.record.sample, target.record.sample)
    assert np.all(target.record.stop_step == 100) and np.all(target.record.stop_seconds > 0)
    child = QuantumAnnealerSampler("Chimera-C4")
    native = dimod.BQM.from_ising({0: 0.5}, {(0, 4): -1.0})
    ss = child.sample(native, num_reads=3, seed=1, target_energy=-1.5, answer_mode="raw",
                      backend="classical")
    assert np.all(ss.record.stop_step == ss.info["num_sweeps"])


def test_the_tolerance_and_bad_targets():
    stop = TargetStop(EnergyTarget(-10.0), 2, scale=4.0, offset=1.0)
    assert stop.threshold == pytest.approx((-10.0 + 10 * RELATIVE_TOLERANCE - 1.0) * 4.0)
    assert not TargetStop(None, 2).enabled and TargetStop(None, 2).record(5) is None
    bqm, _ = planted(n=20)
    for bad, error in ((math.nan, ValueError), (math.inf, ValueError), ("low", TypeError),
                       (True, TypeError)):
        with pytest.raises(error, match="target_energy"):
            SimulatedAnnealingSampler().sample(bqm, num_reads=1, num_sweeps=2,
                                               target_energy=bad)


def test_every_sampler_lists_target_energy():
    for sampler in (SimulatedAnnealingSampler(), ParallelTemperingSampler(),
                    DigitalAnnealerSampler(), SimulatedBifurcationSampler(),
                    ParallelFlipAnnealingSampler(), QuantumAnnealerSampler("Chimera-C4"),
                    QuantumAnnealerEmbeddingSampler("Chimera-C4")):
        assert "target_energy" in sampler.parameters
