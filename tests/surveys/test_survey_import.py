from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook, load_workbook

from cchc.surveys.importer import ImportFailed, import_responses, write_rejected, write_responses
from cchc.surveys.template import write_template


def _csv(path, rows, delimiter=","):
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def test_codes_as_columns_csv(tmp_path, tiny):
    p = _csv(
        tmp_path / "r.csv",
        [
            ["respondent_id", "unit", "channel", "Q1", "Q2", "X1", "M1", "extra"],
            ["a1", "Sở Tư pháp", "truc_tiep", "5", "", "1", "a b", "x"],
            ["a2", "Sở Tư pháp", "Trực tuyến", "Hài lòng", "9", "0", "", "y"],
        ],
    )
    # labels are accepted for answers ("m4" is option 4's label) and attributes ("Trực tuyến")
    p.write_text(p.read_text(encoding="utf-8").replace("Hài lòng", "m4"), encoding="utf-8")
    res = import_responses(p, tiny)
    r = res.responses
    assert r.n == 2
    assert list(r.column("Q1")) == [4, 3]
    assert list(r.column("Q2")) == [-1, -2]
    assert list(r.attrs["channel"]) == ["truc_tiep", "truc_tuyen"]
    assert r.multi["M1"][0].tolist() == [True, True, False]
    assert r.multi_missing["M1"].tolist() == [False, True]
    assert any("extra" in w for w in res.warnings)


def test_every_problem_reported_at_once_with_locations(tmp_path, tiny):
    p = _csv(
        tmp_path / "bad.csv",
        [
            ["respondent_id", "unit", "channel", "weight", "Q1", "Q2", "M1"],
            ["a1", "Sở Tư pháp", "truc_tiep", "1", "5", "", ""],
            ["a1", "Sở Tư pháp", "bằng thư", "1", "7", "", ""],
            ["a3", "", "truc_tiep", "-2", "", "", "a z"],
            ["a4", "Sở Xây dựng", "truc_tiep", "abc", "4", "", ""],
        ],
    )
    with pytest.raises(ImportFailed) as exc:
        import_responses(p, tiny, units=["Sở Tư pháp"])
    got = {(pr.row, pr.column, pr.reason.split(" (")[0]) for pr in exc.value.problems}
    assert (3, "respondent_id", "duplicate respondent id") in got
    assert (3, "channel", "impossible value for channel") in got
    assert (3, "Q1", "answer outside the scale") in got
    assert (4, "unit", "unit is required") in got
    assert (4, "weight", "weight must be a positive number") in got
    assert (4, "Q1", "missing required answer") in got
    assert (4, "M1", "choice(s) z not in the options") in got
    assert (5, "unit", "unknown unit") in got
    assert (5, "weight", "weight is not a number") in got
    assert all(pr.sheet == "bad.csv" for pr in exc.value.problems)
    assert "row 3, column Q1" in str(exc.value)


def test_unit_matching_is_unicode_and_prefix_tolerant(tmp_path, tiny):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "UBND phường Hải Châu")
    p = _csv(tmp_path / "u.csv", [["unit", "Q1"], [decomposed, "5"], ["Phường  Hải Châu", "4"]])
    res = import_responses(p, tiny, units=["Phường Hải Châu"])
    assert list(res.responses.attrs["unit"]) == ["Phường Hải Châu", "Phường Hải Châu"]


def test_missing_required_column(tmp_path, tiny):
    p = _csv(tmp_path / "m.csv", [["respondent_id", "Q2"], ["1", "5"]])
    with pytest.raises(ImportFailed) as exc:
        import_responses(p, tiny)
    reasons = [pr.reason for pr in exc.value.problems]
    assert any("required column 'unit'" in r for r in reasons)
    assert any("required question column 'Q1'" in r for r in reasons)


def test_skip_invalid_keeps_valid_rows_and_lists_rejected(tmp_path, tiny):
    p = _csv(
        tmp_path / "s.csv",
        [
            ["respondent_id", "unit", "Q1"],
            ["a1", "X", "5"],
            ["a2", "X", "8"],
            ["a3", "X", "1"],
        ],
    )
    res = import_responses(p, tiny, skip_invalid=True)
    assert res.responses.n == 2
    assert list(res.responses.ids) == ["a1", "a3"]
    assert [r.row for r in res.rejected] == [3]
    out = write_rejected(res.rejected, tmp_path / "rej.csv")
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:3] == ["sheet", "row", "reasons"]
    assert rows[1][1] == "3" and "outside the scale" in rows[1][2]


def test_template_round_trip(tmp_path, tiny):
    path = write_template(tiny, tmp_path / "t.xlsx", units=["Sở Tư pháp"])
    wb = load_workbook(path)
    ws = wb["Phieu"]
    header = [c.value for c in ws[1]]
    row = {"respondent_id": "p1", "unit": "Sở Tư pháp", "channel": "truc_tiep", "Q1": 4, "Q4": 9, "M1": "a c"}
    for ci, h in enumerate(header, start=1):
        ws.cell(row=3, column=ci, value=row.get(h))
    wb.save(path)
    res = import_responses(path, tiny, units=["Sở Tư pháp"])
    assert res.source_format == "template"
    assert res.responses.n == 1
    assert int(res.responses.column("Q1")[0]) == 3
    assert res.responses.source_rows.tolist() == [3]
    # normalised output re-imports as codes-as-columns
    out = write_responses(res.responses, tmp_path / "norm.csv")
    again = import_responses(out, tiny)
    assert again.responses.codes.tolist() == res.responses.codes.tolist()
    assert again.responses.multi["M1"].tolist() == res.responses.multi["M1"].tolist()


def _kobo_workbook(path):
    """A KoBoToolbox XLSX export (XML values and headers): group paths, metadata columns, a select_multiple as
    one column plus one column per option, and a repeat group on its own sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Khảo sát SIPAS tỉnh"
    ws.append(
        [
            "start",
            "end",
            "today",
            "thong_tin/respondent_id",
            "thong_tin/unit",
            "thong_tin/channel",
            "dv/Q1",
            "dv/Q2",
            "dv/Q3",
            "dv/Q4",
            "y_kien/kenh",
            "y_kien/kenh/a",
            "y_kien/kenh/b",
            "y_kien/kenh/c",
            "_id",
            "_uuid",
            "_submission_time",
            "_validation_status",
            "_notes",
            "_status",
            "_submitted_by",
            "__version__",
            "_tags",
            "_index",
        ]
    )
    ws.append(
        [
            "2025-05-01T08:00:00.000+07:00",
            "2025-05-01T08:07:12.000+07:00",
            "2025-05-01",
            "K001",
            "UBND phường Hải Châu",
            "truc_tiep",
            5,
            4,
            9,
            3,
            "a b",
            1,
            1,
            0,
            101,
            "7e1c0b7a-1b3e-4c2a-9a55-0f6a2e0c9d11",
            "2025-05-01T01:07:30",
            "",
            "",
            "submitted_via_web",
            "enumerator1",
            "vQ8xLpP2",
            "",
            1,
        ]
    )
    ws.append(
        [
            "2025-05-01T09:00:00.000+07:00",
            "2025-05-01T09:05:00.000+07:00",
            "2025-05-01",
            "K002",
            "UBND phường Hải Châu",
            "truc_tuyen",
            2,
            None,
            5,
            5,
            "c",
            0,
            0,
            1,
            102,
            "0b8b1e9a-ff42-4d1f-8c0e-2d3e4f5a6b7c",
            "2025-05-01T02:05:10",
            "",
            "",
            "submitted_via_web",
            "enumerator1",
            "vQ8xLpP2",
            "",
            2,
        ]
    )
    rep = wb.create_sheet("thanh_vien")
    rep.append(["ten", "tuoi", "_index", "_parent_table_name", "_parent_index", "_submission__id"])
    rep.append(["A", 30, 1, "Khảo sát SIPAS tỉnh", 1, 101])
    wb.save(path)
    return path


def test_kobo_export(tmp_path, tiny):
    path = _kobo_workbook(tmp_path / "kobo.xlsx")
    res = import_responses(path, tiny)
    r = res.responses
    assert r.n == 2
    assert list(r.ids) == ["K001", "K002"]
    assert list(r.column("Q3")) == [-2, 4]
    assert r.multi["M1"].tolist() == [[True, True, False], [False, False, True]]
    assert any("repeat group" in w for w in res.warnings)
    assert not any("_uuid" in w for w in res.warnings)  # metadata silently ignored
    assert "KoBoToolbox" in res.source_format


def test_kobo_export_with_labels_and_split_options(tmp_path, tiny):
    """Label headers and label values; select_multiple only as one column per option."""
    p = _csv(
        tmp_path / "kobo_labels.csv",
        [
            [
                "Mã phiếu",
                "Đơn vị",
                "Kênh",
                "Câu 1",
                "Câu 4",
                "Kênh thông tin/Kênh A",
                "Kênh thông tin/Kênh B",
                "Kênh thông tin/Kênh C",
                "_id",
                "_uuid",
            ],
            ["L1", "Sở Y tế", "Trực tiếp", "m5", "Không biết", "1", "0", "0", "1", "u1"],
            ["L2", "Sở Y tế", "Trực tuyến", "m2", "m4", "0", "0", "0", "2", "u2"],
        ],
        delimiter=";",
    )
    res = import_responses(p, tiny)
    r = res.responses
    assert list(r.column("Q1")) == [4, 1]
    assert list(r.column("Q4")) == [-2, 3]
    assert r.multi["M1"].tolist() == [[True, False, False], [False, False, False]]
    assert r.multi_missing["M1"].tolist() == [False, False]
    assert res.columns["Kênh thông tin/Kênh A"] == "M1=a"


def test_odk_central_export(tmp_path, tiny):
    p = _csv(
        tmp_path / "odk.csv",
        [
            [
                "SubmissionDate",
                "start",
                "end",
                "thong_tin-respondent_id",
                "thong_tin-unit",
                "dv-Q1",
                "dv-Q4",
                "y_kien-kenh",
                "SET-OF-thanh_vien",
                "meta-instanceID",
                "KEY",
                "SubmitterID",
                "SubmitterName",
                "AttachmentsPresent",
                "AttachmentsExpected",
                "Status",
                "ReviewState",
                "DeviceID",
                "Edits",
                "FormVersion",
            ],
            [
                "2025-05-02T03:00:00.000Z",
                "",
                "",
                "O1",
                "Sở Y tế",
                "4",
                "5",
                "a",
                "uuid:1/thanh_vien",
                "uuid:1",
                "uuid:1",
                "5",
                "enum",
                "0",
                "0",
                "",
                "",
                "",
                "0",
                "1",
            ],
        ],
    )
    res = import_responses(p, tiny)
    assert res.responses.n == 1
    assert list(res.responses.ids) == ["O1"]
    assert any("repeat-group columns ignored: SET-OF-thanh_vien" in w for w in res.warnings)
    assert not any("KEY" in w for w in res.warnings)


def test_duplicate_mapping_is_a_problem(tmp_path, tiny):
    p = _csv(tmp_path / "d.csv", [["unit", "Q1", "Câu 1"], ["X", "5", "4"]])
    with pytest.raises(ImportFailed) as exc:
        import_responses(p, tiny)
    assert "already given by column 'Q1'" in exc.value.problems[0].reason


def test_unsupported_and_missing_files(tmp_path, tiny):
    with pytest.raises(ImportFailed, match="file not found"):
        import_responses(tmp_path / "nope.csv", tiny)
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    with pytest.raises(ImportFailed, match="unsupported file type"):
        import_responses(bad, tiny)


def test_xlsform_round_trip(tmp_path, tiny):
    """The generated XLSForm's names come back from a KoBo export (group paths, choice names) unchanged."""
    from cchc.surveys.template import write_xlsform

    form = write_xlsform(tiny, tmp_path / "form.xlsx", units=["Sở Tư pháp", "UBND xã Ea Tu"])
    wb = load_workbook(form)
    survey = list(wb["survey"].values)
    names = [r[1] for r in survey[1:]]
    assert {"unit", "Q1", "kenh"} <= set(names)
    types = {r[1]: r[0] for r in survey[1:]}
    assert types["Q1"] == "select_one scale_s5" and types["kenh"] == "select_multiple scale_mc"
    choices = list(wb["choices"].values)
    assert ("ds_unit", "Sở_Tư_pháp", "Sở Tư pháp", "Sở Tư pháp") in choices
    assert ("scale_s5", "9", "Không biết", "Không biết") in choices
    assert list(wb["settings"].values)[1][1] == "tiny"
    p = _csv(
        tmp_path / "export.csv",
        [
            ["thong_tin/respondent_id", "thong_tin/unit", "g_A/Q1", "g_B/kenh", "_uuid"],
            ["k1", "Sở_Tư_pháp", "4", "a c", "u1"],
            ["k2", "UBND_xã_Ea_Tu", "9", "", "u2"],
        ],
    )
    res = import_responses(p, tiny, units=["Sở Tư pháp", "UBND xã Ea Tu"])
    assert list(res.responses.attrs["unit"]) == ["Sở Tư pháp", "UBND xã Ea Tu"]
    assert res.responses.multi["M1"][0].tolist() == [True, False, True]


def test_template_unit_list_is_used_for_validation(tmp_path, tiny):
    path = write_template(tiny, tmp_path / "t.xlsx", units=["Sở Tư pháp"])
    wb = load_workbook(path)
    ws = wb["Phieu"]
    header = [c.value for c in ws[1]]
    for r, unit in ((3, "Sở Tư pháp"), (4, "Sở Không Có")):
        ws.cell(row=r, column=header.index("unit") + 1, value=unit)
        ws.cell(row=r, column=header.index("Q1") + 1, value=5)
    wb.save(path)
    with pytest.raises(ImportFailed) as exc:
        import_responses(path, tiny)
    assert [(p.row, p.column) for p in exc.value.problems] == [(4, "unit")]


def test_select_multiple_labels_with_spaces_and_commas(tmp_path):
    from cchc.surveys.importer import _parse_multi
    from cchc.surveys.registry import load_instrument

    rq = load_instrument("sipas-2022").question("P2")
    assert _parse_multi(rq, "tv internet") == ([0, 3], [])
    assert _parse_multi(rq, "Truyền hình Họp thôn, tổ dân phố") == ([0, 4], [])
    assert _parse_multi(rq, "Truyền hình; Đài phát thanh") == ([0, 1], [])
    assert _parse_multi(rq, "Họp thôn, tổ dân phố") == ([4], [])
    assert _parse_multi(rq, "tv fax") == ([0], ["fax"])
