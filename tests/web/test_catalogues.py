"""The English catalogues are complete and compiled: no empty or fuzzy entries (a fuzzy entry is not used), the
committed .mo says what the .po says, and every plain ``{% translate "…" %}`` of a template has an English entry
(the reports page once had none)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

WEB = Path(__file__).parents[2] / "src" / "cchc" / "web"
CATALOGUES = sorted(WEB.glob("**/locale/en/LC_MESSAGES/django.po"))


def _entries(po: Path) -> list[tuple[str, str, str, str]]:
    """(context, msgid, msgstr, flags) of the singular entries, obsolete ones left out."""
    out = []
    for block in po.read_text(encoding="utf-8").split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue
        m = re.search(r'(?:msgctxt "(.*)"\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block)
        if m:
            join = lambda text: "".join(re.findall(r'"(.*)"', text)).encode().decode("unicode_escape").encode(  # noqa: E731
                "latin-1").decode("utf-8")
            flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
            out.append((m.group(1) or "", join(m.group(2)), join(m.group(3)), flags))
    return out


def test_there_are_catalogues():
    assert {p.parts[-5] for p in CATALOGUES} == {"web", "org", "accounts", "assessments", "results", "steering", "surveys",
                                               "dossiers", "reports"}  # one per area, and the project's own


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_no_empty_or_fuzzy_entries_and_the_mo_is_compiled(po):
    entries = _entries(po)
    assert entries
    assert [e[1] for e in entries if not e[2]] == [], "entries without an English text"
    assert [e[1] for e in entries if "fuzzy" in e[3]] == [], "fuzzy entries (not used until checked)"
    with po.with_suffix(".mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    for ctx, msgid, msgstr, _flags in entries:
        got = mo.pgettext(ctx, msgid) if ctx else mo.gettext(msgid)
        assert got == msgstr, f"{po}: .mo not compiled from the .po for {msgid!r}"


def test_every_plain_template_string_has_an_english_entry():
    known = {e[1] for po in CATALOGUES for e in _entries(po) if not e[0]}
    missing = []
    for template in WEB.glob("**/templates/**/*.html"):
        for text in re.findall(r'{% translate "([^"]+)" %}', template.read_text(encoding="utf-8")):
            if text not in known and text.replace("%", "%%") not in known:  # makemessages doubles % in templates
                missing.append(f"{template.relative_to(WEB)}: {text}")
    assert missing == []
