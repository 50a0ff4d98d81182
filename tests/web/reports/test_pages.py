"""The report page: permissions, upload checks, progress, downloads whose numbers are the published ones."""

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from tests.web.helpers import fill_all, refuse_saves, set_state

pytestmark = [pytest.mark.db, pytest.mark.django_db]
NATIONAL = Path(__file__).parents[3] / "examples" / "par_index_national_2022_2023.csv"


@pytest.fixture
def published(world, settings):
    from cchc.web.results import services as results_services

    settings.CCHC_REPORTS_INLINE = True
    fill_all(world, "D1", quality=0.9, appraise=True)
    fill_all(world, "D2", quality=0.7, appraise=True)
    set_state(world.cycle, "published")
    results_services.publish(world.cycle, world.users["admin"])
    return world


@pytest.mark.parametrize("name,allowed", [("admin", True), ("approver", True), ("leader", True), ("focal", False),
                                          ("appraiser", False), ("nobody", False)])
def test_who_may_make_reports(published, login, name, allowed):
    response = login(published.users[name]).get("/reports/")
    assert response.status_code == (200 if allowed else 403)


def test_review_report_from_published_cycle(published, login):
    from cchc.web.results.services import results_for

    client = login(published.users["leader"])
    with NATIONAL.open("rb") as fh:
        response = client.post("/reports/", {"kind": "review", "period": "2026", "province": "Kon Tum", "national": fh})
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url)
    assert "Hoàn thành" in page.content.decode()
    partial = client.get(job_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="job"' in partial and "every 1s" not in partial  # finished: no more polling
    docx = client.get(job_url + "bao-cao-cchc-2026.docx")
    assert docx.status_code == 200
    doc = Document(io.BytesIO(b"".join(docx.streaming_content)))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "Chỉ số CCHC năm 2023 đạt 86,14%, xếp thứ 43/63" in text  # the uploaded national table (latest year)
    xlsx = client.get(job_url + "bao-cao-cchc-2026.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    sheet = wb["Xếp hạng các sở"]
    got = {r[1]: (r[0], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    published_rows = {u["name"]: (u["rank"], u["index"]) for u in results_for(published.cycle)["units"]}
    assert got == published_rows
    # another reader cannot fetch someone else's job; a file not in the job is 404
    assert login(published.users["approver"]).get(job_url).status_code == 404
    assert client.get(job_url + "..%2Fsecret.docx").status_code == 404


def test_decision_annex_and_form_errors(published, login):
    client = login(published.users["admin"])
    bad = client.post("/reports/", {"kind": "review", "period": "2026-Q1", "province": ""})
    body = bad.content.decode()
    assert bad.status_code == 200 and "Nhập tên tỉnh." in body and "Kỳ báo cáo phải là năm" in body
    upload = io.BytesIO(b"not,a,spreadsheet")
    upload.name = "bang.txt"
    bad = client.post("/reports/", {"kind": "review", "period": "2026", "province": "Kon Tum", "national": upload})
    assert "chỉ nhận .csv hoặc .xlsx" in bad.content.decode()
    response = client.post("/reports/", {"kind": "decision", "cycle": str(published.cycle.pk), "province": "Kon Tum"})
    assert response.status_code == 302
    files = client.get(response["Location"]).content.decode()
    assert "phu-luc-chi-so-cchc-2026.docx" in files and "phu-luc-chi-so-cchc-2026.xlsx" in files


def test_a_progress_note_that_cannot_be_saved_does_not_stop_the_report(published, login, monkeypatch):
    """A busy database may refuse a progress note; the report is still written and its outcome saved."""
    from cchc.web.reports.models import ReportJob

    refused = refuse_saves(monkeypatch, ReportJob, ["step", "status", "updated_at"])
    client = login(published.users["admin"])
    response = client.post("/reports/", {"kind": "decision", "cycle": str(published.cycle.pk), "province": "Kon Tum"})
    job = ReportJob.objects.latest("pk")
    assert response.status_code == 302 and refused, refused
    assert job.status == "done" and job.step == "Xong" and "phu-luc-chi-so-cchc-2026.docx" in job.files, job.message


@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_report_whose_worker_died_is_reported_failed(published, login, status):
    """A server restart kills the report's thread: once the job has not moved for ten minutes and its thread is
    not here, the page says so and stops polling; a younger job is left alone (it may run in another worker)."""
    import datetime as dt

    from django.utils import timezone

    from cchc.web.reports import services as jobs
    from cchc.web.reports.models import ReportJob

    client = login(published.users["admin"])
    old, young = (ReportJob.objects.create(kind="review", params={"period": "2026"}, status=status,
                                           created_by=published.users["admin"]) for _ in range(2))
    ReportJob.objects.filter(pk=old.pk).update(updated_at=timezone.now() - jobs.STALE_AFTER - dt.timedelta(seconds=1))
    partial = client.get(f"/reports/{old.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert ReportJob.objects.get(pk=old.pk).status == "failed"
    assert "bị dừng giữa chừng" in partial and "every 1s" not in partial
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/reports/{old.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "The report stopped part-way (was the server restarted?)" in english
    assert "every 1s" in client.get(f"/reports/{young.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert ReportJob.objects.get(pk=young.pk).status == status
    # the list of the person's reports settles them too; a job that finished meanwhile keeps its outcome
    ReportJob.objects.filter(pk=young.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    seen = ReportJob.objects.get(pk=young.pk)
    ReportJob.objects.filter(pk=young.pk).update(status="done", updated_at=timezone.now())
    assert jobs.settle_stale(seen).status == "done"
    third = ReportJob.objects.create(kind="review", params={}, status=status, created_by=published.users["admin"])
    ReportJob.objects.filter(pk=third.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    client.get("/reports/")
    assert ReportJob.objects.get(pk=third.pk).status == "failed"


def test_report_pages_in_english(published, login):
    """The report page, its errors, the job's status and steps follow the chosen language (steps are kept in
    Vietnamese and translated when shown)."""
    client = login(published.users["admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/reports/").content.decode()
    assert "Make the report" in page and "Tạo báo cáo" not in page
    bad = client.post("/reports/", {"kind": "review", "period": "2026-Q1", "province": ""}).content.decode()
    assert "Type the province&#x27;s name." in bad and "The period must be a year (2025)" in bad
    r = client.post("/reports/", {"kind": "decision", "cycle": str(published.cycle.pk), "province": "Kon Tum"},
                    follow=True)
    html = r.content.decode()
    assert "<strong>Done</strong> — Finished" in html and "Download phu-luc-chi-so-cchc-2026.docx" in html
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "<strong>Hoàn thành</strong> — Xong" in client.get(r.redirect_chain[-1][0]).content.decode()


def test_cli_decision_from_a_published_cycle(published, tmp_path):
    from typer.testing import CliRunner

    from cchc.cli import app

    result = CliRunner().invoke(app, ["report", "decision", "--cycle", str(published.cycle.pk), "--province", "Kon Tum",
                                      "--out", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0, result.output
    wb = load_workbook(tmp_path / "phu-luc-chi-so-cchc-2026.xlsx")
    names = [r[1] for r in wb["Phụ lục các sở"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["Sở Hai", "Sở Một"]


def test_review_has_reward_proposals_and_says_when_steering_data_is_absent(published, login):
    from cchc.web.results.services import results_for

    client = login(published.users["admin"])
    response = client.post("/reports/", {"kind": "review", "period": "2026", "province": "Kon Tum"})
    job_url = response["Location"]
    doc = Document(io.BytesIO(b"".join(client.get(job_url + "bao-cao-cchc-2026.docx").streaming_content)))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "Chưa có nhiệm vụ hoặc chỉ tiêu đến hạn trong kỳ năm 2026." in text
    assert "Chưa có nhiệm vụ đang mở cho kỳ tới." in text
    assert "Căn cứ kết quả Chỉ số CCHC năm 2026, đề nghị khen thưởng" in text
    wb = load_workbook(io.BytesIO(b"".join(client.get(job_url + "bao-cao-cchc-2026.xlsx").streaming_content)))
    rows = list(wb["Đề xuất khen thưởng"].iter_rows(min_row=2, values_only=True))
    published_units = {u["name"]: u["index"] for u in results_for(published.cycle)["units"]}
    assert {r[2]: r[3] for r in rows} == published_units


def test_review_includes_survey_imports_and_the_dossier_store(published, login, settings, tmp_path):
    import datetime as dt

    from cchc.services.indicators import compute as compute_766
    from cchc.services.synth import SynthSpec, write_synth
    from cchc.surveys.indices import Options, compute
    from cchc.surveys.registry import load_instrument
    from cchc.surveys.synth import synth_responses
    from cchc.web.surveys.models import SurveyImport

    inst = load_instrument("province-sipas-example")
    result = compute(synth_responses(inst, 800, units=3, seed=5), Options(by=["unit"], replicates=50, seed=0))
    SurveyImport.objects.create(instrument=inst.id, year=2026, status=SurveyImport.Status.IMPORTED, file_name="s.csv",
                                file_sha256="0" * 64, uploaded_by=published.users["admin"], result=result)
    store = tmp_path / "store"
    write_synth(SynthSpec(rows=3000, units=3, procedures=8, seed=2, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)), store)
    settings.CCHC_DOSSIER_STORE = store
    client = login(published.users["leader"])
    job_url = client.post("/reports/", {"kind": "review", "period": "2026", "province": "Kon Tum"})["Location"]
    doc = Document(io.BytesIO(b"".join(client.get(job_url + "bao-cao-cchc-2026.docx").streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    overall = f"{result['overall']['index']:.2f}".replace(".", ",")
    assert f"chỉ số hài lòng chung đạt {overall}%" in text
    province = next(r for r in compute_766(store, period="year").records() if r["level"] == "province" and r["period"] == "2026")
    assert f"Toàn tỉnh tiếp nhận {province['received']:,} hồ sơ".replace(",", ".") in text
    assert "Chưa có số liệu khảo sát" not in text and "Chưa có số liệu hồ sơ" not in text
