"""Studies: fixed experiments on the library that print the README's and SUMMARY's tables.

Each study is a module with ``Options``, ``run(options)``, ``render(result)`` and ``STUDY``
(see :mod:`suites.studies.base`), run as ``isingbench study NAME [options]`` or
``python -m suites.studies.NAME [options]``. Library code (``qubo_bnn``, ``emulators``) imports
nothing from here.
"""

from __future__ import annotations

import importlib

from suites.studies.base import Study

#: Every study by name -> its module.
STUDIES: dict[str, str] = {
    "paper_summary": "suites.studies.paper_summary",
    "training_report": "suites.studies.training_report",
    "success_curve": "suites.studies.success_curve",
    "layerwise_report": "suites.studies.layerwise_report",
    "layerwise_fit": "suites.studies.layerwise_fit",
    "calibration": "suites.studies.calibration",
    "peers": "suites.studies.peers",
}


def get_study(name: str) -> Study:
    """The study called ``name`` (a key of :data:`STUDIES`)."""
    if name not in STUDIES:
        raise ValueError(f"unknown study {name!r}; known: {', '.join(STUDIES)}")
    return importlib.import_module(STUDIES[name]).STUDY
