"""GPU / FPGA Ising machines as dimod samplers: simulated bifurcation and parallel-flip annealing.

* :class:`SimulatedBifurcationSampler` follows Goto, Tatsumura & Dixon, Sci. Adv. 5 eaav2372
  (2019) (aSB), Goto et al., Sci. Adv. 7 eabe7953 (2021) (bSB, dSB) and Kanao & Goto,
  Commun. Phys. 5, 153 (2022) (heated variants);
* :class:`ParallelFlipAnnealingSampler` updates every spin (or every spin of one colour) at
  once. ``"momentum"`` — momentum annealing, Okuyama, Sonobe, Kawarabayashi & Yamaoka, Phys.
  Rev. E 100, 012111 (2019): the model is doubled into a bipartite pair of layers joined by
  self-couplings ``w_i``, so updating one layer from the other sets every spin at once from
  the previous state, ``s_i <- sign(c_k w_i s_i - (J s + h)_i + noise)``; ``w_i`` must be at
  least the largest eigenvalue of ``J`` for the doubled model's ground states to be copies of
  the original's, so the ramp ``c_k`` rises from 0 (fast, oscillating exploration) to 1
  (convergent), and a dropout ``p_k`` (falling linearly from ``dropout`` to 0) zeroes random
  self-couplings, as in the paper. ``"sca"`` — stochastic cellular automata annealing,
  Yamamoto et al., ISSCC 2017 (STATICA): the same synchronous rule with a constant
  self-coupling (the pinning term ``q``). ``"colour"`` — graph-colouring (checkerboard)
  Metropolis: a greedy colouring (networkx, largest first) splits the spins into classes
  with no coupler inside a class, and each class is updated at once with Metropolis
  acceptance (for sparse models; on a dense model every spin gets its own colour and this is
  ordinary sequential annealing).

Our choices where the papers' exact schedules were not available to us: temperatures
geometric from ``1/beta_hot`` to ``1/beta_cold`` (dwave-samplers' default range rule), a
linear self-coupling ramp, heat-bath (logistic) noise ``(T/2) log(u / (1 - u))``, and
``w_i = max(lambda_max(J), 0)`` for every spin (half of it for SCA's constant ``q``).
"""

from __future__ import annotations

from typing import Any

import dimod
import numpy as np

from emulators._core.arrays import IsingArrays
from emulators._core.keywords import integer, number, one_of, optional
from emulators._core.sampler import EmulatorSampler, KernelResult
from emulators._core.target import EnergyTarget
from emulators.bifurcation import engine
from emulators.bifurcation.engine import CPU_KERNELS, SCHEMES, VARIANTS
from emulators.machine import MachineSpec, get_preset

__all__ = ["ParallelFlipAnnealingSampler", "SimulatedBifurcationSampler"]


def _spec(spec: MachineSpec | str | None) -> MachineSpec | None:
    if spec is None or isinstance(spec, MachineSpec):
        return spec
    if isinstance(spec, str):
        return get_preset(spec)
    raise TypeError(f"spec must be a MachineSpec, a preset name or None, got {type(spec).__name__}")


def _beta_pair(name: str, value: Any) -> tuple[float, float] | None:
    """``None`` or ``(hot, cold)``: two positive numbers, rising."""
    if value is None:
        return None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (hot, cold) of positive numbers, got "
                        f"{value!r}")
    hot = number()(f"{name}[0]", value[0])
    cold = number()(f"{name}[1]", value[1])
    if cold < hot:
        raise ValueError(f"{name} must rise from hot to cold, got {value!r}")
    return hot, cold


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
    of the fields when there are no couplings). The sign states ``sign(x)`` are scored every
    ``energy_interval`` steps and at the end, and each agent returns the best it saw.

    Args:
        spec:
            A :class:`~emulators.machine.MachineSpec`, a preset name (e.g. ``"sb-gpu-fp16"``)
            or None (no quantisation). Default: ``"sb-gpu-fp32"``.
    """

    backends = ("cpu", "gpu")
    options_class = engine.SBOptions
    keyword_checks = {
        "variant": one_of(*VARIANTS),
        "num_steps": integer(),
        "dt": optional(number()),
        "a0": number(),
        "c0": optional(number()),
        "heat": number(allow_zero=True),
        "init_scale": number(maximum=1.0),
        "energy_interval": integer(),
        "stop_window": optional(integer()),
        "fields": one_of("direct", "auxiliary"),
        "cpu_kernel": one_of(*CPU_KERNELS),
    }

    def __init__(self, spec: MachineSpec | str | None = "sb-gpu-fp32") -> None:
        self.spec = _spec(spec)

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        num_reads: int = 64,
        seed: int | None = None,
        record_trace: bool = False,
        backend: str = "cpu",
        variant: str = "bSB",
        num_steps: int = 1000,
        dt: float | None = None,
        a0: float = 1.0,
        c0: float | None = None,
        heat: float = 0.06,
        init_scale: float = 0.1,
        energy_interval: int = 5,
        stop_window: int | None = None,
        fields: str = "direct",
        cpu_kernel: str = "auto",
        target_energy: float | None = None,
    ) -> dimod.SampleSet:
        """Sample ``bqm`` by simulated bifurcation.

        Args:
            bqm:
                Binary quadratic model (SPIN or BINARY), stored in Ising form on the spec's
                precision. Samples come back in its vartype, with its energies.
            num_reads:
                Number of agents; each returns the best sign state it saw.
            seed:
                Seed of the agents' start positions and momenta; the same seed (and backend
                and kernel) gives the same samples. ``None`` draws one, reported in
                ``info["seed"]``.
            record_trace:
                If True, ``info["trace"]`` holds each agent's best energy at up to 64
                checkpoints.
            backend:
                ``"cpu"`` or ``"gpu"`` (cupy and a CUDA device: agents batched as
                ``(agents, N) @ (N, N)`` products on the device).
            variant:
                ``"aSB"``, ``"bSB"``, ``"dSB"``, ``"hbSB"`` or ``"hdSB"``. bSB (default)
                had a higher median than dSB on G1, G22 and the dense 2,000-spin model in
                our runs.
            num_steps:
                Integration steps (the pump rises linearly over them).
            dt:
                Time step. ``None``: 1.25 for b/dSB, 0.5 for aSB, lowered by
                :func:`~emulators.bifurcation.schedules.stable_time_step` where the
                model's spectrum needs it.
            a0:
                Final pump amplitude (and the scale of ``x += dt a0 y``).
            c0:
                Force scale; ``None``: ``0.5 / (sigma sqrt(N))`` (see the class docstring).
            heat:
                Heating rate of the heated variants (unused by the others).
            init_scale:
                Initial ``x`` and ``y`` are uniform in ``[-init_scale, init_scale]``
                (at most 1).
            energy_interval:
                Steps between scorings of the sign states.
            stop_window:
                ``None``: run every step. An integer: stop early once every agent's sign
                state has been unchanged for that many steps.
            fields:
                ``"direct"`` (external fields enter the force, as in the equations) or
                ``"auxiliary"`` (fields become couplings to one extra spin; states are
                gauge-fixed back so that spin is +1).
            cpu_kernel:
                ``"auto"`` (= ``"numpy"``: the array code the GPU runs, batched through
                BLAS, measured faster than the numba kernel on dense and G-set models) or
                ``"numba"``: the delta-field kernel of
                :mod:`~emulators.bifurcation.kernels_cpu` (float64).
            target_energy:
                Stop each agent at the first scoring (every ``energy_interval`` steps) at
                which its best energy reaches this (your model's units, plus
                ``1e-9 * max(1, |target|)``; compared on the stored model divided by its
                scale factor); agents stop independently (on the array path a stopped
                agent's positions are frozen while the batch goes on) and the run ends
                once every agent has. ``None`` (default): all steps.

        Returns:
            A :class:`dimod.SampleSet` with one sample per agent (and ``quantised_energy``
            when the spec rounds). ``info`` holds ``seed``, ``backend``, ``fit``,
            ``variant``, ``kernel``, ``num_steps_run``, ``stopped_early``, ``c0``, ``dt``,
            ``timing`` (``preprocessing_ns`` includes the couplings in the kernel's layout
            and the time step's eigenvalue, ``sampling_ns`` is the run; ``modelled_hardware_s``
            from the spec's clock, an assumption; with ``target_energy``, for the steps run
            until the last agent stopped) and, with
            ``record_trace``, ``trace``. With ``target_energy`` the data vectors
            ``stop_step`` (steps each agent ran) and ``stop_seconds`` (wall seconds from the
            start of the run until it stopped; the whole run for an agent that never
            reached the target).

        Examples:
            >>> import dimod
            >>> from emulators import SimulatedBifurcationSampler
            >>> bqm = dimod.BQM.from_ising({}, {("a", "b"): 1.0, ("b", "c"): 1.0})
            >>> ss = SimulatedBifurcationSampler().sample(bqm, num_reads=8, num_steps=100,
            ...                                           seed=1)
            >>> print(ss.first.energy, ss.info["variant"])
            -2.0 bSB
        """
        return self._sample(bqm, locals())

    def _sample_arrays(self, arrays: IsingArrays, rng: np.random.Generator, *, num_reads: int,
                       record_trace: bool, backend: str, scale: float,
                       options: engine.SBOptions, target_energy: EnergyTarget | None,
                       prepared: engine.SBModel) -> KernelResult:
        return engine.simulated_bifurcation(arrays, rng, options, num_reads=num_reads,
                                            backend=backend, record_trace=record_trace,
                                            target_energy=target_energy, scale=scale,
                                            prepared=prepared)

    def _prepare_machine(self, arrays: IsingArrays, params: dict[str, Any]) -> engine.SBModel:
        return engine.prepare_sb(arrays, params["options"], params.get("backend", "cpu"))


class ParallelFlipAnnealingSampler(EmulatorSampler):
    """All-spins-at-once annealing over many replicas (``num_reads``), a dimod sampler.

    See the module docstring for the three schemes and the papers they follow.

    Args:
        spec:
            A :class:`~emulators.machine.MachineSpec`, a preset name or None. Default
            ``"ma-gpu"``.
    """

    backends = ("cpu", "gpu")
    options_class = engine.FlipOptions
    keyword_checks = {
        "scheme": one_of(*SCHEMES),
        "num_sweeps": integer(),
        "beta_range": _beta_pair,
        "self_coupling": optional(number(allow_zero=True)),
        "dropout": number(allow_zero=True, maximum=1.0),
        "energy_interval": integer(),
        "stop_window": optional(integer()),
        "cpu_kernel": one_of(*CPU_KERNELS),
    }

    def __init__(self, spec: MachineSpec | str | None = "ma-gpu") -> None:
        self.spec = _spec(spec)

    def sample(
        self,
        bqm: dimod.BinaryQuadraticModel,
        *,
        num_reads: int = 64,
        seed: int | None = None,
        record_trace: bool = False,
        backend: str = "cpu",
        scheme: str = "momentum",
        num_sweeps: int = 1000,
        beta_range: tuple[float, float] | None = None,
        self_coupling: float | None = None,
        dropout: float = 0.5,
        energy_interval: int = 5,
        stop_window: int | None = None,
        initial_states: Any = None,
        cpu_kernel: str = "auto",
        target_energy: float | None = None,
    ) -> dimod.SampleSet:
        """Sample ``bqm`` by parallel-flip annealing.

        Args:
            bqm:
                Binary quadratic model (SPIN or BINARY), stored in Ising form on the spec's
                precision. Samples come back in its vartype, with its energies.
            num_reads:
                Number of replicas; each returns the best state it saw.
            seed:
                Seed of every random choice; the same seed (and backend and kernel) gives
                the same samples. ``None`` draws one, reported in ``info["seed"]``.
            record_trace:
                If True, ``info["trace"]`` holds each replica's best energy at up to 64
                checkpoints.
            backend:
                ``"cpu"`` or ``"gpu"`` (cupy and a CUDA device).
            scheme:
                ``"momentum"``, ``"sca"`` or ``"colour"`` (see the module docstring).
            num_sweeps:
                Sweeps; one sweep updates every spin once.
            beta_range:
                ``(hot, cold)`` inverse temperatures, rising; ``None``: dwave-samplers'
                default range rule on the model.
            self_coupling:
                Self-coupling strength ``w``; ``None``: the largest eigenvalue of J for
                momentum, half of it for SCA (better on G1 in our runs than the full value).
            dropout:
                Initial dropout rate of the self-couplings, in [0, 1] (momentum only).
            energy_interval:
                Sweeps between scorings of the states.
            stop_window:
                ``None``, or stop once every replica's state has been unchanged for that
                many sweeps.
            initial_states:
                Start states (dimod samples-like); default uniformly random.
            cpu_kernel:
                ``"auto"`` (the faster per scheme, see
                :data:`~emulators.bifurcation.engine.AUTO_CPU_KERNEL`), ``"numba"`` (numba
                kernels with delta fields) or ``"numpy"`` (the array code the GPU runs).
            target_energy:
                Stop each replica at the first scoring (every ``energy_interval`` sweeps;
                every sweep for ``"colour"``) at which its best energy reaches this (your
                model's units, plus ``1e-9 * max(1, |target|)``; compared on the stored
                model divided by its scale factor); replicas stop independently and the
                run ends once every replica has. ``None`` (default): all sweeps.

        Returns:
            A :class:`dimod.SampleSet` with one sample per replica (and
            ``quantised_energy`` when the spec rounds). ``info`` holds ``seed``,
            ``backend``, ``fit``, ``scheme``, ``beta_range``, ``self_coupling`` or
            ``num_colours``, ``kernel``, ``num_sweeps_run``, ``stopped_early``, ``timing``
            (``preprocessing_ns`` includes the couplings in the kernel's layout, the
            self-coupling's eigenvalue and the colouring) and, with ``record_trace``,
            ``trace``. With ``target_energy`` the data vectors
            ``stop_step`` and ``stop_seconds`` say when each replica stopped (as for
            :meth:`SimulatedBifurcationSampler.sample`).

        Examples:
            >>> import dimod
            >>> from emulators import ParallelFlipAnnealingSampler
            >>> bqm = dimod.BQM.from_ising({}, {("a", "b"): 1.0, ("b", "c"): 1.0})
            >>> ss = ParallelFlipAnnealingSampler().sample(bqm, num_reads=8, num_sweeps=100,
            ...                                            seed=1)
            >>> print(ss.first.energy, ss.info["scheme"])
            -2.0 momentum
        """
        return self._sample(bqm, locals())

    def _sample_arrays(self, arrays: IsingArrays, rng: np.random.Generator, *, num_reads: int,
                       record_trace: bool, backend: str, scale: float,
                       options: engine.FlipOptions, initial_states: np.ndarray,
                       target_energy: EnergyTarget | None, prepared: engine.FlipModel
                       ) -> KernelResult:
        return engine.parallel_flip(arrays, rng, options, initial_states, backend=backend,
                                    record_trace=record_trace, target_energy=target_energy,
                                    scale=scale, prepared=prepared)

    def _prepare_machine(self, arrays: IsingArrays, params: dict[str, Any]
                         ) -> engine.FlipModel:
        return engine.prepare_flip(arrays, params["options"], params.get("backend", "cpu"))
