"""The index engine's command line, end to end on files: exit codes, messages, outputs read back."""

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cchc.cli import app

ROOT = Path(__file__).parents[2]
NATIONAL = ROOT / "examples" / "par_index_national_2022_2023.csv"
ASSESSMENT = ROOT / "examples" / "assessment_departments_2025.csv"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_framework_validate_ok_and_errors(tmp_path):
    shipped = sorted((ROOT / "src" / "cchc" / "frameworks").glob("*.yaml"))
    result = run("framework", "validate", *shipped)
    assert result.exit_code == 0, result.output
    assert result.output.count("OK ") == len(shipped)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: bad\nname_vi: Sai\nnodes:\n  - code: '1'\n    name_vi: A\n    max_points: 5\n    children:\n"
        "      - {code: '1.1', name_vi: a, max_points: 2, method: {kind: manual}}\n"
        "      - {code: '1.1', name_vi: b, max_points: 2, method: {kind: magic}}\n",
        encoding="utf-8",
    )
    result = run("framework", "validate", bad)
    assert result.exit_code == 2
    assert f"{bad}: nodes[1].children[1.1].method" in result.output


def test_framework_show_tree_and_json():
    result = run("framework", "show", "par-index-876-provincial")
    assert result.exit_code == 0
    assert "Cải cách thủ tục hành chính" in result.output and "(13)" in result.output
    assert "chưa công bố / unknown 66.5" in result.output
    data = json.loads(run("framework", "show", "example-commune", "--json").output)
    assert data["id"] == "example-commune" and len(data["nodes"]) == 9


def test_score_json_xlsx_csv_roundtrip(tmp_path):
    out_x, out_c = tmp_path / "r.xlsx", tmp_path / "r.csv"
    result = run("score", ASSESSMENT, "--framework", "example-department", "--json", "--xlsx", out_x, "--csv", out_c, "--year", 2025)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    units = {u["code"]: u for u in data["units"]}
    assert units["BQLKKT"]["max_points"] == 92 and units["SNV"]["max_points"] == 100
    depts = sorted((u for u in data["units"] if u["unit_type"] == "department"), key=lambda u: u["rank"])
    assert [u["rank"] for u in depts] == list(range(1, 7))
    assert all(a["index"] >= b["index"] for a, b in zip(depts, depts[1:], strict=False))
    for u in data["units"]:
        assert u["points"] == pytest.approx(sum(f["points"] for f in u["fields"].values()) + 0, abs=3.01)
    wb = load_workbook(out_x)
    assert wb.sheetnames == ["Kết quả", "Điểm chi tiết", "Điểm bị mất"]
    sheet = wb["Kết quả"]
    header = [c.value for c in sheet[1]]
    rows = {r[2]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["SNV"]["Chỉ số (%)"] == units["SNV"]["index"]
    assert sheet.freeze_panes == "A2"
    shown = json.loads(run("results", "show", out_c, "--unit", "SNV", "--framework", "example-department", "--json").output)
    assert shown["index"] == units["SNV"]["index"] and shown["rank"] == units["SNV"]["rank"]


def test_score_reports_every_bad_cell(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "unit_code,unit_name,unit_type,leaf,self_points,numerator,denominator\n"
        "SNV,Sở Nội vụ,department,1.1.1,0.7,,\n"
        "SNV,Sở Nội vụ,department,1.4.1,abc,,\n"
        "SNV,Sở Nội vụ,department,3.2.1,,120,100\n"
        "SNV,Sở Nội vụ,department,9.9,1,,\n"
        "SNV,Sở Nội vụ,department,1.1.1,1,,\n",
        encoding="utf-8",
    )
    result = run("score", bad, "--framework", "example-department")
    assert result.exit_code == 2
    out = result.output
    assert f"{bad}:2:self_points: points 0.7 are not one of the level table's 1, 0.5, 0" in out
    assert f"{bad}:3:self_points: 'abc' is not a number" in out
    assert f"{bad}:4:numerator: numerator 120 exceeds denominator 100" in out
    assert f"{bad}:5:leaf: '9.9' is not a leaf of framework example-department" in out
    assert f"{bad}:6:leaf: SNV / 1.1.1 already given on row 2" in out


def test_score_refuses_a_benchmark_only_framework(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("unit_code,unit_type,leaf,self_points\nKT,province,2,9\n", encoding="utf-8")
    result = run("score", f, "--framework", "par-index-876-provincial")
    assert result.exit_code == 2
    assert "serves for benchmarking published results" in result.output


def test_results_show_kon_tum_json():
    result = run("results", "show", NATIONAL, "--unit", "Kon Tum", "--year", 2023, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = {"unit": "Kon Tum", "year": 2023, "index": 86.14, "rank": 43, "of": 63, "band": "B", "prev_year": 2022,
                "prev_index": 81.35, "prev_rank": 55, "delta_points": 4.79, "delta_rank": 12, "region": "Tây Nguyên",
                "region_rank": 2, "region_size": 5, "region_leader": "Đắk Lắk"}
    assert {k: data[k] for k in expected} == expected
    f2 = next(f for f in data["fields"] if f["code"] == "2")
    assert f2 == {"code": "2", "name": "Cải cách thể chế", "index": 94.15, "rank": 22, "prev_rank": 43, "delta_rank": 21}
    assert data["narrative_vi"].startswith("Chỉ số CCHC năm 2023 đạt 86,14%, xếp thứ 43/63")
    assert data["narrative_en"].startswith("In 2023 the PAR INDEX reached 86.14%")


def test_results_rank_by_region_json():
    data = json.loads(run("results", "rank", NATIONAL, "--year", 2023, "--group-by", "region", "--json").output)
    tay_nguyen = next(g for g in data if g["group"] == "Tây Nguyên")
    assert [(u["unit"], u["rank"]) for u in tay_nguyen["units"]] == [
        ("Đắk Lắk", 1), ("Kon Tum", 2), ("Lâm Đồng", 3), ("Đắk Nông", 4), ("Gia Lai", 5)]


def test_results_show_follows_2025_lineage(tmp_path):
    # Synthetic 2024 and 2025 values (not published): the merged Quảng Ngãi is compared with the mean of
    # Kon Tum and the old Quảng Ngãi, re-ranked among the successor units.
    f = tmp_path / "r.csv"
    f.write_text(
        "year,unit,index\n2024,Kon Tum,86.00\n2024,Quảng Ngãi,88.00\n2024,Hà Nội,91.00\n"
        "2025,Quảng Ngãi,89.00\n2025,Hà Nội,90.00\n",
        encoding="utf-8",
    )
    data = json.loads(run("results", "show", f, "--unit", "Quảng Ngãi", "--year", 2025, "--json").output)
    assert (data["prev_index"], data["prev_rank"], data["delta_points"], data["delta_rank"]) == (87.0, 2, 2.0, 0)
    assert data["baseline_note"].startswith("điểm gốc = bình quân của ") and "Kon Tum" in data["baseline_note"]


def test_results_bad_file_names_row_and_column(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("year,unit,index,rank\n2023,A,101,1\n2023,B,80,zero\n", encoding="utf-8")
    result = run("results", "rank", f)
    assert result.exit_code == 2
    assert f"{f}:2:index: 101 is outside 0…100" in result.output
    assert f"{f}:3:rank: 'zero' is not a number" in result.output


def test_results_long_form_aliases_field_columns_and_panel(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text(
        "year,unit_code,unit,index,field_2,field_2_rank,sipas\n"
        "2022,KT,Tỉnh Kon Tum,81.35,91.00,43,78.39\n2022,GL,Gia Lai,80.00,90.00,44,\n"
        "2023,KT,Kon Tum,86.14,94.15,22,82.10\n2023,GL,Gia Lai,85.00,95.00,21,83.84\n",
        encoding="utf-8",
    )
    data = json.loads(run("results", "show", f, "--unit", "KT", "--year", 2023, "--json").output)
    assert (data["rank"], data["of"], data["prev_rank"], data["delta_rank"]) == (1, 2, 1, 0)  # ranked from the index
    assert (data["sipas"], data["prev_sipas"]) == (82.10, 78.39)
    assert data["fields"][0] == {"code": "2", "name": "Cải cách thể chế", "index": 94.15, "rank": 22, "prev_rank": 43, "delta_rank": 21}
    panel = run("results", "show", f, "--unit", "Kon Tum", "--year", 2023)
    assert panel.exit_code == 0
    assert "86,14%" in panel.output and "+4,79" in panel.output and "Cải cách thể chế" in panel.output
