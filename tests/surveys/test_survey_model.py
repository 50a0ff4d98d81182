from __future__ import annotations

import json

import pytest

from cchc.surveys.model import InstrumentError, load_instrument_file, parse_instrument
from cchc.surveys.registry import describe, list_instruments, load_instrument
from cchc.surveys.template import write_template

from .helpers import tiny_dict


def test_shipped_instruments_load_and_are_labelled():
    ids = {i.id: i for i in list_instruments()}
    assert set(ids) >= {"sipas-2017", "sipas-2022", "province-sipas-example", "leaders-par-example"}
    assert ids["province-sipas-example"].status == "example"
    assert ids["leaders-par-example"].status == "example"
    assert "VÍ DỤ" in ids["province-sipas-example"].title_vi
    # official-structure instruments say what is unknown and mark placeholder items
    for key in ("sipas-2017", "sipas-2022"):
        inst = ids[key]
        assert inst.status == "official-structure"
        assert inst.unknown
        assert any(q.status == "unknown" for q in inst.questions)
        assert inst.sources


def test_sipas_2017_has_the_five_official_elements():
    inst = load_instrument("sipas-2017")
    names = [e.vi for e in inst.elements]
    assert names == [
        "Tiếp cận dịch vụ hành chính công",
        "Thủ tục hành chính",
        "Công chức trực tiếp giải quyết công việc",
        "Kết quả cung ứng dịch vụ hành chính công",
        "Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị",
    ]


def test_sipas_2022_structure():
    inst = load_instrument("sipas-2022")
    aspects = {a.code: a for a in inst.aspects}
    assert [e.code for e in aspects["CS"].elements] == ["CS1", "CS2", "CS3", "CS4"]
    assert [e.code for e in aspects["DV"].elements] == ["DV1", "DV2", "DV3", "DV4", "DV5"]
    assert aspects["CB"].in_overall is False
    assert len([q for q in inst.questions if q.measure == "perception"]) == 8
    assert len([q for q in aspects["DV"].elements[0].questions]) == 3  # 3 public access contents (2024)
    assert inst.aggregation.overall == "item_weighted"


def test_leaders_survey_rates_seven_fields():
    inst = load_instrument("leaders-par-example")
    assert len(inst.elements) == 7
    assert inst.attribute_named("respondent_group").values


def test_default_satisfied_is_top_two(tiny):
    assert tiny.question("Q1").satisfied_values == (4, 5)
    assert tiny.question("X1").satisfied_values == (1,)


def test_validation_reports_every_problem_with_location():
    d = tiny_dict()
    d["aspects"][0]["elements"][0]["questions"][1]["scale"] = "nope"
    d["aspects"][0]["elements"][1]["questions"][0]["code"] = "Q1"
    d["aspects"][1]["elements"][0]["questions"][1]["relates_to"] = "E9"
    with pytest.raises(InstrumentError) as exc:
        parse_instrument(d)
    text = "\n".join(exc.value.problems)
    assert "aspects[0].elements[0].questions[1].scale: unknown scale 'nope'" in text
    assert "duplicate question code 'Q1'" in text
    assert "relates_to: unknown element 'E9'" in text
    assert len(exc.value.problems) == 3


def test_field_errors_have_paths():
    d = tiny_dict()
    d["aspects"][0]["elements"][0]["questions"][0]["weight"] = -1
    d["scales"]["yn"]["satisfied"] = [7]
    with pytest.raises(InstrumentError) as exc:
        parse_instrument(d)
    text = "\n".join(exc.value.problems)
    assert (
        "aspects.0.elements.0.questions.0.weight" in text.replace("[", ".").replace("]", "")
        or "aspects[0].elements[0].questions[0].weight" in text
    )
    assert "scales.yn" in text


def test_yaml_file_errors_carry_line_numbers(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(
        "id: bad\ntitle_vi: x\nscales:\n  s:\n    type: ordinal\n    options: [{value: 1, vi: a}, {value: 2, vi: b}]\n"
        "aspects:\n  - code: A\n    vi: A\n    elements:\n      - code: E\n        vi: E\n        questions:\n"
        "          - {code: Q1, vi: q, scale: missing}\n",
        encoding="utf-8",
    )
    with pytest.raises(InstrumentError) as exc:
        load_instrument_file(p)
    assert any(pr.startswith("bad.yaml:14:") and "unknown scale" in pr for pr in exc.value.problems)


def test_unknown_instrument_lists_shipped():
    with pytest.raises(InstrumentError) as exc:
        load_instrument("nope")
    assert "sipas-2022" in str(exc.value)


def test_describe_is_json_ready():
    d = describe(load_instrument("sipas-2022"))
    json.dumps(d, ensure_ascii=False)
    q = d["aspects"][0]["elements"][0]["questions"][0]
    assert q["satisfied"] == [4, 5] and q["scale_type"] == "ordinal"


def test_template_workbook(tmp_path, tiny):
    from openpyxl import load_workbook

    out = write_template(tiny, tmp_path / "t.xlsx", units=["Sở Tư pháp", "UBND phường Hải Châu"])
    wb = load_workbook(out)
    assert wb.sheetnames == ["Phieu", "DanhMuc", "Codebook", "_meta"]
    ws = wb["Phieu"]
    header = [c.value for c in ws[1]]
    assert header == [
        "respondent_id",
        "unit",
        "channel",
        "commune",
        "weight",
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "X1",
        "M1",
    ]
    formulas = {str(dv.formula1) for dv in ws.data_validations.dataValidation}
    assert '"1,2,3,4,5,9"' in formulas
    assert any(f.startswith("DanhMuc!") for f in formulas)
    lists = wb["DanhMuc"]
    assert [c.value for c in lists["A"]][:3] == ["unit", "Sở Tư pháp", "UBND phường Hải Châu"]
    book = list(wb["Codebook"].values)
    assert book[0][0] == "column"
    assert ("Q1", "value", None, None, None, None, None, None, 4, "m4", None, True) in book
    assert wb["_meta"].sheet_state == "hidden"


def test_unquoted_comma_gets_a_hint(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text(
        "id: c\ntitle_vi: x\nscales:\n  s: {type: ordinal, options: [{value: 1, vi: a}, {value: 2, vi: b}]}\n"
        "aspects:\n  - code: A\n    vi: A\n    elements:\n      - code: E\n        vi: E\n        questions:\n"
        "          - {code: Q1, vi: Sắp xếp, tinh gọn, scale: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(InstrumentError) as exc:
        load_instrument_file(p)
    assert any("c.yaml:12:" in pr and "unquoted comma" in pr for pr in exc.value.problems)
