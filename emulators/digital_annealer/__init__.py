"""Fujitsu Digital Annealer emulator: parallel trial, dynamic offset, replica exchange.

Importing this package registers the presets ``DA1``, ``DA2`` and ``DA3`` with
:func:`emulators.machine.register_preset` (see :mod:`.presets` for the facts and the clock
assumption).
"""

from emulators.digital_annealer.presets import DA1, DA2, DA3, PRESETS, user_spec
from emulators.digital_annealer.sampler import DigitalAnnealerSampler
from emulators.machine import register_preset

__all__ = ["DA1", "DA2", "DA3", "DigitalAnnealerSampler", "user_spec"]

for _name, _spec in PRESETS.items():
    register_preset(_spec, f"digital_annealer_{_name.lower()}")
