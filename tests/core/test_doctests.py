"""Run the docstring examples of the core modules: they are part of the documentation and must stay true."""

import doctest
import importlib

import pytest

MODULES = [
    "cchc.core.numbers", "cchc.core.names", "cchc.core.methods", "cchc.core.ranking",
    "cchc.core.comparison", "cchc.core.narrative", "cchc.core.periods", "cchc.core.diagnostics",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
