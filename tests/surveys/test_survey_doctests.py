from __future__ import annotations

import doctest

import pytest

import cchc.surveys.design
import cchc.surveys.indices
import cchc.surveys.model
import cchc.surveys.registry
import cchc.surveys.report


@pytest.mark.parametrize(
    "module", [cchc.surveys.design, cchc.surveys.indices, cchc.surveys.model, cchc.surveys.registry,
               cchc.surveys.report]
)
def test_doctests(module):
    res = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted > 0
