"""Shared plumbing of every emulator sampler, one job per module.

* :mod:`.validation` — checks at the public boundary (models and single values), so no bad
  array ever reaches a kernel;
* :mod:`.keywords` — the ``sample()`` keyword surface: keywords read off the signature, the
  per-keyword checks every machine declares, the ``Args:`` section of a docstring;
* :mod:`.arrays` — a model in spin form as dense or CSR arrays, and start states;
* :mod:`.seeds` — reproducible randomness from one seed;
* :mod:`.devices` — the array module of a backend (numpy, or cupy checked);
* :mod:`.timing` — the phase stopwatch and best-so-far traces;
* :mod:`.target` — the ``target_energy`` stop (thresholds, per-read stop steps and seconds);
* :mod:`.sampler` — :class:`~.sampler.EmulatorSampler`, the base class that strings these
  together, and the SampleSet assembly every machine shares.

Energy convention (spin form): ``E(s) = offset + sum_i h_i s_i + sum_{i<j} J_ij s_i s_j``.
The local field is ``f_i = h_i + sum_j J_ij s_j`` and flipping spin ``i`` changes the energy by
``-2 s_i f_i``.
"""
