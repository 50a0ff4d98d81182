"""Import reasons in Vietnamese: the importers keep their reasons in English (stable, machine-readable text in
rejected-row files and JSON) and give a Vietnamese wording for people through one lookup, exact wordings first,
then patterns whose groups (codes, row numbers, allowed values) are carried over."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence


def translate(reason: str, exact: Mapping[str, str], patterns: Sequence[tuple[re.Pattern[str], str]]) -> str:
    """The wording of ``reason`` in ``exact``, else the first matching pattern's template filled with the
    match's groups, else ``reason`` unchanged (a reason nobody worded yet is still shown)."""
    if reason in exact:
        return exact[reason]
    for pattern, text in patterns:
        m = pattern.match(reason)
        if m:
            return text.format(*m.groups())
    return reason
