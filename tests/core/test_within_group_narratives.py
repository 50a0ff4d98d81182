"""Narratives of the units of one province (:func:`cchc.core.narrative.within_group_narratives`)."""

from cchc.core.narrative import NarrativeStyle, within_group_narratives
from cchc.core.scoring import LeafInput, UnitAssessment, score_cycle
from cchc.frameworks import load_framework

FW = load_framework("example-commune")
STYLE = NarrativeStyle(index_name_vi="Chỉ số CCHC", index_name_en="PAR index", unit_noun_vi=FW.unit_noun_vi,
                       unit_noun_en=FW.unit_noun_en, precision=FW.precision)
NAMES_VI = {f.code: f.name_vi for f in FW.nodes}
NAMES_EN = {f.code: f.name_en or f.name_vi for f in FW.nodes}


def _unit(code, name, unit_type="commune", region="Khu vực phía Bắc", **points):
    inputs = {leaf.code: LeafInput(self_points=leaf.max_points)
              for leaf in FW.leaves(unit_type) if leaf.kind == "manual"}
    for leaf in FW.leaves(unit_type):
        if leaf.kind == "ratio":
            inputs[leaf.code] = LeafInput(numerator=100, denominator=100)
        elif leaf.kind == "survey":
            inputs[leaf.code] = LeafInput(survey_index=100)
    inputs.update({code.lstrip("_").replace("_", "."): LeafInput(self_points=v) for code, v in points.items()})
    return UnitAssessment(code, name, unit_type, region=region, inputs=inputs)


PREVIOUS = score_cycle(FW, [
    _unit("OLD", "Xã Cũ", _5_1=0),  # 96
    _unit("B", "Xã B", _1_3=0),  # 98
    _unit("M1", "Xã M1"), _unit("M2", "Xã M2"),
    _unit("W", "Phường W", "ward", _1_3=0),
])
CURRENT = score_cycle(FW, [
    _unit("NEW", "Xã Mới", _1_3=0),  # renamed from OLD: 98, up 2 points
    _unit("B", "Xã B", _1_3=0, _4_1=0),  # 95
    _unit("M", "Xã M"),  # merged from M1 + M2: no baseline
    _unit("C", "Xã C", _2_1=0),  # new commune, nothing last year
    _unit("W", "Phường W", "ward"),  # ward: its own ranking
    UnitAssessment("I", "Xã I", "commune", inputs={"1.3": LeafInput(self_points=1)}),  # incomplete
])
PREDECESSORS = {"NEW": ["OLD"], "M": ["M1", "M2"]}


def _texts():
    return within_group_narratives(CURRENT, PREVIOUS, 2026, 2025, PREDECESSORS, STYLE, NAMES_VI, NAMES_EN)


def test_renamed_unit_is_compared_with_its_predecessor_and_ranked_in_its_type():
    text = _texts()["NEW"]
    assert text["vi"] == (
        "Chỉ số CCHC năm 2026 đạt 98,00%, xếp thứ 2/5 xã, phường, đặc khu, tăng 2,00 điểm và tăng 2 bậc so với năm 2025."
    )  # OLD was 4th of the communes with 96; ranks are the cycle's, within the unit type
    assert text["en"] == (
        "In 2026 the PAR index reached 98.00%, ranking 2nd of 5 communes, wards and special zones, "
        "up 2.00 points and up 2 places from 2025."
    )
    assert "khu vực" not in text["vi"] and "region" not in text["en"]  # no regional standing inside a province


def test_units_without_one_predecessor_last_year_have_no_change_sentence():
    texts = _texts()
    assert texts["M"]["vi"] == "Chỉ số CCHC năm 2026 đạt 100,00%, xếp thứ 1/5 xã, phường, đặc khu."  # merged: no baseline
    assert texts["C"]["vi"] == "Chỉ số CCHC năm 2026 đạt 97,00%, xếp thứ 3/5 xã, phường, đặc khu."  # new unit
    assert texts["C"]["en"] == "In 2026 the PAR index reached 97.00%, ranking 3rd of 5 communes, wards and special zones."
    assert "I" not in texts  # incomplete units get no narrative


def test_same_code_unit_and_rank_within_unit_type():
    texts = _texts()
    assert texts["B"]["vi"].endswith("xếp thứ 4/5 xã, phường, đặc khu, giảm 3,00 điểm và giảm 1 bậc so với năm 2025.")
    assert texts["W"]["vi"].startswith("Chỉ số CCHC năm 2026 đạt 100,00%, xếp thứ 1/1 xã, phường, đặc khu, tăng 2,06 điểm")


def test_without_previous_cycle():
    texts = within_group_narratives(CURRENT, None, 2026, None, {}, STYLE, NAMES_VI, NAMES_EN)
    assert set(texts) == {"NEW", "B", "M", "C", "W"}
    assert all("so với năm" not in t["vi"] for t in texts.values())
