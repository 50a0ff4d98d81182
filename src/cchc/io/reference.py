"""Reference data shipped with cchc: the 6 socio-economic regions of the 63 provinces, the 2025 merger
(63 → 34) as lineage, and which units are centrally-run cities (for "tỉnh X" / "thành phố X" in text)."""

from __future__ import annotations

import csv
from functools import cache

from cchc.core.lineage import Lineage
from cchc.core.names import normalize_unit_name
from cchc.frameworks import data_path

MERGER_DATE = "2025-07-01"  # Resolution 202/2025/QH15, in force 1 July 2025
# The five centrally-run cities before the 2025 reorganisation.
CITIES_BEFORE_2025 = ("Hà Nội", "Hải Phòng", "Đà Nẵng", "TP. Hồ Chí Minh", "Cần Thơ")


def _rows(name: str) -> list[dict[str, str]]:
    with data_path(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def regions() -> dict[str, tuple[str, str]]:
    """Normalised province name → (region_vi, region_en)."""
    return {normalize_unit_name(r["province_vi"]): (r["region_vi"], r["region_en"]) for r in _rows("regions_6_socioeconomic.csv")}


def region_of(unit: str) -> str | None:
    found = regions().get(normalize_unit_name(unit))
    return found[0] if found else None


@cache
def region_names_en() -> dict[str, str]:
    return {vi: en for vi, en in regions().values()}


@cache
def unit_kinds() -> dict[str, str]:
    """Province name → 'thành phố' or 'tỉnh' (old names before 2025 and new names after)."""
    kinds = {r["province_vi"]: "tỉnh" for r in _rows("regions_6_socioeconomic.csv")}
    for city in CITIES_BEFORE_2025:
        kinds[city] = "thành phố"
    for r in _rows("provinces_2025_merger.csv"):
        kinds.setdefault(r["new_province_vi"], "thành phố" if r["new_is_city"] == "1" else "tỉnh")
    return kinds


@cache
def lineage_2025() -> Lineage:
    return Lineage.from_mapping(MERGER_DATE, {r["old_province_vi"]: r["new_province_vi"] for r in _rows("provinces_2025_merger.csv")})
