"""Parallel-flip annealing: every spin (or every spin of one colour) updated at once.

Schemes
-------
``"momentum"`` — momentum annealing, Okuyama, Sonobe, Kawarabayashi & Yamaoka, Phys. Rev. E
    100, 012111 (2019). The model is doubled into a bipartite pair of layers joined by
    self-couplings ``w_i``; updating one layer from the other sets every spin at once from
    the previous state: ``s_i <- sign(c_k w_i s_i - (J s + h)_i + noise)``. ``w_i`` must be at
    least the largest eigenvalue of ``J`` for the doubled model's ground states to be
    copies of the original's, so the ramp ``c_k`` rises from 0 (fast, oscillating
    exploration) to 1 (convergent); a dropout ``p_k`` (falling linearly from ``dropout`` to
    0) zeroes random self-couplings, as in the paper.
``"sca"`` — stochastic cellular automata annealing, Yamamoto et al., ISSCC 2017 (STATICA):
    the same synchronous rule with a constant self-coupling (the pinning term ``q``).
``"colour"`` — graph-colouring (checkerboard) Metropolis: a greedy colouring (networkx,
    largest first) splits the spins into classes with no coupler inside a class, and each
    class is updated at once with Metropolis acceptance. For sparse models; on a dense model
    every spin gets its own colour and this is ordinary sequential annealing.

Our choices where the papers' exact schedules were not available to us: temperatures
geometric from ``1/beta_hot`` to ``1/beta_cold`` (dwave-samplers' default range rule), a
linear self-coupling ramp, heat-bath (logistic) noise ``(T/2) log(u / (1 - u))``, and
``w_i = max(lambda_max(J), 0)`` for every spin (half of it for SCA's constant ``q``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emulators._core import (
    EmulatorSampler,
    IsingArrays,
    KernelResult,
    array_module,
    check_choice,
    check_positive_float,
    check_positive_int,
    kernel_seeds,
)
from emulators.bifurcation import kernels_cpu, kernels_xp
from emulators.bifurcation._common import (
    beta_range,
    colour_classes,
    largest_eigenvalue,
    model_coupling,
    run_engine,
)
from emulators.bifurcation.sb_sampler import _spec
from emulators.machine import MachineSpec

__all__ = ["AUTO_CPU_KERNEL", "ParallelFlipAnnealingSampler", "SCHEMES"]

SCHEMES = ("momentum", "sca", "colour")
#: CPU kernel per scheme for ``cpu_kernel="auto"``: the faster in our measurement on G1
#: (16 replicas × 300 sweeps, loaded 2-core machine): momentum numpy 1.5 s vs numba 4.6 s
#: (many spins flip per sweep, so batched sparse products win); SCA numba 1.1 s vs numpy
#: 2.4 s; colour numba 1.8 s vs numpy 6.4 s.
AUTO_CPU_KERNEL = {"momentum": "numpy", "sca": "numba", "colour": "numba"}


def _beta_pair(value: Any, default: tuple[float, float]) -> tuple[float, float]:
    if value is None:
        return default
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"beta_range must be a pair (hot, cold) of positive numbers, got "
                        f"{value!r}")
    hot = check_positive_float("beta_range[0]", value[0])
    cold = check_positive_float("beta_range[1]", value[1])
    if cold < hot:
        raise ValueError(f"beta_range must rise from hot to cold, got {value!r}")
    return hot, cold


class ParallelFlipAnnealingSampler(EmulatorSampler):
    """All-spins-at-once annealing over many replicas (``num_reads``), a dimod sampler.

    See the module docstring for the three schemes and the papers they follow.

    Keyword arguments of :meth:`sample` (besides ``num_reads``, ``seed``, ``record_trace``,
    ``backend``): ``scheme`` ("momentum" default, "sca", "colour"), ``num_sweeps`` (1000;
    one sweep updates every spin once), ``beta_range`` (None: automatic; or ``(hot, cold)``),
    ``self_coupling`` (None: the largest eigenvalue of J for momentum, half of it for sca
    — better on G1 in our runs than the full value), ``dropout``
    (0.5: initial dropout rate, momentum only), ``energy_interval`` (5), ``stop_window``
    (None, or stop once every replica's state has been unchanged that many sweeps),
    ``initial_states`` (None: random), ``cpu_kernel`` ("auto": the faster per scheme, see
    :data:`AUTO_CPU_KERNEL`; "numba": numba kernels with delta fields; "numpy": the array
    code the GPU runs).

    Parameters
    ----------
    spec:
        A :class:`~emulators.machine.MachineSpec`, a preset name or None. Default ``"ma-gpu"``.
    """

    backends = ("cpu", "gpu")
    _common_parameters = {**EmulatorSampler._common_parameters, "num_reads": 64}
    _kernel_parameters = {
        "scheme": "momentum",
        "num_sweeps": 1000,
        "beta_range": None,
        "self_coupling": None,
        "dropout": 0.5,
        "energy_interval": 5,
        "stop_window": None,
        "initial_states": None,
        "cpu_kernel": "auto",
    }

    def __init__(self, spec: MachineSpec | str | None = "ma-gpu") -> None:
        self.spec = _spec(spec)

    def _sample_arrays(self, arrays: IsingArrays, rng: np.random.Generator, *, num_reads: int,
                       record_trace: bool, backend: str, scale: float,
                       **params: Any) -> KernelResult:
        scheme = check_choice("scheme", params["scheme"], SCHEMES)
        sweeps = check_positive_int("num_sweeps", params["num_sweeps"])
        dropout = check_positive_float("dropout", params["dropout"], allow_zero=True,
                                       maximum=1.0)
        interval = check_positive_int("energy_interval", params["energy_interval"])
        window = params["stop_window"]
        if window is not None:
            window = check_positive_int("stop_window", window)
        cpu_kernel = check_choice("cpu_kernel", params["cpu_kernel"],
                                  ("auto", "numba", "numpy"))
        coupling = model_coupling(arrays, "direct")
        hot, cold = _beta_pair(params["beta_range"], beta_range(coupling))
        betas = hot * (cold / hot) ** (np.arange(sweeps) / max(1, sweeps - 1))
        spins = params["initial_states"]
        if cpu_kernel == "auto":
            cpu_kernel = AUTO_CPU_KERNEL[scheme]
        use_numba = backend == "cpu" and cpu_kernel == "numba"
        xp = np if use_numba else array_module(backend)
        info: dict[str, Any] = {"scheme": scheme, "beta_range": (hot, cold)}

        if scheme == "colour":
            classes = colour_classes(coupling)
            info["num_colours"] = len(classes)
            if use_numba:
                engine = kernels_cpu.ColourMetropolisCpu(
                    coupling.matrix, coupling.h, coupling.offset, classes=classes, betas=betas,
                    spins=spins, seeds=kernel_seeds(rng, num_reads))
            else:
                engine = kernels_xp.ColourMetropolisXp(
                    xp, kernels_xp.CouplingMatrix(xp, coupling.matrix), coupling.h,
                    coupling.offset, classes=classes, betas=betas, spins=spins,
                    seed=int(kernel_seeds(rng, 1)[0]))
        else:
            if params["self_coupling"] is None:
                strength = max(largest_eigenvalue(coupling, "LA"), 0.0)
                if scheme == "sca":
                    strength /= 2.0
            else:
                strength = check_positive_float("self_coupling", params["self_coupling"],
                                                allow_zero=True)
            w = np.full(coupling.num_spins, strength)
            ramp = np.arange(sweeps) / max(1, sweeps - 1)
            if scheme == "momentum":
                couplings, dropouts = ramp, dropout * (1.0 - ramp)
            else:
                couplings, dropouts = np.ones(sweeps), np.zeros(sweeps)
            info["self_coupling"] = strength
            schedule = dict(w=w, temperatures=1.0 / betas, couplings=couplings,
                            dropouts=dropouts, energy_interval=interval, spins=spins)
            if use_numba:
                engine = kernels_cpu.ParallelFlipCpu(
                    coupling.matrix, coupling.h, coupling.offset,
                    seeds=kernel_seeds(rng, num_reads), **schedule)
            else:
                engine = kernels_xp.ParallelFlipXp(
                    xp, kernels_xp.CouplingMatrix(xp, coupling.matrix), coupling.h,
                    coupling.offset, seed=int(kernel_seeds(rng, 1)[0]), **schedule)
        info["kernel"] = "numba-delta" if use_numba else ("cupy" if backend == "gpu"
                                                          else "numpy")
        steps, trace = run_engine(engine, sweeps, record_trace=record_trace,
                                  stop_window=window, sync=self._sync(backend))
        info["num_sweeps_run"] = steps
        info["stopped_early"] = steps < sweeps
        return KernelResult(spins=engine.best_states(), steps=steps, trace=trace, info=info)
