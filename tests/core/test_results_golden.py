"""Golden tests against the published national figures in examples/par_index_national_2022_2023.csv
(built from ../shared/data, each row with its source)."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.core.comparison import delta, delta_rank, summarize
from cchc.core.narrative import NarrativeStyle, narrative_en, narrative_vi
from cchc.frameworks import load_framework
from cchc.io.reference import region_names_en, unit_kinds
from cchc.io.results import read_results

NATIONAL = Path(__file__).parents[2] / "examples" / "par_index_national_2022_2023.csv"
FW = load_framework("par-index-876-provincial")
NAMES = {n.code: n.name_vi for n in FW.fields}
SEED_VI = (
    "Chỉ số CCHC năm 2023 đạt 86,14%, xếp thứ 43/63 tỉnh, thành phố trực thuộc Trung ương, tăng 4,79 điểm "
    "và tăng 12 bậc so với năm 2022; trong khu vực Tây Nguyên xếp thứ 2, sau tỉnh Đắk Lắk."
)


@pytest.fixture(scope="module")
def national():
    return read_results([NATIONAL])


def test_kon_tum_2023_summary(national):
    s = summarize(national, "Kon Tum", 2023)
    assert (s.index, s.rank, s.of) == (86.14, 43, 63)
    assert (s.prev_index, s.prev_rank, s.delta_points, s.delta_rank) == (81.35, 55, 4.79, 12)
    assert (s.region, s.region_rank, s.region_size, s.region_leader) == ("Tây Nguyên", 2, 5, "Đắk Lắk")
    fields = {f.code: f for f in s.fields}
    assert (fields["2"].index, fields["2"].rank, fields["2"].delta_rank) == (94.15, 22, 21)
    assert (fields["3"].index, fields["3"].rank, fields["3"].delta_rank) == (95.23, 34, 15)
    assert (fields["4"].index, fields["4"].rank, fields["4"].delta_rank) == (92.56, 22, 14)


def test_tay_nguyen_2023_region_ranking(national):
    groups = dict(national.ranked(2023, "region"))
    order = [(r.unit, r.rank) for r in groups["Tây Nguyên"]]
    assert order == [("Đắk Lắk", 1), ("Kon Tum", 2), ("Lâm Đồng", 3), ("Đắk Nông", 4), ("Gia Lai", 5)]


def test_seed_sentence_vi_and_en(national):
    s = summarize(national, "Tỉnh Kon Tum", 2023)
    text = narrative_vi(s, NAMES, NarrativeStyle(), unit_kinds())
    assert text.startswith(SEED_VI)
    assert "chỉ số cải cách thể chế tăng 21 bậc" in text
    assert "chỉ số cải cách thủ tục hành chính tăng 15 bậc" in text
    en = narrative_en(s, {n.code: n.name_en for n in FW.fields}, NarrativeStyle(), unit_kinds(), region_names_en())
    assert en.startswith("In 2023 the PAR INDEX reached 86.14%, ranking 43rd of 63 provinces and centrally-run cities, "
                         "up 4.79 points and up 12 places from 2022; within the Central Highlands region it ranked 2nd, "
                         "after Đắk Lắk province.")


def test_2022_top_two_are_not_tied(national):
    top = [(r.unit, r.rank, r.index) for r in national.ranked(2022)[0][1][:2]]
    assert top == [("Quảng Ninh", 1, 90.10), ("Hải Phòng", 2, 90.09)]


@given(st.floats(0, 100), st.floats(0, 100))
def test_delta_is_antisymmetric(a, b):
    d1, d2 = delta(a, b), delta(b, a)
    assert d1 == pytest.approx(-d2, abs=1e-9)


@given(st.integers(1, 63), st.integers(1, 63))
def test_delta_rank_is_places_gained(now, before):
    assert delta_rank(now, before) == before - now
