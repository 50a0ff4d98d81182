"""Framework validation: every problem with its node path, and the shipped frameworks as published."""

import pytest

from cchc.core.framework import FrameworkError, parse_framework
from cchc.frameworks import load_framework, read_framework_file, shipped_frameworks, shipped_ids

BANDS = [
    {"code": "A", "label_vi": "Tốt", "min": 80, "max": 100},
    {"code": "B", "label_vi": "Khá", "min": 0, "max": 80},
]


def tiny(**changes):
    data = {
        "id": "t", "name_vi": "Thử", "unit_types": ["department"], "bands": BANDS,
        "nodes": [
            {"code": "1", "name_vi": "Lĩnh vực 1", "max_points": 5, "children": [
                {"code": "1.1", "name_vi": "a", "max_points": 2, "method": {"kind": "manual"}},
                {"code": "1.2", "name_vi": "b", "max_points": 3, "method": {"kind": "ratio", "full_at": 80}},
            ]},
            {"code": "2", "name_vi": "Lĩnh vực 2", "max_points": 5, "method": {"kind": "manual", "levels": [
                {"label_vi": "Đạt", "points": 5}, {"label_vi": "Không đạt", "points": 0}]}},
        ],
    }
    data.update(changes)
    return data


def problems_of(data):
    with pytest.raises(FrameworkError) as info:
        parse_framework(data, "f.yaml")
    return info.value.problems


def test_a_valid_framework_loads():
    fw = parse_framework(tiny(), "f.yaml")
    assert fw.max_points() == 10
    assert [leaf.code for leaf in fw.leaves()] == ["1.1", "1.2", "2"]


def test_parent_max_must_equal_children_sum():
    data = tiny()
    data["nodes"][0]["max_points"] = 6
    assert problems_of(data) == [
        "f.yaml: 1: max_points 6 differs from the sum of its children 5 (declare sum_check: false if that is intended)"
    ]


def test_duplicate_codes_and_missing_method_reported_together():
    data = tiny()
    data["nodes"][1]["code"] = "1.1"
    data["nodes"][0]["children"][1].pop("method")
    found = problems_of(data)
    assert any("code '1.1' is used twice" in p for p in found)
    assert any(p.startswith("f.yaml: 1/1.2: a leaf needs a scoring method") for p in found)


def test_bands_gap_and_overlap():
    gap = tiny(bands=[{"code": "A", "label_vi": "a", "min": 85, "max": 100}, {"code": "B", "label_vi": "b", "min": 0, "max": 80}])
    assert any("gap between B (< 80) and A (≥ 85)" in p for p in problems_of(gap))
    overlap = tiny(bands=[{"code": "A", "label_vi": "a", "min": 75, "max": 100}, {"code": "B", "label_vi": "b", "min": 0, "max": 80}])
    assert any("overlaps" in p for p in problems_of(overlap))
    short = tiny(bands=[{"code": "A", "label_vi": "a", "min": 10, "max": 100}])
    assert any("leaving 0…10 uncovered" in p for p in problems_of(short))


def test_level_points_above_max_and_bad_method_fields():
    data = tiny()
    data["nodes"][1]["method"]["levels"][0]["points"] = 7
    data["nodes"][0]["children"][1]["method"]["full_at"] = -1
    found = problems_of(data)
    assert any("2: level 'Đạt' gives 7 points, outside 0…5" in p for p in found)
    assert any("1/1.2: ratio full_at (-1) must be above zero_at (0)" in p for p in found)


def test_type_errors_name_the_node_path():
    data = tiny()
    data["nodes"][0]["children"][0]["max_points"] = "nhiều"
    found = problems_of(data)
    assert found and found[0].startswith("f.yaml: nodes[1].children[1.1].max_points")


def test_unknown_max_is_allowed_and_not_scorable():
    fw = load_framework("par-index-876-provincial")
    assert not fw.scorable
    assert fw.total_max_points == 100
    assert {n.code: n.max_points for n in fw.fields} == {
        "1": None, "2": 10, "3": 13, "4": 10.5, "5": None, "6": None, "7": None, "8": None}
    assert [c.max_points for c in fw.composition] == [61.5, 22, 10, 6.5]


def test_legacy_2948_maxima():
    fw = load_framework("par-index-2948-provincial")
    assert [n.max_points for n in fw.fields] == [10, 10, 14.5, 11, 16, 7, 16, 15.5]
    assert fw.max_points() == 100


def test_shipped_frameworks_all_validate_and_examples_are_labelled():
    ids = shipped_ids()
    assert {"par-index-876-provincial", "par-index-876-composition", "par-index-2948-provincial",
            "example-department", "example-commune"} <= set(ids)
    for fw in shipped_frameworks():
        if fw.id.startswith("example"):
            assert fw.status == "example"
            assert [b.label_vi for b in fw.bands] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
            kinds = {leaf.kind for leaf in fw.leaves()}
            assert {"manual", "ratio", "survey", "bonus", "penalty"} <= kinds
            assert any(leaf.method.kind == "manual" and leaf.method.levels for leaf in fw.leaves())
            assert any(leaf.evidence == "required" for leaf in fw.leaves())
            assert fw.max_points() == 100


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nnodes: [\n  - code: 1\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        read_framework_file(bad)
    assert info.value.problems[0].startswith(f"{bad}: line ")


def test_band_boundaries():
    fw = load_framework("example-department")
    assert fw.band_for(90.0).label_vi == "Xuất sắc"
    assert fw.band_for(89.994).label_vi == "Tốt"  # 89.99 at the precision
    assert fw.band_for(89.995).label_vi == "Xuất sắc"  # rounds to 90.00
    assert fw.band_for(100).label_vi == "Xuất sắc"
    assert fw.band_for(0).label_vi == "Yếu"


def test_survey_leaves_name_shipped_instruments():
    from cchc.surveys.registry import list_instruments

    instruments = {inst.id for inst in list_instruments()}
    for fw in shipped_frameworks():
        for leaf in fw.leaves():
            if leaf.kind == "survey" and leaf.method.instrument:
                assert leaf.method.instrument in instruments, (fw.id, leaf.code, leaf.method.instrument)
