"""Steering pages: transitions, progress, evidence, history, proposals → tasks → chain, rewards, targets,
committee, figures, reminders, XLSX import and export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from cchc.steering.tasks import TRANSITIONS
from cchc.web.steering import services, xlsx
from cchc.web.steering.models import Observation, Proposal, ReminderSent, Target, Task, TaskEvent

from .conftest import TODAY, tiny_pdf

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _upload(client, task, name="bien-ban.pdf", data=None):
    f = io.BytesIO(data or tiny_pdf(name))
    f.name = name
    return client.post(f"/steering/tasks/{task.pk}/evidence/", {"file": f}, HTTP_HX_REQUEST="true")


# ---- transitions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("pair", list(TRANSITIONS), ids=[f"{a}-{b}" for a, b in TRANSITIONS])
def test_every_allowed_transition_through_the_page(world, client, pair):
    current, new = pair
    task = world.task1
    Task.objects.filter(pk=task.pk).update(state=current)
    client.force_login(world.users["admin"])
    assert _upload(client, task).status_code == 200
    r = client.post(f"/steering/tasks/{task.pk}/transition/",
                    {"target": new, "reason": "lý do", "completion_note": "Đã ban hành QĐ"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200, r.content[:500]
    task.refresh_from_db()
    assert task.state == new
    event = TaskEvent.objects.get(task=task)
    assert (event.from_state, event.to_state, event.user) == (current, new, world.users["admin"])
    last = task.history.first()
    assert last.history_user == world.users["admin"] and last.history_change_reason


def test_refusals_name_what_is_missing(world, client):
    client.force_login(world.users["focal"])
    url = f"/steering/tasks/{world.task1.pk}/transition/"
    r = client.post(url, {"target": "done", "completion_note": "Đã ban hành QĐ 15", "completed_on": "2026-07-01"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "tài liệu kiểm chứng" in r.content.decode()
    # what was typed is shown back, not lost
    assert '>Đã ban hành QĐ 15</textarea>' in r.content.decode() and 'value="2026-07-01"' in r.content.decode()
    _upload(client, world.task1)
    r = client.post(url, {"target": "done"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "kết quả thực hiện" in r.content.decode()
    r = client.post(url, {"target": "done", "completion_note": "QĐ 15/QĐ-UBND", "completed_on": "2026-07-02"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    world.task1.refresh_from_db()
    assert world.task1.state == "done" and world.task1.completed_on == dt.date(2026, 7, 2)
    # done → in progress (reopen) is the administrator's: the focal point is refused
    assert client.post(url, {"target": "in_progress", "reason": "x"}).status_code == 403
    client.force_login(world.users["admin"])
    r = client.post(url, {"target": "in_progress"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "lý do" in r.content.decode()
    r = client.post(url, {"target": "bogus"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422


def test_forms_refuse_what_is_not_a_date_or_a_year_and_keep_what_was_typed(world, client):
    """The steering forms (steering/forms.py) refuse a malformed date or year as the pages did before them: a
    transition answers 422 with the note kept, a proposal is not accepted, proposals are not generated."""
    client.force_login(world.users["focal"])
    _upload(client, world.task1)
    r = client.post(f"/steering/tasks/{world.task1.pk}/transition/",
                    {"target": "done", "completion_note": "QĐ 15", "completed_on": "01/07/2026"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and ">QĐ 15</textarea>" in r.content.decode() and 'value="01/07/2026"' in r.content.decode()
    world.task1.refresh_from_db()
    assert world.task1.state != "done"
    client.force_login(world.users["admin"])
    r = client.post("/steering/proposals/", {"year": "năm nay"}, follow=True)
    assert r.status_code == 200 and "năm nay" in r.content.decode() and not Proposal.objects.exists()


def test_progress_report_starts_the_task_and_shows_overdue(world, client):
    client.force_login(world.users["focal"])
    page = client.get(f"/steering/tasks/{world.task1.pk}/").content.decode()
    assert "Quá hạn" in page  # deadline 30/06/2026, today 10/07/2026
    r = client.post(f"/steering/tasks/{world.task1.pk}/progress/", {"percent": "40", "text": "Đã rà soát 12/30 TTHC",
                                                                     "date": "2026-07-09"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "40%" in r.content.decode()
    world.task1.refresh_from_db()
    assert world.task1.state == "in_progress" and world.task1.latest_percent == 40
    r = client.post(f"/steering/tasks/{world.task1.pk}/progress/", {"percent": "140", "text": "Đã rà soát 20/30"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "Đã rà soát 20/30</textarea>" in r.content.decode()  # kept for correcting
    # without htmx: redirect with a message
    r = client.post(f"/steering/tasks/{world.task1.pk}/progress/", {"percent": "50", "text": "tiếp"})
    assert r.status_code == 302
    history = client.get(f"/steering/tasks/{world.task1.pk}/").content.decode()
    assert "Lịch sử thay đổi" in history and "focal" in history


def test_evidence_checked_by_content_and_downloadable_by_viewers_only(world, client):
    client.force_login(world.users["focal"])
    r = _upload(client, world.task1, "fake.pdf", b"not a pdf at all")
    assert r.status_code == 422 and "không phải PDF" in r.content.decode()
    assert _upload(client, world.task1).status_code == 200
    assert _upload(client, world.task1).status_code == 422  # same file twice
    ev = world.task1.evidence.get()
    assert client.get(f"/steering/evidence/{ev.pk}/").status_code == 200
    client.force_login(world.users["focal2"])
    assert client.get(f"/steering/evidence/{ev.pk}/").status_code == 403


def test_filters_including_overdue_and_criterion(world, client):
    client.force_login(world.users["leader"])
    page = client.get("/steering/?state=overdue").content.decode()
    assert "Rà soát TTHC" in page and "Số hóa hồ sơ" not in page
    page = client.get("/steering/?criterion=3.2").content.decode()
    assert "Rà soát TTHC" in page and "Số hóa hồ sơ" not in page
    page = client.get("/steering/?unit=D2").content.decode()
    assert "Số hóa hồ sơ" in page and "Rà soát TTHC" not in page
    page = client.get(f"/steering/?plan={world.plan.pk}").content.decode()
    assert "Số hóa hồ sơ" in page and "Rà soát TTHC" in page
    r = client.get("/steering/?format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_my_tasks_shows_own_unit_and_its_reminders(world, client):
    client.force_login(world.users["focal"])
    page = client.get("/steering/my/").content.decode()
    assert "Rà soát TTHC" in page and "Số hóa hồ sơ" not in page and "Quá hạn" in page
    client.force_login(world.users["focal2"])
    page = client.get("/steering/reminders/").content.decode()
    assert "Số hóa hồ sơ" in page and "Sắp đến hạn" in page and "Rà soát TTHC" not in page


# ---- reminders ---------------------------------------------------------------------------------------------


def test_reminders_are_sent_once_per_day(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.users["focal2"].email = "focal2@example.invalid"
    world.users["focal2"].save()
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-07-10", stdout=out)
    assert "sent 2" in out.getvalue()
    assert len(mail.outbox) == 2
    assert {tuple(m.to) for m in mail.outbox} == {("d1@example.invalid", "focal@example.invalid"),
                                                  ("focal2@example.invalid",)} or len(mail.outbox) == 2
    assert any("QUÁ HẠN" in m.body for m in mail.outbox)
    call_command("send_reminders", "--date", "2026-07-10", stdout=io.StringIO())
    assert len(mail.outbox) == 2  # idempotent
    assert ReminderSent.objects.count() == 2
    # the next day: the overdue task is reminded again, the upcoming one is not (sent once per deadline)
    call_command("send_reminders", "--date", "2026-07-11", stdout=io.StringIO())
    assert len(mail.outbox) == 3 and "QUÁ HẠN" in mail.outbox[-1].body
    # dry run sends and records nothing
    call_command("send_reminders", "--date", "2026-07-12", "--dry-run", stdout=io.StringIO())
    assert len(mail.outbox) == 3


def test_in_app_reminders_mark_what_was_sent(world, client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.send_reminders(TODAY)
    items = services.due_reminders(TODAY)
    assert [(r.kind, sent) for r, _t, sent in items] == [("upcoming", True), ("overdue", True)] or all(
        sent for _r, _t, sent in items)


# ---- XLSX import / export ----------------------------------------------------------------------------------


def _sheet(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEAD = ["STT", "Nhiệm vụ", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Sản phẩm", "Mức ưu tiên",
        "Tiêu chí"]


def test_import_is_atomic_and_errors_name_row_and_column(world):
    data = _sheet([HEAD,
                   [1, "Ban hành kế hoạch tuyên truyền", "", "Sở Một", "D2", dt.date(2026, 3, 31), "Kế hoạch", "Cao", "1.4"],
                   [2, "", "", "Sở Ba", "", "31/13/2026", "", "Gấp", ""]])
    with pytest.raises(xlsx.ImportError_) as err:
        xlsx.import_tasks(world.plan, data)
    problems = err.value.problems
    assert "dòng 4, cột B (Nhiệm vụ): thiếu tên nhiệm vụ" in problems
    assert any(p.startswith("dòng 4, cột D (Đơn vị chủ trì)") and "Sở Ba" in p for p in problems)
    assert "dòng 4, cột F (Thời hạn): “31/13/2026” không phải ngày có thật (ngày/tháng không hợp lệ; dd/mm/yyyy)" in problems
    assert not any("must be in" in p for p in problems)  # no raw Python message
    assert any(p.startswith("dòng 4, cột H (Mức ưu tiên)") for p in problems)
    assert Task.objects.count() == 2  # nothing imported
    from django.utils import translation

    with translation.override("en"), pytest.raises(xlsx.ImportError_) as err:  # the English page's wording
        xlsx.import_tasks(world.plan, data)
    assert "row 4, column B (Nhiệm vụ): the task name is missing" in err.value.problems
    assert "row 4, column F (Thời hạn): “31/13/2026” is not a real date (day or month out of range; dd/mm/yyyy)" \
        in err.value.problems
    with pytest.raises(xlsx.ImportError_, match="thiếu cột “Đơn vị chủ trì”"):
        xlsx.import_tasks(world.plan, _sheet([["STT", "Nhiệm vụ"], [1, "x"]]))
    with pytest.raises(xlsx.ImportError_, match="không đọc được"):
        xlsx.import_tasks(world.plan, b"garbage")


def test_import_then_export_with_status(world, client):
    data = _sheet([HEAD,
                   [1, "Ban hành kế hoạch tuyên truyền", "Nội dung", "sở một", "D2; Sở Hai", dt.date(2026, 3, 31),
                    "Kế hoạch", "Cao", "1.4"],
                   [2, "Cập nhật TTHC", "", "D2", "", "15/09/2026", "", "", "3.1, 3.2"]])
    client.force_login(world.users["admin"])
    f = io.BytesIO(data)
    f.name = "kh.xlsx"
    r = client.post(f"/steering/plans/{world.plan.pk}/", {"file": f})
    assert r.status_code == 302
    t = Task.objects.get(title="Ban hành kế hoạch tuyên truyền")
    assert (t.lead_unit, t.priority, t.criteria, t.deadline) == (world.d1, "high", "1.4", dt.date(2026, 3, 31))
    assert list(t.coordinating_units.all()) == [world.d2]
    assert Task.objects.get(title="Cập nhật TTHC").criteria == "3.1, 3.2"
    r = client.get(f"/steering/plans/{world.plan.pk}/?format=xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[2]]
    assert header[:9] == HEAD and header[9] == "Trạng thái"
    states = {row[1]: row[9] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert states["Rà soát TTHC"] == "Quá hạn" and states["Cập nhật TTHC"] == "Chưa thực hiện"
    # the exported table imports again (round trip of the same format)
    again = xlsx.read_tasks(r.content)
    assert len(again) == 4
    # page shows errors with 422
    f = io.BytesIO(_sheet([HEAD, [1, "x", "", "Không có", "", "", "", "", ""]]))
    f.name = "bad.xlsx"
    r = client.post(f"/steering/plans/{world.plan.pk}/", {"file": f})
    assert r.status_code == 422 and "dòng 3, cột D" in r.content.decode()


# ---- from lost points to tasks, the chain ---------------------------------------------------------------


def test_proposals_accept_edit_discard_and_chain(two_years, world, client):
    c25, c26 = two_years
    client.force_login(world.users["admin"])
    r = client.post("/steering/proposals/", {"cycle": c25.pk})
    assert r.status_code == 302
    made = Proposal.objects.filter(cycle=c25)
    assert made.exists() and {p.unit_code for p in made} <= {"D1", "D2"}
    assert all(p.points_lost > 0 and "." in p.criterion for p in made)
    # regenerating keeps decisions and does not duplicate
    n = made.count()
    assert services.generate_internal_proposals(c25) == 0 and Proposal.objects.filter(cycle=c25).count() == n
    page = client.get("/steering/proposals/").content.decode()
    p = made.filter(unit_code="D1").order_by("-points_lost").first()
    assert f"Tiêu chí {p.criterion}" in page
    r = client.post(f"/steering/proposals/{p.pk}/", {"action": "accept", "title": "Khắc phục (đã sửa)",
                                                     "deadline": "2026-06-30", "plan": world.plan.pk},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "đã thành nhiệm vụ" in r.content.decode()
    task = Task.objects.get(title="Khắc phục (đã sửa)")
    assert (task.source, task.criteria, task.lead_unit, task.plan) == ("finding", p.criterion, world.d1, world.plan)
    assert client.post(f"/steering/proposals/{p.pk}/", {"action": "accept"}, HTTP_HX_REQUEST="true").status_code == 422
    other = made.exclude(pk=p.pk).first()
    client.post(f"/steering/proposals/{other.pk}/", {"action": "discard"}, HTTP_HX_REQUEST="true")
    other.refresh_from_db()
    assert other.status == "discarded"
    rows = services.chain(c26, p.criterion)
    row = next(r for r in rows if r["unit"] == "D1")
    assert row["lost_before"] == pytest.approx(p.points_lost, abs=0.01) and task in row["tasks"]
    assert row["points_now"] is not None
    page = client.get(f"/steering/chain/?cycle={c26.pk}&criterion={p.criterion}").content.decode()
    assert "Khắc phục (đã sửa)" in page and "Sở Một" in page


def test_national_proposals_from_field_indices(world, client):
    from cchc.web.steering.models import FieldResponsibility

    FieldResponsibility.objects.create(field_code="2", field_name="Cải cách thể chế", unit=world.d2)
    for code, value in {"2": 90.0, "3": 95.23, "4": 100.0}.items():
        Observation.objects.create(metric=f"field:{code}", year=2023, value=value, observed_on=dt.date(2024, 4, 1))
    client.force_login(world.users["admin"])
    client.post("/steering/proposals/", {"year": "2023"})
    props = {p.criterion: p for p in Proposal.objects.filter(source__startswith="national")}
    assert set(props) == {"2", "3"}
    assert props["2"].unit_code == "D2" and props["2"].points_lost == pytest.approx(1.0)
    assert props["3"].points_lost == pytest.approx(0.62, abs=0.01)  # 13 × (1 − 0.9523)
    task = services.accept_proposal(props["2"], world.users["admin"])
    assert task.lead_unit == world.d2 and task.criteria == "2"
    # field 3 has no responsible department: the default (SNV) is not a unit here; the person names one
    r = client.post(f"/steering/proposals/{props['3'].pk}/", {"action": "accept", "lead_unit": "SNV"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "SNV" in r.content.decode()
    r = client.post(f"/steering/proposals/{props['3'].pk}/", {"action": "accept", "lead_unit": "D1"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and Task.objects.get(proposals=props["3"]).lead_unit == world.d1


# ---- rewards, targets, figures, committee ------------------------------------------------------------------


def test_rewards_page_and_export(two_years, world, client):
    c25, c26 = two_years
    rows = services.reward_rows(c26)
    by = {r["unit_code"]: r for r in rows}
    assert set(by) == {"D1", "D2"}
    assert all(r["candidate"] == (not r["reasons"]) for r in rows)
    client.force_login(world.users["leader"])
    page = client.get(f"/steering/rewards/?cycle={c26.pk}").content.decode()
    assert "Sở Một" in page and "Sở Hai" in page
    r = client.get(f"/steering/rewards/?cycle={c26.pk}&format=xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[3]][:3] == ["Nhóm", "Thứ hạng", "Đơn vị"] and ws.max_row == 5


def test_targets_attainment_from_observations_and_tasks(world, client):
    Target.objects.create(source="NQ 18-NQ/TU", metric="par_index_rank", comparator="top", value=30,
                          deadline=dt.date(2025, 12, 31))
    Target.objects.create(source="NQ 18-NQ/TU", metric="sipas", comparator=">=", value=85, deadline=dt.date(2027, 12, 31))
    Target.objects.create(source="KH 12", metric="task_completion", comparator=">=", value=90, deadline=dt.date(2026, 12, 31))
    Target.objects.create(source="KH 12", metric="par_index", comparator=">=", value=90, deadline=dt.date(2027, 12, 31))
    client.force_login(world.users["admin"])
    for metric, year, value in [("par_index_rank", 2023, 43), ("par_index_rank", 2024, 35), ("sipas", 2023, 82.1),
                                ("sipas", 2024, 84.0)]:
        r = client.post("/steering/targets/", {"o-metric": metric, "o-year": year, "o-value": value,
                                               "o-observed_on": f"{year + 1}-04-15", "o-note": "BNV"})
        assert r.status_code == 302
    status = {r["metric"]: r["status"] for r in services.target_rows(TODAY)}
    assert status == {"par_index_rank": "not_met", "sipas": "on_track", "task_completion": "at_risk",
                      "par_index": "unknown"}
    # task completion counts the tasks due so far: on 10/07/2026 only "Rà soát TTHC" (30/06) is due; the task
    # due on 15/07 is not yet a shortfall
    assert services.observations("task_completion") == [(TODAY, 0.0)]
    Task.objects.filter(pk=world.task1.pk).update(state="done", completed_on=dt.date(2026, 6, 28))
    assert services.observations("task_completion") == [(TODAY, 100.0)]
    assert {r["metric"]: r["status"] for r in services.target_rows(TODAY)}["task_completion"] == "met"
    page = client.get("/steering/targets/").content.decode()
    assert "Chưa có số liệu" in page and "Không đạt" in page


def test_figures_rows_for_the_review_report(world, client):
    rows = services.task_figure_rows("2026-H1", "unit", TODAY)
    assert rows == [{"key": "Sở Một", "due": 1, "done_on_time": 0, "done_late": 0, "overdue": 1, "cancelled": 0,
                     "open_not_due": 0, "completion_rate": 0.0}]
    assert [r["title"] for r in services.overdue_rows(TODAY)] == ["Rà soát TTHC"]
    assert [t["title"] for t in services.next_period_tasks(TODAY)] == ["Rà soát TTHC", "Số hóa hồ sơ"]
    client.force_login(world.users["leader"])
    page = client.get("/steering/figures/?period=2026-H1").content.decode()
    assert "Sở Một" in page and "Kế hoạch CCHC năm 2026" in page


def test_committee_meeting_conclusion_spawns_a_task(world, client):
    client.force_login(world.users["admin"])
    client.post("/steering/committee/", {"form": "member", "m-name": "Nguyễn Văn A", "m-position": "Chủ tịch UBND tỉnh",
                                         "m-role": "chair"})
    client.post("/steering/committee/", {"form": "responsibility", "r-field_code": "2", "r-field_name": "Cải cách thể chế",
                                         "r-unit": world.d1.pk})
    client.post("/steering/committee/", {"form": "meeting", "g-date": "2026-07-05", "g-title": "Họp BCĐ 6 tháng",
                                         "g-notice": "TB 99/TB-UBND", "g-conclusions": "Đẩy mạnh thanh toán trực tuyến\n"
                                                                                       "Số hóa kết quả"})
    from cchc.web.steering.models import Conclusion

    c = Conclusion.objects.get(text="Số hóa kết quả")
    r = client.post(f"/steering/conclusions/{c.pk}/task/", {"title": c.text, "lead_unit": world.d2.pk,
                                                            "deadline": "2026-12-31", "criteria": "7.1",
                                                            "priority": "high"})
    assert r.status_code == 302
    t = Task.objects.get(conclusion=c)
    assert t.source == "meeting" and "TB 99/TB-UBND" in t.source_ref
    page = client.get("/steering/committee/").content.decode()
    assert "Nguyễn Văn A" in page and "Cải cách thể chế" in page and f"/steering/tasks/{t.pk}/" in page


@pytest.mark.parametrize("q25,q26,excluded", [(0.97, 0.74, True), (0.97, 0.86, False)])
def test_kon_tum_rule_on_published_results(world, client, q25, q26, excluded):
    """Two bands down from last year excludes the unit, with the reason on the page; one band down does not."""
    from cchc.web.assessments.models import Cycle

    from .conftest import publish

    c25 = Cycle.objects.create(name="Kỳ 2025", year=2025, framework=world.record)
    publish(world, c25, {"D1": q25, "D2": 0.95})
    world.cycle.previous = c25
    world.cycle.save()
    publish(world, world.cycle, {"D1": q26, "D2": 0.95})
    d1 = next(r for r in services.reward_rows(world.cycle) if r["unit_code"] == "D1")
    drop = any("Giảm hai bậc" in reason for reason in d1["reasons"])
    assert drop == excluded, d1
    assert d1["candidate"] is not excluded, d1  # one band down (Xuất sắc → Tốt) stays a candidate
    client.force_login(world.users["leader"])
    page = client.get(f"/steering/rewards/?cycle={world.cycle.pk}").content.decode()
    assert ("Giảm hai bậc xếp loại trở lên so với năm trước" in page) == excluded


def test_demo_seed_on_top_of_the_demo_province(db, evidence_dir, client):
    from cchc.web.demo import seed as seed_demo
    from cchc.web.steering.demo import seed

    seed_demo(stdout=lambda *a: None, evidence=False)  # the demo province now seeds the steering data too
    from cchc.web.steering.models import Proposal, Task

    assert Task.objects.count() == 7 and Proposal.objects.exists()
    assert seed(TODAY)["skipped"]
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="lanhdao"))
    for url in ["/steering/", "/steering/plans/", "/steering/proposals/", "/steering/targets/", "/steering/committee/",
                "/steering/rewards/", "/steering/figures/?period=2026", "/steering/chain/?criterion=3.2",
                "/steering/reminders/"]:
        assert client.get(url).status_code == 200, url
    rows = {r["metric"]: r["status"] for r in services.target_rows(TODAY)}
    assert rows["par_index_rank"] == "not_met" and rows["sipas"] == "at_risk"


def test_task_list_is_paged_and_counts_queries(world, client, django_assert_max_num_queries):
    Task.objects.bulk_create([Task(title=f"NV {i:03d}", lead_unit=world.d1, deadline=dt.date(2026, 12, 1))
                              for i in range(150)])
    client.force_login(world.users["leader"])
    with django_assert_max_num_queries(12):
        page = client.get("/steering/").content.decode()
    assert "Trang 1/2 (152 nhiệm vụ)" in page
    assert "Trang 2/2" in client.get("/steering/?page=2").content.decode()


def test_assign_and_reassign_with_a_reason_in_the_history(world, client):
    client.force_login(world.users["admin"])
    r = client.post("/steering/tasks/new/", {"title": "Công khai TTHC", "lead_unit": world.d1.pk, "priority": "normal",
                                             "source": "plan", "deadline": "2026-10-31", "criteria": "3.1"})
    assert r.status_code == 302
    task = Task.objects.get(title="Công khai TTHC")
    r = client.post(f"/steering/tasks/{task.pk}/edit/", {
        "title": "Công khai TTHC", "lead_unit": world.d2.pk, "coordinating_units": [world.d1.pk], "priority": "high",
        "source": "plan", "deadline": "2026-11-30", "criteria": "3.1", "change_reason": "Giao lại theo TB 99"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.lead_unit == world.d2 and list(task.coordinating_units.all()) == [world.d1]
    page = client.get(f"/steering/tasks/{task.pk}/").content.decode()
    assert "Giao lại theo TB 99" in page and "lead_unit" in page
    assert task.history.first().history_user == world.users["admin"]
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "root@example.invalid", "x"))
    assert client.get("/admin/steering/task/").status_code == 200
    assert 'name="state"' not in client.get(f"/admin/steering/task/{task.pk}/change/").content.decode()


def test_every_page_renders_in_english_too(two_years, world, client):
    from django.conf import settings as dj

    services.generate_internal_proposals(two_years[0])
    client.force_login(world.users["admin"])
    client.cookies[dj.LANGUAGE_COOKIE_NAME] = "en"
    for url in ["/steering/", "/steering/my/", "/steering/plans/", f"/steering/plans/{world.plan.pk}/",
                f"/steering/tasks/{world.task1.pk}/", "/steering/reminders/", "/steering/proposals/",
                f"/steering/chain/?cycle={two_years[1].pk}&criterion=3.2", "/steering/targets/", "/steering/committee/",
                f"/steering/rewards/?cycle={two_years[1].pk}", "/steering/figures/?period=2026-H1",
                "/steering/figures/?period=bogus", "/steering/tasks/new/", f"/steering/tasks/{world.task1.pk}/edit/",
                "/steering/plans/new/", "/steering/rewards/?rules=../../etc/passwd"]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["Content-Language"] == "en"
    page = client.get("/steering/").content.decode()
    assert "Lead unit" in page and "Overdue" in page and ">Steering<" in page
    assert "Not yet met" not in page


def test_a_mail_failure_is_retried_next_run(world, settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    import django.core.mail as dmail

    real = dmail.send_mail
    monkeypatch.setattr(dmail, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("SMTP down")))
    out = services.send_reminders(TODAY)
    assert out["failed"] == out["due"] > 0 and ReminderSent.objects.count() == 0
    monkeypatch.setattr(dmail, "send_mail", real)
    assert services.send_reminders(TODAY)["sent"] == out["due"]


def test_review_data_for_the_report(two_years, world):
    Target.objects.create(source="NQ", metric="sipas", comparator=">=", value=85, deadline=dt.date(2027, 12, 31))
    data = services.review_data("2026-H1", two_years[1], TODAY)
    assert set(data) == {"period", "figures_by_unit", "figures_by_plan", "overdue", "targets", "rewards", "next_period"}
    assert data["figures_by_unit"][0]["overdue"] == 1 and data["figures_by_plan"][0]["key"] == "Kế hoạch CCHC năm 2026"
    assert data["targets"][0]["status"] == "unknown" and "target" not in data["targets"][0]
    assert {r["unit_code"] for r in data["rewards"]} == {"D1", "D2"}
    assert [t["title"] for t in data["next_period"]] == ["Rà soát TTHC", "Số hóa hồ sơ"]
    assert services.review_data("2026-H1", None, TODAY)["rewards"] == []


def test_proposals_filtered_and_paged(two_years, world, client):
    n = services.generate_internal_proposals(two_years[0], world.users["admin"])
    assert Proposal.objects.first().history.first().history_user == world.users["admin"]
    Proposal.objects.bulk_create([Proposal(source="internal:x:2025", year=2025, unit_code=f"U{i}", unit_name=f"Xã {i}",
                                           criterion="1.1", criterion_name="x", points_lost=1, max_points=2, title="x")
                                  for i in range(120)])
    client.force_login(world.users["admin"])
    page = client.get("/steering/proposals/").content.decode()
    assert f"Trang 1/2 ({n + 120} đề xuất)" in page
    page = client.get("/steering/proposals/?unit=D1&criterion=3.2").content.decode()
    assert "Tiêu chí 3.2" in page and "<strong>Sở Hai</strong>" not in page and "Trang 1/" not in page


def test_criterion_links_only_for_those_who_may_open_the_chain(world, client):
    """The criterion a task serves links to its chain page for readers of everything; a focal point (who may not
    open the chain) sees the code as text, not a link that ends in 403."""
    chain = "/steering/chain/?criterion=3.2"
    client.force_login(world.users["focal"])
    page = client.get(f"/steering/tasks/{world.task1.pk}/").content.decode()
    assert "3.2" in page and chain not in page and client.get(chain).status_code == 403
    client.force_login(world.users["leader"])
    page = client.get(f"/steering/tasks/{world.task1.pk}/").content.decode()
    assert chain in page and client.get(chain).status_code == 200
