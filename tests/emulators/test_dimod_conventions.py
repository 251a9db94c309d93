"""dimod's own conventions for every emulator sampler (issue 17).

* ``dimod.testing.load_sampler_bqm_tests``: dimod's battery of small models (empty, one
  variable, paths) in every BQM class, through ``sample``, ``sample_ising`` and
  ``sample_qubo``, with each sampler's defaults;
* ``dimod.testing.assert_sampler_api`` (and the composite / structured asserts);
* an empty model gives an empty SampleSet of the right vartype with ``info["timing"]``;
* every ``sample`` has an explicit keyword signature whose keywords are ``parameters``,
  each documented in its ``Args:`` section.
"""

from __future__ import annotations

import inspect
import pydoc
import subprocess
import sys
import unittest

import dimod
import dimod.testing
import pytest
from dimod.testing.asserts import (
    assert_composite_api,
    assert_sampler_api,
    assert_structured_api,
)

from emulators import (
    DigitalAnnealerSampler,
    ParallelFlipAnnealingSampler,
    ParallelTemperingSampler,
    QuantumAnnealerEmbeddingSampler,
    QuantumAnnealerSampler,
    SimulatedAnnealingSampler,
    SimulatedBifurcationSampler,
)
from emulators._core.keywords import args_section, sample_keywords


def chimera_embedding() -> QuantumAnnealerEmbeddingSampler:
    return QuantumAnnealerEmbeddingSampler("Chimera-C4")


def chimera_structured() -> QuantumAnnealerSampler:
    return QuantumAnnealerSampler("Chimera-C4")


# each a factory (dimod's battery names its tests after it; a new sampler per test)
ALL = {
    "sa": SimulatedAnnealingSampler,
    "pt": ParallelTemperingSampler,
    "da": DigitalAnnealerSampler,
    "sb": SimulatedBifurcationSampler,
    "pfa": ParallelFlipAnnealingSampler,
    "qa-embedding": chimera_embedding,
    "qa-structured": chimera_structured,
}


# --------------------------------------------------------------------------- dimod's battery
@dimod.testing.load_sampler_bqm_tests(SimulatedAnnealingSampler)
class TestSimulatedAnnealingBattery(unittest.TestCase):
    pass


@dimod.testing.load_sampler_bqm_tests(ParallelTemperingSampler)
class TestParallelTemperingBattery(unittest.TestCase):
    pass


@dimod.testing.load_sampler_bqm_tests(DigitalAnnealerSampler)
class TestDigitalAnnealerBattery(unittest.TestCase):
    pass


@dimod.testing.load_sampler_bqm_tests(SimulatedBifurcationSampler)
class TestSimulatedBifurcationBattery(unittest.TestCase):
    pass


@dimod.testing.load_sampler_bqm_tests(ParallelFlipAnnealingSampler)
class TestParallelFlipBattery(unittest.TestCase):
    pass


@dimod.testing.load_sampler_bqm_tests(chimera_embedding)
class TestQuantumAnnealerEmbeddingBattery(unittest.TestCase):
    pass


# the structured sampler takes only models on its qubits: the battery's empty models apply
@dimod.testing.load_sampler_bqm_tests(chimera_structured, max_num_variables=0)
class TestQuantumAnnealerStructuredBattery(unittest.TestCase):
    pass


def test_the_battery_ran_for_every_sampler():
    batteries = [TestSimulatedAnnealingBattery, TestParallelTemperingBattery,
                 TestDigitalAnnealerBattery, TestSimulatedBifurcationBattery,
                 TestParallelFlipBattery, TestQuantumAnnealerEmbeddingBattery]
    for battery in [*batteries, TestQuantumAnnealerStructuredBattery]:
        assert any(n.startswith("test_sample_ising_empty") for n in dir(battery)), battery
    for battery in batteries:
        assert any(n.startswith("test_sample_qubo_2path") for n in dir(battery)), battery


# --------------------------------------------------------------------------- API asserts
@pytest.mark.parametrize("name", list(ALL))
def test_sampler_api(name):
    sampler = ALL[name]()
    assert_sampler_api(sampler)
    if isinstance(sampler, dimod.Composite):
        assert_composite_api(sampler)
    if isinstance(sampler, dimod.Structured):
        assert_structured_api(sampler)


# --------------------------------------------------------------------------- empty models
@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
@pytest.mark.parametrize("name", list(ALL))
def test_empty_model_gives_an_empty_sampleset_with_timing(name, vartype):
    sampler = ALL[name]()
    ss = sampler.sample(dimod.BQM({}, {}, 1.5, vartype), num_reads=3, seed=4)
    assert ss.vartype is dimod.as_vartype(vartype)
    assert len(ss.variables) == 0
    assert set(ss.record.energy) <= {1.5}
    assert {"preprocessing_ns", "sampling_ns", "postprocessing_ns"} <= set(ss.info["timing"])
    assert ss.info["seed"] == 4


# --------------------------------------------------------------------------- keyword surface
@pytest.mark.parametrize("name", list(ALL))
def test_parameters_are_the_documented_signature(name):
    sampler = ALL[name]()
    keywords = sample_keywords(type(sampler))
    signature = inspect.signature(type(sampler).sample)
    assert not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    assert list(sampler.parameters) == list(keywords)
    documented = args_section(type(sampler).sample.__doc__)
    assert set(documented) == {"bqm", *keywords}
    assert all(documented.values()), "every keyword has a description"
    assert set(type(sampler).keyword_checks) <= set(keywords)
    text = pydoc.render_doc(type(sampler).sample)
    assert all(name in text for name in keywords)  # help() shows them


def test_the_composite_takes_every_child_keyword_with_its_default():
    own = sample_keywords(QuantumAnnealerEmbeddingSampler)
    child = sample_keywords(QuantumAnnealerSampler)
    assert all(own[name] == default for name, default in child.items())


@pytest.mark.parametrize("name", list(ALL))
def test_unknown_keywords_raise_type_error_naming_them(name):
    sampler = ALL[name]()
    with pytest.raises(TypeError, match="'num_sweepz'"):
        sampler.sample(dimod.BQM({0: 1.0}, {}, 0.0, "SPIN"), num_sweepz=3)


@pytest.mark.parametrize("name", list(ALL))
def test_unknown_keyword_errors_list_the_accepted_ones(name):
    sampler = ALL[name]()
    with pytest.raises(TypeError, match="accepted: ") as err:
        sampler.sample(dimod.BQM({0: 1.0}, {}, 0.0, "SPIN"), num_sweepz=3)
    assert all(keyword in str(err.value) for keyword in sampler.parameters)


# --------------------------------------------------------------------------- import cost
def test_importing_the_package_builds_no_hardware_graph():
    code = ("import emulators, emulators.machine as m; "
            "assert emulators.QuantumAnnealerSampler; "
            "built = [k for k in ('advantage', 'advantage2', 'chimera-c4') if k in m.PRESETS]; "
            "print(built)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
