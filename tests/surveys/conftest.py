from __future__ import annotations

import pytest

from cchc.surveys.model import parse_instrument

from .helpers import tiny_dict


@pytest.fixture
def tiny():
    return parse_instrument(tiny_dict())
