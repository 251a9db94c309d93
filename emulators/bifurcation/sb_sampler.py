"""Simulated bifurcation sampler (Toshiba's SB machine, emulated).

Follows Goto, Tatsumura & Dixon, Sci. Adv. 5 eaav2372 (2019) (aSB), Goto et al., Sci. Adv. 7
eabe7953 (2021) (bSB, dSB) and Kanao & Goto, Commun. Phys. 5, 153 (2022) (heated variants).
"""

from __future__ import annotations

import math
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
)
from emulators.bifurcation import kernels_cpu, kernels_xp
from emulators.bifurcation._common import (
    coupling_rms,
    largest_eigenvalue,
    model_coupling,
    run_engine,
)
from emulators.machine import MachineSpec, get_preset

__all__ = ["SimulatedBifurcationSampler", "VARIANTS"]

#: variant name -> (equation, heated)
VARIANTS = {
    "aSB": (kernels_cpu.ASB, False),
    "bSB": (kernels_cpu.BSB, False),
    "dSB": (kernels_cpu.DSB, False),
    "hbSB": (kernels_cpu.BSB, True),
    "hdSB": (kernels_cpu.DSB, True),
}
#: Default time step per equation (Goto et al. 2021 use 1.25 for bSB/dSB; aSB's x^3 term
#: needs a smaller step: our choice).
DEFAULT_DT = {kernels_cpu.ASB: 0.5, kernels_cpu.BSB: 1.25, kernels_cpu.DSB: 1.25}


#: Fraction of the symplectic-Euler stability limit the automatic time step stays below.
STABILITY_MARGIN = 0.9


def stable_time_step(equation: int, a0: float, c0: float, spectral_radius: float) -> float:
    """The default time step for ``equation``, lowered where the model needs it (our rule).

    At ``a = 0`` the stiffest mode of ``x'' = -a0 (a0 + c0 lambda) x`` has
    ``omega^2 = a0 (a0 + c0 rho)`` (``rho`` the spectral radius of ``J``); symplectic Euler
    is stable for ``dt omega < 2``, and aSB/bSB stay below 0.9 of that limit. dSB's force
    does not shrink with ``x``, so its step is divided by ``(1 + c0 rho) / 2`` instead
    (measured on G1: larger steps make most signs flip every step). For SK-like models
    ``c0 rho ~ 1`` and Goto's 1.25 is kept; sparse graphs with positive weights (G-set) have
    ``c0 rho`` of several and get smaller steps, without which the agents lock into one
    oscillating uniform mode.
    """
    preferred = DEFAULT_DT[equation]
    gain = c0 * spectral_radius
    if equation == kernels_cpu.DSB:
        return preferred / max(1.0, (1.0 + gain) / 2.0)
    omega = math.sqrt(a0 * (a0 + gain))
    return min(preferred, STABILITY_MARGIN * 2.0 / omega)


def _spec(spec: MachineSpec | str | None) -> MachineSpec | None:
    if spec is None or isinstance(spec, MachineSpec):
        return spec
    if isinstance(spec, str):
        return get_preset(spec)
    raise TypeError(f"spec must be a MachineSpec, a preset name or None, got {type(spec).__name__}")


class SimulatedBifurcationSampler(EmulatorSampler):
    """Simulated bifurcation over many agents (``num_reads`` = agents), a dimod sampler.

    Each agent has positions ``x`` and momenta ``y`` (one per spin) integrated by symplectic
    Euler with time step ``dt``; the pump ``a(t)`` rises linearly from 0 to ``a0`` over
    ``num_steps`` steps. In this project's sign convention (energy ``h.s + s.J.s / 2``),
    with ``f = -c0 (J x + h)`` the force from the model:

    * aSB: ``y += dt (-(x^2 + a0 - a) x + f)``, ``x += dt a0 y``;
    * bSB: ``y += dt (-(a0 - a) x + f)``, ``x += dt a0 y``; then inelastic walls: where
      ``|x| > 1``, ``x = sign(x)`` and ``y = 0``;
    * dSB: as bSB with ``f = -c0 (J sign(x) + h)``;
    * hbSB / hdSB (heated): after each step ``y += heat * dt * y_before``.

    ``c0 = 0.5 / (sigma sqrt(N))`` with ``sigma`` the RMS of the off-diagonal couplings (RMS
    of the fields when there are no couplings). External fields enter the force directly
    (``fields="direct"``, as in the equations above) or as couplings to one auxiliary spin
    (``fields="auxiliary"``; states are gauge-fixed back so that spin is +1). The sign
    states ``sign(x)`` are scored every ``energy_interval`` steps and at the end, and each
    agent returns the best it saw.

    Keyword arguments of :meth:`sample` (besides ``num_reads``, ``seed``, ``record_trace``,
    ``backend``): ``variant`` ("aSB", "bSB", "dSB", "hbSB", "hdSB"; default "bSB": a higher
    median than dSB on G1, G22 and the dense 2,000-spin model in our runs),
    ``num_steps`` (default 1000), ``dt`` (None: 1.25 for b/dSB, 0.5 for aSB, lowered by
    :func:`stable_time_step` where the model's spectrum needs it), ``a0`` (1.0),
    ``c0`` (None: the rule above), ``heat`` (0.06; used by the heated variants only),
    ``init_scale`` (0.1: initial ``x``, ``y`` uniform in ``[-init_scale, init_scale]``),
    ``energy_interval`` (5), ``stop_window`` (None: run all steps; an int: stop early once
    every agent's sign state has been unchanged for that many steps), ``fields``,
    ``cpu_kernel`` ("auto" = "numpy": the array code the GPU runs, batched through BLAS —
    measured faster than the numba kernel on dense and G-set models; "numba": the
    delta-field kernel of :mod:`~emulators.bifurcation.kernels_cpu`, float64).

    Backends: ``"cpu"`` and ``"gpu"`` (cupy: agents batched as ``(agents, N) @ (N, N)``
    products on the device; needs cupy and a CUDA device).

    Parameters
    ----------
    spec:
        A :class:`~emulators.machine.MachineSpec`, a preset name (e.g. ``"sb-gpu-fp16"``) or
        None (no quantisation). Default: ``"sb-gpu-fp32"``.
    """

    backends = ("cpu", "gpu")
    _common_parameters = {**EmulatorSampler._common_parameters, "num_reads": 64}
    _kernel_parameters = {
        "variant": "bSB",
        "num_steps": 1000,
        "dt": None,
        "a0": 1.0,
        "c0": None,
        "heat": 0.06,
        "init_scale": 0.1,
        "energy_interval": 5,
        "stop_window": None,
        "fields": "direct",
        "cpu_kernel": "auto",
    }

    def __init__(self, spec: MachineSpec | str | None = "sb-gpu-fp32") -> None:
        self.spec = _spec(spec)

    def _sample_arrays(self, arrays: IsingArrays, rng: np.random.Generator, *, num_reads: int,
                       record_trace: bool, backend: str, scale: float,
                       **params: Any) -> KernelResult:
        variant = check_choice("variant", params["variant"], tuple(VARIANTS))
        equation, heated = VARIANTS[variant]
        num_steps = check_positive_int("num_steps", params["num_steps"])
        dt = None if params["dt"] is None else check_positive_float("dt", params["dt"])
        a0 = check_positive_float("a0", params["a0"])
        heat = check_positive_float("heat", params["heat"], allow_zero=True) if heated else 0.0
        init_scale = check_positive_float("init_scale", params["init_scale"], maximum=1.0)
        interval = check_positive_int("energy_interval", params["energy_interval"])
        window = params["stop_window"]
        if window is not None:
            window = check_positive_int("stop_window", window)
        fields = check_choice("fields", params["fields"], ("direct", "auxiliary"))
        cpu_kernel = check_choice("cpu_kernel", params["cpu_kernel"],
                                  ("auto", "numba", "numpy"))

        coupling = model_coupling(arrays, fields)
        if params["c0"] is None:
            sigma = coupling_rms(coupling)
            if sigma == 0:
                sigma = float(np.sqrt(np.mean(coupling.h ** 2))) or 1.0
            c0 = 0.5 / (sigma * math.sqrt(coupling.num_spins))
        else:
            c0 = check_positive_float("c0", params["c0"])

        if dt is None:
            dt = stable_time_step(equation, a0, c0, largest_eigenvalue(coupling, "LM"))

        shape = (num_reads, coupling.num_spins)
        x0 = rng.uniform(-init_scale, init_scale, size=shape)
        y0 = rng.uniform(-init_scale, init_scale, size=shape)
        settings = dict(variant=equation, gamma=heat, c0=c0, a0=a0, dt=dt, num_steps=num_steps,
                        energy_interval=interval, x0=x0, y0=y0)
        use_numba = backend == "cpu" and cpu_kernel == "numba"
        if use_numba:
            engine = kernels_cpu.SimulatedBifurcationCpu(coupling.matrix, coupling.h,
                                                         coupling.offset, **settings)
            kernel = "numba-delta"
        else:
            xp = array_module(backend)
            matrix = kernels_xp.CouplingMatrix(xp, coupling.matrix)
            engine = kernels_xp.SimulatedBifurcationXp(xp, matrix, coupling.h, coupling.offset,
                                                       **settings)
            kernel = "cupy" if backend == "gpu" else "numpy"
        steps, trace = run_engine(engine, num_steps, record_trace=record_trace,
                                  stop_window=window, sync=self._sync(backend))
        spins = coupling.read_back(engine.best_states())
        info = {
            "variant": variant,
            "kernel": kernel,
            "num_steps_run": steps,
            "stopped_early": steps < num_steps,
            "c0": c0,
            "dt": dt,
        }
        return KernelResult(spins=spins, steps=steps, trace=trace, info=info)
