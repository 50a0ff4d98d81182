"""Service-delivery pages (issue 5, web face): the numbers on the pages are the library's
(``cchc.services.indicators.compute(...).records()`` and ``late_dossiers``), the permission matrix, the import
page with per-row problems."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.web.dossiers.helpers import bad_csv, flat

from cchc.services.indicators import compute, late_dossiers
from cchc.services.synth import SynthSpec, write_synth
from cchc.web.dossiers import services as data

pytestmark = [pytest.mark.db, pytest.mark.django_db]







def _cells(html: str, attr: str, key: str) -> list[str]:
    row = re.search(rf'<tr[^>]*{attr}="{re.escape(key)}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _vi(x, d):
    from cchc.core.numbers import format_number_vi

    return "—" if x is None else format_number_vi(x, d)


def _rate(rec, ind_id):
    i = next(i for i in rec["indicators"] if i["id"] == ind_id)
    return i.get("rate") if i["computable"] else None


def test_dashboard_numbers_are_the_library_records(svc, login, synth_store):
    c = login(svc.users["leader"])
    r = c.get("/services/?period=quarter&p=2025-Q1")
    assert r.status_code == 200
    html = r.content.decode()
    recs = [x for x in compute(synth_store, period="quarter", levels=("unit", "parent", "province")).records()
            if x["period"] == "2025-Q1"]
    assert {x["unit"] for x in recs} == {"*", "D001", "U0001", "U0002", "U0003"}
    for rec in recs:
        cells = _cells(html, "data-unit", rec["unit"])
        expected = [_vi(rec["received"], 0)] + [_vi(_rate(rec, i), 1) for i, _ in data.SUMMARY] + [
            _vi(rec["on_time"]["late"] + rec["on_time"]["open_overdue"], 0), _vi(rec["total_points"], 2)]
        assert cells[1:] == expected, rec["unit"]
    assert "Phường Một" in html and "Toàn tỉnh" in html
    assert 'id="chart-services"' in html and "chart-services-spec" in html  # trend chart (Vega-Lite spec)
    # the default period is the latest one, and the granularity is honoured
    r = c.get("/services/?period=month")
    assert r.context["chosen"] == "2025-06" and r.context["labels"][0] == "2025-01"


def test_unit_page_indicators_procedures_and_reasons(svc, login, synth_store):
    c = login(svc.users["leader"])
    html = c.get("/services/units/U0002/?period=month&p=2025-03").content.decode()
    rec = next(x for x in compute(synth_store, period="month", levels=("unit",)).records()
               if x["unit"] == "U0002" and x["period"] == "2025-03")
    for ind in rec["indicators"]:
        if ind["computable"]:
            cells = _cells(html, "data-indicator", ind["id"])
            assert cells[2:4] == [_vi(ind["numerator"], 0), _vi(ind["denominator"], 0)], ind["id"]
            assert cells[4].startswith(_vi(ind["rate"], 2))
            if ind["max_points"]:
                assert cells[5].startswith(_vi(ind["points"], 2))
        else:
            assert ind["reason_vi"] in html and ind["reason"] not in html  # not computable, the reason in Vietnamese
    assert _vi(rec["total_points"], 2) in html.split('id="total-points">')[1][:20]
    procs = [p for p in compute(synth_store, period="month", unit="U0002", by_procedure=True,
                                levels=("unit",)).records() if p["period"] == "2025-03" and p["received"] > 0]
    assert procs
    for p in procs:
        cells = _cells(html, "data-procedure", p["procedure_code"])
        assert cells[1] == _vi(p["received"], 0)
        assert cells[2] == _vi(_rate(p, "2.1"), 1)
        assert cells[-1] == _vi(p["on_time"]["late"] + p["on_time"]["open_overdue"], 0)
    assert 'id="chart-unit"' in html


def test_late_dossiers_drill_down(svc, login, synth_store):
    c = login(svc.users["leader"])
    for unit, label in (("U0001", "2025-Q2"), ("D001", "2025-02")):
        html = c.get(f"/services/units/{unit}/late/?p={label}").content.decode()
        lib = late_dossiers(synth_store, unit=unit, period=label)
        assert len(lib) > 0
        assert set(re.findall(r'data-dossier="([^"]+)"', html)) == set(lib["dossier_id"])
        row = lib.iloc[0]
        cells = _cells(html, "data-dossier", row["dossier_id"])
        assert cells[6] == _vi(row["days_late"], 0) and cells[7] == _vi(row["working_days_late"], 0)
    # per procedure: the unit page links to the procedure's late dossiers
    lib = late_dossiers(synth_store, unit="U0001", period="2025-Q2")
    proc = lib["procedure_code"].iloc[0]
    html = c.get(f"/services/units/U0001/late/?p=2025-Q2&procedure={proc}").content.decode()
    assert set(re.findall(r'data-dossier="([^"]+)"', html)) == set(lib[lib["procedure_code"] == proc]["dossier_id"])
    assert c.get("/services/units/U0001/late/?p=nonsense").status_code == 404


@pytest.mark.parametrize("who, url, status", [
    ("leader", "/services/", 200),
    ("approver", "/services/units/U0003/", 200),
    ("admin", "/services/units/*/", 200),
    ("focal_u1", "/services/", 302),  # sent to its own unit
    ("focal_u1", "/services/units/U0001/", 200),
    ("focal_u1", "/services/units/U0001/late/?p=2025-05", 200),
    ("focal_u1", "/services/units/U0002/", 403),
    ("focal_u1", "/services/units/U0002/late/?p=2025-05", 403),
    ("focal_u1", "/services/units/D001/", 403),
    ("focal_u1", "/services/units/*/", 403),
    ("focal", "/services/", 302),  # focal point of D1: sent to its own unit …
    ("focal", "/services/units/D1/", 200),  # … which has no dossiers in the store (said so)
    ("focal", "/services/units/U0001/", 403),
    ("appraiser", "/services/", 403),
    ("nobody", "/services/units/U0001/", 403),
    ("leader", "/services/import/", 403),
    ("focal_u1", "/services/import/", 403),
    ("admin", "/services/import/", 200),
    ("leader", "/services/units/NOPE/", 404),
])
def test_permission_matrix(svc, login, who, url, status):
    r = login(svc.users[who]).get(url)
    assert r.status_code == status, (who, url, r.status_code)
    if status == 302:
        assert r["Location"] == {"focal_u1": "/services/units/U0001/", "focal": "/services/units/D1/"}[who]
    if (who, url) == ("focal", "/services/units/D1/"):
        assert 'id="no-data"' in r.content.decode()


def test_anonymous_is_sent_to_login(svc, client):
    for url in ("/services/", "/services/units/U0001/", "/services/units/U0001/late/?p=2025-05", "/services/import/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_nav_link_only_for_those_who_may_see(svc, login):
    assert "/services/" in login(svc.users["leader"]).get("/").content.decode()
    assert 'href="/services/"' not in login(svc.users["appraiser"]).get("/").content.decode()




def test_import_shows_problems_and_stores_only_good_rows(svc, login, settings, tmp_path):
    import duckdb

    from cchc.services.importer import Store, file_hash

    store = tmp_path / "store"
    settings.CCHC_DOSSIER_STORE = store
    records, catalogue = bad_csv(tmp_path)
    c = login(svc.users["admin"])
    assert "Chưa có dữ liệu hồ sơ" in c.get("/services/").content.decode()

    def post(**extra):
        files = {"file": SimpleUploadedFile("ho-so-thang-3.csv", records.read_bytes(), "text/csv")}
        files.update(extra)
        return c.post("/services/import/", files, follow=True)

    r = post(catalogue=SimpleUploadedFile("danh-muc.csv", catalogue.read_bytes(), "text/csv"))
    assert r.redirect_chain[0][0] == f"/services/import/{r.context['job'].pk}/"
    assert r.status_code == 200
    html = r.content.decode()
    result = r.context["job"].result
    assert r.context["job"].status == "done" and result["accepted"] == 39 and result["rejected"] == 2
    assert 'id="accepted">39<' in html and 'id="rejected">2<' in html
    problems = re.findall(r"<tr><td>ho-so-thang-3.csv</td><td class=\"n\">(\d+)</td><td>(\w+)</td><td>([^<]*)</td>"
                          r"<td>([^<]+)</td></tr>", html)
    assert problems[0][:3] == ("5", "status", "12") and problems[0][3].startswith("mã không hợp lệ (cho phép: ")
    assert problems[1][:2] == ("41", "dossier_id") and "mã hồ sơ trùng trong tệp (lần đầu ở dòng" in problems[1][3]
    assert result["problems"][0]["reason"].startswith("unknown code")  # the stored reason stays English
    assert str(settings.DATA_DIR) not in html  # the file is named as uploaded, not by its path on the server
    stored = duckdb.sql(f"SELECT dossier_id, status FROM read_parquet('{Store(store).glob()}')").fetchall()
    assert len(stored) == 39 and all(s != 12 for _, s in stored)
    uploads = list((Path(settings.DATA_DIR) / "uploads").iterdir())
    assert (Path(settings.DATA_DIR) / "uploads" / f"{file_hash(records)}.csv") in uploads  # under its SHA-256
    # the rejected rows with their reasons, to download
    got = c.get(f"/services/import/{r.context['job'].pk}/rejected.csv")
    assert got.status_code == 200 and 'filename="bi-loai-ho-so-thang-3.csv"' in got["Content-Disposition"]
    rejected = list(csv.DictReader(b"".join(got.streaming_content).decode().splitlines()))
    assert [row["status"] for row in rejected] == ["12", rejected[1]["status"]] and len(rejected) == 2
    assert "unknown code" in rejected[0]["_reasons"] and "duplicate dossier id" in rejected[1]["_reasons"]
    # the pages see the new store at once (the cache is keyed by the store state)
    html = c.get("/services/?period=month").content.decode()
    assert 'data-unit="U0001"' in html and "2025-03" in html
    # the import page lists the uploads with their outcome
    html = c.get("/services/import/").content.decode()
    assert f'data-job="{r.context["job"].pk}"' in html and "ho-so-thang-3.csv" in html and "Hoàn thành" in html
    # re-import: idempotent
    r = post()
    assert r.context["job"].result["skipped"] and "đã được nhập trước đây" in r.content.decode()
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{Store(store).glob()}')").fetchall()[0][0] == 39
    assert c.get(f"/services/import/{r.context['job'].pk}/rejected.csv").status_code == 404  # nothing rejected


def test_import_refuses_wrong_type_and_size(svc, login, settings, tmp_path):
    from cchc.web.dossiers.models import DossierImport

    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    c = login(svc.users["admin"])
    for name, content, words in [
        ("records.parquet", b"not parquet at all", "không phải Parquet"),
        ("records.csv", b"\xff\xfe\x00bad", "không phải văn bản UTF-8"),
        ("records.jsonl", b"dossier_id,unit\n", "không phải JSON Lines"),
        ("records.xlsx", b"PK\x03\x04", "chỉ nhận"),
    ]:
        r = c.post("/services/import/", {"file": SimpleUploadedFile(name, content)})
        assert r.status_code == 422 and words in r.content.decode(), name
    settings.CCHC_DOSSIER_UPLOAD_MAX_BYTES = 10
    r = c.post("/services/import/", {"file": SimpleUploadedFile("r.csv", b"dossier_id,unit_code\n1,2\n")})
    assert r.status_code == 422 and "quá lớn" in r.content.decode()
    assert not DossierImport.objects.exists()  # nothing refused at the door becomes a job
    r = c.post("/services/import/", {"file": SimpleUploadedFile("r.csv", b"a,b\n1,2\n")})
    assert not (tmp_path / "store" / "dossiers").exists()
    # a catalogue the library refuses is reported at once, named as uploaded
    settings.CCHC_DOSSIER_UPLOAD_MAX_BYTES = 1000
    r = c.post("/services/import/", {"file": SimpleUploadedFile("r.csv", b"a,b\n1,2\n"),
                                     "catalogue": SimpleUploadedFile("dm.csv", b"x,y\n1,2\n")})
    assert r.status_code == 422 and "Danh mục TTHC: dm.csv" in r.content.decode()
    # a file the library refuses (missing required columns): the job fails and says why, not a server error
    r = c.post("/services/import/", {"file": SimpleUploadedFile("thieu-cot.csv", b"a,b\n1,2\n")}, follow=True)
    job = r.context["job"]
    assert job.status == "failed" and "missing required column" in job.message
    assert "thieu-cot.csv: thiếu cột bắt buộc: dossier_id (hoặc MaHoSo" in r.content.decode()  # in Vietnamese
    assert "thieu-cot.csv" in r.content.decode() and str(settings.DATA_DIR) not in job.message
    assert not (tmp_path / "store" / "dossiers").exists()


def test_english_and_number_format(svc, login):
    c = login(svc.users["leader"])
    html = c.get("/services/?period=year").content.decode()
    cells = _cells(html, "data-unit", "*")
    assert "," in cells[2] and "." not in cells[2]  # a rate with a decimal comma
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get("/services/?period=year").content.decode()
    assert "." in _cells(html, "data-unit", "*")[2]


def test_results_are_cached_until_the_store_changes(svc, login, synth_store, monkeypatch):
    import cchc.services.indicators as indicators

    calls = []
    real = indicators.compute

    def counting(*args, **kwargs):
        calls.append(kwargs.get("period"))
        return real(*args, **kwargs)

    monkeypatch.setattr(indicators, "compute", counting)
    c = login(svc.users["leader"])
    for _ in range(3):
        assert c.get("/services/?period=half").status_code == 200
    assert calls == ["half"]
    first = data.store_state()
    part = next((synth_store / "dossiers").rglob("*.parquet"))
    part.touch()  # a file rewritten in place (cchc dossiers rederive)
    assert data.store_state() != first
    c.get("/services/?period=half")
    assert calls == ["half", "half"]


def test_unit_page_in_english(svc, login):
    c = login(svc.users["leader"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get("/services/units/U0001/?period=quarter").content.decode()
    assert "Dossiers received" in html and "Late dossiers" in html and "Service delivery" in html
    assert "Dossiers processed early or on time" in html  # the indicator's English name


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_import_parquet_and_json_lines(svc, login, settings, tmp_path, suffix):
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    out = tmp_path / f"records{suffix}"
    info = write_synth(SynthSpec(rows=30, units=2, procedures=4, seed=2, start=dt.date(2025, 5, 1),
                                 end=dt.date(2025, 5, 31)), out)
    c = login(svc.users["admin"])
    r = c.post("/services/import/", {
        "file": SimpleUploadedFile(out.name, out.read_bytes()),
        "catalogue": SimpleUploadedFile("danh-muc.csv", Path(info["catalogue"]).read_bytes()),
    }, follow=True)
    assert r.status_code == 200, r.content.decode()[:2000]
    result = r.context["job"].result
    assert result["accepted"] == 30 and result["rejected"] == 0
    recs = compute(tmp_path / "store", period="month", levels=("province",)).records()
    html = c.get("/services/?period=month").content.decode()
    assert _cells(html, "data-unit", "*")[1] == _vi(recs[0]["received"], 0) == "30"


@pytest.mark.parametrize("unit, period", [("U0003", "month"), ("D001", "quarter"), ("*", "year")])
def test_procedure_records_equal_compute(svc, synth_store, unit, period):
    """The per-procedure drill-down (computed from the unit's rows only) equals compute(by_procedure=True)."""
    expected = compute(synth_store, period=period, unit=unit, by_procedure=True,
                       levels=("unit", "parent", "province")).records()
    got = data.procedures(period, unit)
    assert expected and len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):  # floats equal up to summation order (parallel aggregation)
        fg, fe = dict(flat(g)), dict(flat(e))
        assert fg.keys() == fe.keys()
        for k, v in fe.items():
            assert fg[k] == (pytest.approx(v, rel=1e-9) if isinstance(v, float) else v), (e["procedure_code"], k)




@pytest.mark.parametrize("label", ["2025-13", "2025-Q0", "2025-H3", "abcd", "2025-QX", "", "2025-05-01"])
def test_odd_period_labels_are_not_server_errors(svc, login, label):
    r = login(svc.users["leader"]).get("/services/units/U0001/late/", {"p": label})
    assert r.status_code == 404


def test_pages_finish_an_import_cut_short_after_its_commit(tmp_path, monkeypatch):
    """An import that died after its commit point (journal written, files half moved) is finished before the
    pages read the store, so they never show half of it."""
    import os

    from tests.services.helpers import dossier, write_rows

    from cchc.services.importer import Store, import_file

    store = Store(tmp_path / "store")
    import_file(write_rows(tmp_path / "a.csv", [dossier(1), dossier(2)]), store)
    later = write_rows(tmp_path / "b.csv", [dossier(3, received_at="2024-04-02 09:00:00"),
                                             dossier(4, received_at="2024-05-02 09:00:00")])
    real, calls = os.replace, []

    def cut(src, dst):  # call 1 writes the journal, call 2 moves April's file, call 3 (May's) fails
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("power cut")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", cut)
    with pytest.raises(OSError):
        import_file(later, store)
    monkeypatch.undo()
    assert store.interrupted() and len(list(store.dossiers_dir.rglob("*.parquet"))) == 2  # March, April
    data.store_state(store.root)  # what every page does first
    assert not store.interrupted()
    assert len(list(store.dossiers_dir.rglob("*.parquet"))) == 3
    assert [e["file"] for e in store.manifest()] == [str(tmp_path / "a.csv"), str(later)]


def test_import_job_page_in_english(svc, login, settings, tmp_path):
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    records, catalogue = bad_csv(tmp_path)
    c = login(svc.users["admin"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    r = c.post("/services/import/", {"file": SimpleUploadedFile("march.csv", records.read_bytes()),
                                     "catalogue": SimpleUploadedFile("cat.csv", catalogue.read_bytes())}, follow=True)
    html = r.content.decode()
    assert 'id="job-status">Done<' in html and "Download the rejected rows with their reasons (CSV)" in html
    assert "Rejected: <strong id=\"rejected\">2<" in html and "Type:" not in html  # not the unit type's "Loại"
    assert "unknown code (allowed: " in html and "mã không hợp lệ" not in html  # the reasons in English
    listing = c.get("/services/import/").content.decode()
    assert "Uploaded files" in listing and '<th scope="col" class="n">Rejected</th>' in listing


def test_a_dossier_of_a_unit_not_in_the_province_is_rejected_not_shown(svc, login, settings, tmp_path):
    """A row whose unit code is not one of the province's units is rejected with its reason (row, column, value)
    and never appears on the dashboard as a new unit."""
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    records, catalogue = bad_csv(tmp_path)
    with records.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[9]["unit_code"] = "X/9"  # row 10: not a unit of the province (and a code no URL could carry)
    with records.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    c = login(svc.users["admin"])
    r = c.post("/services/import/", {"file": SimpleUploadedFile("ho-so.csv", records.read_bytes(), "text/csv"),
                                     "catalogue": SimpleUploadedFile("dm.csv", catalogue.read_bytes(), "text/csv")},
               follow=True)
    result = r.context["job"].result
    assert result["accepted"] == 38 and result["rejected"] == 3
    problem = next(p for p in result["problems"] if p["row"] == 10)
    assert (problem["column"], problem["value"], problem["reason"]) == (
        "unit_code", "X/9", "unknown unit code (not a unit of the province)")
    html = r.content.decode()
    assert re.search(r'<td class="n">10</td><td>unit_code</td><td>X/9</td><td>mã đơn vị không phải đơn vị của tỉnh</td>',
                     html)
    dashboard = c.get("/services/?period=month").content.decode()
    assert 'data-unit="U0001"' in dashboard and "X/9" not in dashboard
