"""Unit-name matching: Unicode-normalised and tolerant of administrative prefixes.

"TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh" and "Hồ Chí Minh" are the same unit; "Tỉnh Kon Tum" is
"Kon Tum"; a decomposed "Đắk Lắk" typed on another keyboard is the same as the composed one.
"""

from __future__ import annotations

import re
import unicodedata

_PREFIXES = (
    "thành phố trực thuộc trung ương",
    "thành phố",
    "tp.",
    "tp ",
    "tỉnh",
    "ubnd",
    "ủy ban nhân dân",
    "uỷ ban nhân dân",
)
_DASHES = re.compile(r"\s*[-‐‑‒–—]\s*")
_SPACES = re.compile(r"\s+")


def normalize_unit_name(name: str) -> str:
    """Return the matching key of a unit name.

    >>> normalize_unit_name("TP. Hồ Chí Minh") == normalize_unit_name("Thành phố Hồ Chí Minh")
    True
    >>> normalize_unit_name("Tỉnh  Bà Rịa–Vũng Tàu")
    'bà rịa-vũng tàu'
    """
    key = unicodedata.normalize("NFC", str(name)).strip().casefold()
    key = key.replace("\u00a0", " ")
    key = key.replace("uỷ", "ủy")
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key = key[len(prefix) :].lstrip(" .")
                changed = True
    key = _DASHES.sub("-", key)
    return _SPACES.sub(" ", key).strip()


def sort_key_vi(name: str) -> tuple[str, str]:
    """A stable sort key for Vietnamese names: base letters first, then the diacritics.

    >>> sorted(["Đắk Lắk", "Bình Định", "An Giang"], key=sort_key_vi)
    ['An Giang', 'Bình Định', 'Đắk Lắk']
    """
    nfc = unicodedata.normalize("NFC", name).casefold()
    base = "".join(
        ch for ch in unicodedata.normalize("NFD", nfc.replace("đ", "d\uffff")) if not unicodedata.combining(ch)
    )
    return base, nfc
