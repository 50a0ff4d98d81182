"""Survey pages (issue 4, web face): import with the problem report (atomic / skip-invalid), results per unit
equal to ``cchc.surveys.indices.compute``, the permission matrix, and applying unit indices to a cycle's survey
leaves (history, points)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from tests.web.helpers import fill_all, set_state
from tests.web.surveys.helpers import INSTRUMENT, write_csv

from cchc.surveys.importer import import_responses
from cchc.surveys.indices import STANDARD_REPLICATES, STANDARD_SEED, compute, standard_options
from cchc.surveys.registry import load_instrument
from cchc.web.assessments.models import LeafAssessment
from cchc.web.org.models import Unit
from cchc.web.results import services as results_services
from cchc.web.surveys.models import SurveyApplication, SurveyImport
from cchc.web.templatetags.cchc_tags import num

pytestmark = [pytest.mark.db, pytest.mark.django_db]





def upload(client, path: Path, instrument=INSTRUMENT, year="2026", skip_invalid=False):
    with open(path, "rb") as fh:
        data = {"instrument": instrument, "year": year, "file": fh}
        if skip_invalid:
            data["skip_invalid"] = "on"
        return client.post("/surveys/", data)


def expected(path: Path, units=("Sở Một", "Sở Hai")):
    inst = load_instrument(INSTRUMENT)
    res = import_responses(path, inst, units=list(units))
    return compute(res.responses, standard_options())


def vi(value):
    with translation.override("vi"):
        return num(value)


@pytest.fixture
def csv_ok(tmp_path):
    return write_csv(tmp_path / "phieu.csv")


def test_import_success_and_numbers_on_the_page_equal_compute(world, login, csv_ok):
    client = login(world.users["admin"])
    r = upload(client, csv_ok)
    assert r.status_code == 302
    survey = SurveyImport.objects.get()
    assert survey.status == "imported" and survey.n_imported == 240 and survey.n_rejected == 0
    assert survey.uploaded_by == world.users["admin"] and survey.instrument == INSTRUMENT and survey.year == 2026
    stored = Path(settings.DATA_DIR) / "uploads" / f"{survey.file_sha256}.csv"
    assert stored.read_bytes() == csv_ok.read_bytes()

    want = expected(csv_ok)
    assert survey.result["overall"] == want["overall"]
    assert [(u["label"], u["overall"], u["rank"], u["n"]) for u in survey.result["units"]] == [
        (u["label"], u["overall"], u["rank"], u["n"]) for u in want["units"]]

    html = client.get(r["Location"]).content.decode()
    o = want["overall"]
    assert f'<strong class="index">{vi(o["index"])}</strong>' in html
    assert f'{vi(o["ci_low"])} – {vi(o["ci_high"])}' in html
    for u in want["units"]:
        row = re.search(rf'<tr data-unit="{u["label"]}">(.*?)</tr>', html, re.S).group(1)
        assert f'<td class="n index">{vi(u["overall"]["index"])}</td>' in row
        assert f'{vi(u["overall"]["ci_low"])} – {vi(u["overall"]["ci_high"])}' in row
        assert f'<td class="n count">{u["n"]}</td>' in row
        assert f'{u["rank"]}/{u["ranked_of"]}' in row
    # both charts are embedded as Vega-Lite specs, with the vendored vega-embed
    assert 'id="chart-units-spec"' in html and 'id="chart-ipa-spec"' in html
    assert "vendor/vega-embed.min.js" in html
    spec = r_json(html, "chart-units-spec")
    values = next(iter(spec["datasets"].values()))
    assert {v["element"]: v["value"] for v in values} == {u["label"]: u["overall"]["index"] for u in want["units"]}
    ipa = next(iter(r_json(html, "chart-ipa-spec")["datasets"].values()))
    by_code = {d["element"]: d["importance"] for d in want["drivers"]["elements"]}
    assert {v["element"]: v["importance"] for v in ipa} == pytest.approx({k: v / 100 for k, v in by_code.items()})


def r_json(html, element_id):
    import json

    m = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def _corrupt(df):
    df = df.copy()
    df.loc[df.index[0], "E1_1"] = 7  # outside the 1–5 scale (row 2 of the file)
    df.loc[df.index[4], "unit"] = "Sở Không Có"  # unknown unit (row 6)
    return df


def test_problem_report_stores_nothing_else_and_skip_invalid_imports_the_valid_rows(world, login, tmp_path):
    client = login(world.users["admin"])
    bad = write_csv(tmp_path / "loi.csv", edit=_corrupt)
    r = upload(client, bad)
    survey = SurveyImport.objects.get()
    assert survey.status == "rejected" and survey.result is None and survey.n_imported == 0
    assert not (Path(settings.DATA_DIR) / "uploads" / f"{survey.file_sha256}.csv").exists()
    assert LeafAssessment.objects.filter(survey_index__isnull=False).count() == 0
    rows = {(p["row"], p["column"]) for p in survey.problems}
    assert {(2, "E1_1"), (6, "unit")} <= rows
    html = client.get(r["Location"]).content.decode()
    assert 'id="problems"' in html and "chart-units" not in html
    table = html[html.index('class="results problems"'):]
    assert "<code>7</code>" in table and "<code>Sở Không Có</code>" in table
    # the reasons in Vietnamese on the Vietnamese page, the file named as uploaded (not a temporary name)
    assert "câu trả lời ngoài thang đo (cho phép: " in table and "đơn vị không có trong danh sách đơn vị" in table
    assert "<td>loi.csv</td>" in table and "tmp" not in table and "outside the scale" not in table
    assert not list((Path(settings.DATA_DIR) / "uploads").glob(".import-*"))  # no temporary folder left behind
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(r["Location"]).content.decode()
    assert "answer outside the scale (allowed: " in english and "unknown unit (not in the unit list)" in english
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})

    r = upload(client, bad, skip_invalid=True)
    survey = SurveyImport.objects.first()
    assert survey.status == "imported" and survey.n_imported == 238 and survey.n_rejected == 2
    assert sorted(x["row"] for x in survey.rejected) == [2, 6]
    html = client.get(r["Location"]).content.decode()
    assert 'id="rejected"' in html and "<code>Sở Không Có</code>" in html and 'id="chart-units-spec"' in html


def test_upload_checks_refuse_before_storing(world, login, tmp_path):
    client = login(world.users["admin"])
    txt = tmp_path / "phieu.txt"
    txt.write_text("unit,E1_1\nSở Một,5\n")
    r = upload(client, txt)
    assert r.status_code == 200 and "chỉ nhận .csv hoặc .xlsx" in r.content.decode()
    fake = tmp_path / "phieu.xlsx"
    fake.write_bytes(b"not a zip")
    r = upload(client, fake)
    assert r.status_code == 200 and "không phải XLSX" in r.content.decode()
    r = upload(client, write_csv(tmp_path / "x.csv"), instrument="no-such")
    assert r.status_code == 200
    assert SurveyImport.objects.count() == 0


def test_upload_refusals_in_the_pages_words(world, login, tmp_path, settings):
    client = login(world.users["admin"])
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"unit,E1_1\nS\x00,5\n")
    r = upload(client, nul)
    assert r.status_code == 200 and "Tệp nul.csv không phải văn bản CSV." in r.content.decode()
    latin = tmp_path / "latin.csv"
    latin.write_bytes("unit,E1_1\nSở,5\n".encode("cp1258", errors="replace") + b"\xff")
    assert "Tệp latin.csv không phải văn bản CSV UTF-8." in upload(client, latin).content.decode()
    empty = tmp_path / "trong.csv"
    empty.write_bytes(b"")
    assert "Tệp trong.csv trống." in upload(client, empty).content.decode()
    # the declared size is refused at once, together with the form's other problems
    settings.CCHC_SURVEY_UPLOAD_MAX_BYTES = 10
    html = upload(client, write_csv(tmp_path / "to.csv"), instrument="no-such").content.decode()
    assert "Chọn một bộ câu hỏi." in html and "Tệp to.csv quá lớn (tối đa 0 MB)." in html
    assert SurveyImport.objects.count() == 0
    assert not [p for p in (Path(settings.DATA_DIR) / "uploads").iterdir() if p.name.startswith(".")]


def test_the_method_preset_is_stored_with_the_import(world, login, csv_ok):
    upload(login(world.users["admin"]), csv_ok)
    method = SurveyImport.objects.get().result["method"]
    assert (method["replicates"], method["seed"]) == (STANDARD_REPLICATES, STANDARD_SEED)


ROLES = ["admin", "approver", "leader", "focal", "focal2", "appraiser", "field_appraiser", "nobody"]
SEES = {"admin", "approver", "leader", "focal", "focal2"}
SEES_ALL = {"admin", "approver", "leader"}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, login, client, csv_ok, role):
    admin = login(world.users["admin"])
    upload(admin, csv_ok)
    survey = SurveyImport.objects.get()
    client.force_login(world.users[role])
    page = client.get("/surveys/")
    assert page.status_code == (200 if role in SEES else 403)
    res = client.get(f"/surveys/{survey.pk}/")
    assert res.status_code == (200 if role in SEES else 403)
    if role in SEES:
        html = res.content.decode()
        units = set(re.findall(r'<tr data-unit="([^"]+)">', html))
        own = {"focal": {"Sở Một"}, "focal2": {"Sở Hai"}}
        assert units == own.get(role, {"Sở Một", "Sở Hai"})
        assert ('id="chart-ipa-spec"' in html) == (role in SEES_ALL)
        assert ('id="survey-import"' in page.content.decode()) == (role == "admin")
        assert ('id="apply"' in html) == (role == "admin")
        nav = client.get("/").content.decode()
        assert 'href="/surveys/"' in nav
    # importing and applying: the administrator only
    r = upload(client, csv_ok)
    assert r.status_code == (302 if role == "admin" else 403)
    r = client.post(f"/surveys/{survey.pk}/apply/", {"cycle": world.cycle.pk})
    assert r.status_code == (302 if role == "admin" else 403)
    assert SurveyApplication.objects.count() == (1 if role == "admin" else 0)


def test_rejected_import_hidden_from_focal_points(world, login, client, tmp_path):
    admin = login(world.users["admin"])
    upload(admin, write_csv(tmp_path / "loi.csv", edit=_corrupt))
    survey = SurveyImport.objects.get()
    client.force_login(world.users["focal"])
    assert client.get(f"/surveys/{survey.pk}/").status_code == 404
    assert f'data-survey="{survey.pk}"' not in client.get("/surveys/").content.decode()


def test_logged_out_goes_to_login(client, world):
    r = client.get("/surveys/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_apply_to_cycle_sets_survey_index_and_points_change(world, login, tmp_path):
    Unit.objects.create(code="D3", name="Sở Ba", unit_type="department")  # a unit not in the cycle
    fill_all(world, "D1", 0.5)
    fill_all(world, "D2", 0.5)
    before = results_services.compute(world.cycle)["results"]["details"]
    path = write_csv(tmp_path / "p.csv", n=300, units=3, keep={"Sở Một", "Sở Ba"})
    client = login(world.users["admin"])
    upload(client, path)
    survey = SurveyImport.objects.get()
    assert survey.status == "imported"
    index = {u["label"]: u["overall"]["index"] for u in survey.result["units"]}
    r = client.post(f"/surveys/{survey.pk}/apply/", {"cycle": world.cycle.pk})
    assert r.status_code == 302

    leaves = [n.code for n in world.fw.leaves("department")
              if n.kind == "survey" and n.method.instrument == INSTRUMENT]
    assert leaves == ["8.1"]
    la = LeafAssessment.objects.get(participation=world.part("D1"), leaf_code="8.1")
    assert la.survey_index == index["Sở Một"]
    h = la.history.first()
    assert h.history_user == world.users["admin"] and f"#{survey.pk}" in h.history_change_reason
    assert h.prev_record.survey_index == pytest.approx(60 + 35 * 0.5)
    # Sở Hai has no survey row: untouched and listed; Sở Ba is not in the cycle: listed
    d2 = LeafAssessment.objects.get(participation=world.part("D2"), leaf_code="8.1")
    assert d2.survey_index == pytest.approx(60 + 35 * 0.5)
    app = SurveyApplication.objects.get()
    assert app.not_found == [{"code": "D2", "name": "Sở Hai"}] and app.not_in_cycle == ["Sở Ba"]
    assert app.updated == [{"code": "D1", "name": "Sở Một", "leaf": "8.1", "old": pytest.approx(77.5),
                            "new": index["Sở Một"], "low_n": False}]
    # the leaders' survey leaf (another instrument) is untouched
    assert LeafAssessment.objects.get(participation=world.part("D1"), leaf_code="8.2").survey_index == \
        pytest.approx(77.5)

    after = results_services.compute(world.cycle)["results"]["details"]
    assert before["D1"]["leaf_points"]["8.1"] == pytest.approx(77.5 / 10, abs=0.01)
    assert after["D1"]["leaf_points"]["8.1"] == pytest.approx(index["Sở Một"] / 10, abs=0.01)
    assert after["D2"]["leaf_points"] == before["D2"]["leaf_points"]

    html = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert 'class="warn not-found"' in html and "Sở Hai (D2)" in html
    assert 'class="warn not-in-cycle"' in html


def test_apply_refused_after_approval_and_for_a_framework_without_the_instrument(world, login, csv_ok):
    client = login(world.users["admin"])
    upload(client, csv_ok)
    survey = SurveyImport.objects.get()
    set_state(world.cycle, "published")
    assert client.post(f"/surveys/{survey.pk}/apply/", {"cycle": world.cycle.pk}).status_code == 403
    assert 'id="apply"' not in client.get(f"/surveys/{survey.pk}/").content.decode()

    set_state(world.cycle, "draft")
    other = SurveyImport.objects.create(
        instrument="sipas-2022", year=2026, status="imported", file_name="x.csv", file_sha256="0" * 64,
        result={"units": [{"label": "Sở Một", "n": 40, "low_n": False, "rank": 1, "ranked_of": 1,
                            "overall": {"index": 80.0, "ci_low": 75.0, "ci_high": 85.0, "n": 40}}]})
    assert 'id="apply"' not in client.get(f"/surveys/{other.pk}/").content.decode()  # no cycle to offer
    r = client.post(f"/surveys/{other.pk}/apply/", {"cycle": world.cycle.pk}, follow=True)
    assert "không có tiêu chí khảo sát dùng bộ câu hỏi sipas-2022" in r.content.decode()
    assert SurveyApplication.objects.count() == 0


def test_english_pages(world, login, csv_ok):
    client = login(world.users["admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    r = upload(client, csv_ok)
    html = client.get(r["Location"]).content.decode()
    assert '<html lang="en">' in html and "Results by unit" in html and "Importance–performance matrix" in html
    assert ">Surveys</a>" in html and "Apply to an assessment cycle" in html
    assert "An EXAMPLE instrument, not an official text." in html


def test_apply_lists_units_whose_type_has_no_such_leaf_or_no_index(world, login, monkeypatch):
    from cchc.web.surveys import services

    survey = SurveyImport.objects.create(
        instrument=INSTRUMENT, year=2026, status="imported", file_name="x.csv", file_sha256="0" * 64,
        result={"units": [
            {"label": "UBND Sở Một", "n": 40, "low_n": False, "rank": 1, "ranked_of": 1,
             "overall": {"index": 81.5, "ci_low": 75.0, "ci_high": 85.0, "n": 40}},
            {"label": "Sở Hai", "n": 0, "low_n": True, "rank": None, "ranked_of": 1,
             "overall": {"index": None, "ci_low": None, "ci_high": None, "n": 0}}]})
    client = login(world.users["admin"])
    client.post(f"/surveys/{survey.pk}/apply/", {"cycle": world.cycle.pk})
    app = SurveyApplication.objects.get()
    assert [u["code"] for u in app.updated] == ["D1"] and app.updated[0]["new"] == 81.5  # "UBND" prefix ignored
    assert app.no_index == [{"code": "D2", "name": "Sở Hai", "label": "Sở Hai", "reason": "no_index"}]
    assert app.not_found == [] and app.not_in_cycle == []

    real = services.survey_leaves
    monkeypatch.setattr(services, "survey_leaves",
                        lambda fw, unit_type, inst: [] if unit_type == "board" else real(fw, unit_type, inst))
    world.d2.unit_type = "board"
    world.d2.save()
    client.post(f"/surveys/{survey.pk}/apply/", {"cycle": world.cycle.pk})
    app = SurveyApplication.objects.first()
    assert app.no_index == [{"code": "D2", "name": "Sở Hai", "label": "Sở Hai", "reason": "no_leaf"}]
    html = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "loại đơn vị này không có tiêu chí khảo sát" in html


def test_xlsx_upload(world, login, tmp_path):
    import pandas as pd

    csv = write_csv(tmp_path / "p.csv", n=120)
    xlsx = tmp_path / "phieu.xlsx"
    pd.read_csv(csv, dtype=str, keep_default_na=False).to_excel(xlsx, index=False)
    client = login(world.users["admin"])
    upload(client, xlsx)
    survey = SurveyImport.objects.get()
    assert survey.status == "imported" and survey.n_imported == 120
    assert survey.result["overall"] == expected(csv)["overall"]
    assert (Path(settings.DATA_DIR) / "uploads" / f"{survey.file_sha256}.xlsx").exists()


def _unit(label, low, high, rank, low_n=False):
    return {"label": label, "n": 40, "low_n": low_n, "rank": rank, "ranked_of": 3,
            "overall": {"index": (low + high) / 2, "ci_low": low, "ci_high": high, "n": 40}}


@pytest.mark.parametrize(("units", "shown"), [
    ([_unit("Sở Một", 80.0, 90.0, 1), _unit("Sở Hai", 60.0, 70.0, 2), _unit("Sở Ba", 40.0, 50.0, 3)], False),
    ([_unit("Sở Một", 80.0, 90.0, 1), _unit("Sở Hai", 60.0, 70.0, 2), _unit("Sở Ba", 40.0, 50.0, 3),
      _unit("Xã Ít Phiếu", 55.0, 95.0, None, low_n=True)], False),  # an unranked unit's wide interval does not count
    ([_unit("Sở Một", 80.0, 90.0, 1), _unit("Sở Hai", 65.0, 82.0, 2), _unit("Sở Ba", 40.0, 50.0, 3)], True),
])
def test_overlap_sentence_only_when_two_intervals_overlap(world, login, units, shown):
    survey = SurveyImport.objects.create(instrument=INSTRUMENT, year=2026, status="imported", file_name="x.csv",
                                         file_sha256="0" * 64, result={"units": units})
    html = login(world.users["admin"]).get(f"/surveys/{survey.pk}/").content.decode()
    assert all(f'data-unit="{u["label"]}"' in html for u in units)
    assert ("khoảng tin cậy chồng lên nhau" in html) is shown
