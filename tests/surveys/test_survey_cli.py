from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cchc.cli.survey import app
from cchc.surveys.registry import load_instrument
from cchc.surveys.synth import synth_responses

runner = CliRunner()


@pytest.fixture(scope="module")
def responses_csv(tmp_path_factory):
    inst = load_instrument("province-sipas-example")
    r = synth_responses(inst, 1500, units=6, seed=3, weights=True)
    path = tmp_path_factory.mktemp("cli") / "responses.csv"
    r.to_frame().to_csv(path, index=False)
    return path


def test_list_json():
    res = runner.invoke(app, ["list", "--json"])
    assert res.exit_code == 0
    ids = [i["id"] for i in json.loads(res.output)]
    assert "sipas-2017" in ids and "leaders-par-example" in ids


def test_show_json_lists_codes_scales_and_satisfied():
    res = runner.invoke(app, ["show", "sipas-2017", "--json"])
    assert res.exit_code == 0
    d = json.loads(res.output)
    q = d["aspects"][0]["elements"][0]["questions"][0]
    assert q["code"] == "E1_1" and q["satisfied"] == [4, 5] and q["scale"] == "satisfaction5"


def test_show_unknown_instrument_exits_2():
    res = runner.invoke(app, ["show", "sipas-1999"])
    assert res.exit_code == 2
    assert "unknown instrument" in res.output


def test_template(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("unit\nSở Tư pháp\nUBND xã Ea Tu\n", encoding="utf-8")
    out = tmp_path / "phieu.xlsx"
    res = runner.invoke(
        app, ["template", "province-sipas-example", "--xlsx", str(out), "--units", str(units)]
    )
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb["DanhMuc"]["A2"].value == "Sở Tư pháp"
    res = runner.invoke(app, ["template", "province-sipas-example", "--xlsx", str(tmp_path / "x.csv")])
    assert res.exit_code == 2


def test_import_writes_normalised_file(tmp_path, responses_csv):
    out = tmp_path / "norm.parquet"
    res = runner.invoke(
        app, ["import", str(responses_csv), "-i", "province-sipas-example", "--out", str(out), "--json"]
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["ok"] and s["imported"] == 1500 and out.exists()


def test_import_errors_exit_2_and_write_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,unit,channel,E1_1\n1,Sở A,truc_tiep,6\n1,Sở A,fax,4\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["import", str(bad), "-i", "province-sipas-example", "--out", str(out)])
    assert res.exit_code == 2
    assert not out.exists()
    assert "nothing was imported" in res.output
    res = runner.invoke(app, ["import", str(bad), "-i", "province-sipas-example", "--json"])
    assert res.exit_code == 2
    assert json.loads(res.output)["ok"] is False


def test_import_skip_invalid_writes_rejected(tmp_path, responses_csv):
    text = responses_csv.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = text[1].split(",")
    row[header.index("E1_1")] = "42"
    bad = tmp_path / "some_bad.csv"
    bad.write_text("\n".join([text[0], ",".join(row)] + text[2:]) + "\n", encoding="utf-8")
    out = tmp_path / "ok.csv"
    res = runner.invoke(
        app, ["import", str(bad), "-i", "province-sipas-example", "--out", str(out), "--skip-invalid"]
    )
    assert res.exit_code == 0, res.output
    rej = tmp_path / "ok.rejected.csv"
    assert rej.exists() and "outside the scale" in rej.read_text(encoding="utf-8-sig")
    assert "1 row(s) rejected" in res.output


def test_compute_json_shape(tmp_path, responses_csv):
    res = runner.invoke(
        app,
        [
            "compute",
            str(responses_csv),
            "-i",
            "province-sipas-example",
            "--by",
            "unit",
            "--by",
            "channel",
            "-B",
            "200",
            "--json",
            "--max-points",
            "10",
            "--conversion",
            "table",
            "--steps",
            "60:8,70:9",
        ],
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    for k in ("index", "ci_low", "ci_high", "n"):
        assert k in d["overall"]
    assert d["overall"]["ci_low"] <= d["overall"]["index"] <= d["overall"]["ci_high"]
    assert {e["code"] for e in d["elements"]} == {"E1", "E2", "E3", "E4", "E5"}
    assert len(d["units"]) == 6 and all("rank" in u for u in d["units"])
    assert set(d["groups"]["channel"][0]) >= {"label", "n", "overall", "elements"}
    assert d["points"]["overall"] in (0.0, 8.0, 9.0)
    assert d["drivers"]["available"]
    assert len(d["inputs"]["responses_sha256"]) == 64 and len(d["inputs"]["instrument_sha256"]) == 64
    # year-over-year against the same file: no significant change
    prev = tmp_path / "prev.json"
    prev.write_text(res.output, encoding="utf-8")
    res2 = runner.invoke(
        app,
        [
            "indices",
            str(responses_csv),
            "-i",
            "province-sipas-example",
            "--by",
            "unit",
            "-B",
            "200",
            "--json",
            "--previous",
            str(prev),
        ],
    )
    assert res2.exit_code == 0, res2.output
    ch = json.loads(res2.output)["change"]
    assert ch["overall"]["change"] == 0 and ch["overall"]["significant"] is False
    assert len(ch["units"]) == 6


def test_compute_tables_and_bad_options(responses_csv):
    res = runner.invoke(
        app, ["compute", str(responses_csv), "-i", "province-sipas-example", "--by", "unit", "-B", "50"]
    )
    assert res.exit_code == 0, res.output
    assert "overall" in res.output
    res = runner.invoke(
        app, ["compute", str(responses_csv), "-i", "province-sipas-example", "--by", "district"]
    )
    assert res.exit_code == 2 and "cannot break down by 'district'" in res.output
    res = runner.invoke(
        app,
        ["compute", str(responses_csv), "-i", "province-sipas-example", "--aggregation", "overall=median"],
    )
    assert res.exit_code == 2
    res = runner.invoke(
        app,
        [
            "compute",
            str(responses_csv),
            "-i",
            "province-sipas-example",
            "--max-points",
            "10",
            "--conversion",
            "table",
        ],
    )
    assert res.exit_code == 2 and "--steps" in res.output


def test_compute_aggregation_override(responses_csv):
    res = runner.invoke(
        app,
        [
            "compute",
            str(responses_csv),
            "-i",
            "province-sipas-example",
            "-B",
            "0",
            "--json",
            "--aggregation",
            "overall=item_weighted",
        ],
    )
    assert res.exit_code == 0
    assert json.loads(res.output)["method"]["aggregation"]["overall"] == "item_weighted"


def test_compute_writes_xlsx(tmp_path, responses_csv):
    from openpyxl import load_workbook

    out = tmp_path / "ket-qua.xlsx"
    res = runner.invoke(
        app,
        [
            "compute",
            str(responses_csv),
            "-i",
            "province-sipas-example",
            "--by",
            "unit",
            "--by",
            "channel",
            "-B",
            "100",
            "--xlsx",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["TongHop", "DonVi", "Nhom_channel", "TieuChi", "DongLuc", "PhuongPhap"]
    assert wb["DonVi"].max_row == 7
    assert wb["DonVi"]["A2"].value == 1
    assert isinstance(wb["TongHop"]["C2"].value, float)


def test_xlsform_command(tmp_path):
    out = tmp_path / "form.xlsx"
    res = runner.invoke(app, ["xlsform", "sipas-2022", "--xlsx", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists()


def test_sample_size():
    res = runner.invoke(app, ["sample-size", "10000", "200", "--json"])
    assert res.exit_code == 0, res.output
    assert [r["sample"] for r in json.loads(res.output)] == [385, 134]
    assert runner.invoke(app, ["sample-size", "100", "--margin", "5"]).exit_code == 2


def test_compute_previous_with_lineage(tmp_path, responses_csv):
    args = [
        "compute",
        str(responses_csv),
        "-i",
        "province-sipas-example",
        "--by",
        "unit",
        "-B",
        "100",
        "--json",
    ]
    first = json.loads(runner.invoke(app, args).output)
    for u in first["units"]:
        u["label"] = u["label"].replace("Đơn vị", "Tên cũ")
    prev = tmp_path / "prev.json"
    prev.write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")
    lin = tmp_path / "lineage.csv"
    lin.write_text(
        "old,new\n" + "".join(f"Tên cũ 00{i},Đơn vị 00{i}\n" for i in range(1, 7)), encoding="utf-8"
    )
    res = runner.invoke(app, args + ["--previous", str(prev), "--lineage", str(lin)])
    assert res.exit_code == 0, res.output
    ch = json.loads(res.output)["change"]
    assert all(c is not None and c["change"] == 0 for c in ch["units"].values())
    assert ch["baselines"]["Đơn vị 001"]["sources"] == ["Tên cũ 001"]
    bad = runner.invoke(
        app, args + ["--previous", str(prev), "--lineage", str(lin), "--lineage-date", "July"]
    )
    assert bad.exit_code == 2


def test_validate(tmp_path):
    from cchc.surveys.registry import shipped_paths

    res = runner.invoke(app, ["validate", *map(str, shipped_paths())])
    assert res.exit_code == 0, res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\ntitle_vi: x\nscales: {}\naspects: []\n", encoding="utf-8")
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert "bad.yaml:1: id:" in res.output and "aspects" in res.output
