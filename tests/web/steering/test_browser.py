"""Browser test (headless Chromium through Playwright): a lost-points finding becomes a task, the unit's focal
point reports progress, attaches evidence and marks it done, and the criterion's chain shows it.

Set ``CCHC_SCREENSHOTS=DIR`` to keep screenshots (the user guide's steering-*.png)."""

from __future__ import annotations

import pytest
from tests.web.browser import MARKS, shot, sign_in

from .conftest import build_world, publish, tiny_pdf

pytestmark = [*MARKS, pytest.mark.db]


@pytest.fixture
def page(browser_page):  # the Chromium page of tests/web/conftest.py
    return browser_page


@pytest.mark.django_db(transaction=True)
def test_finding_to_task_to_done_to_chain(live_server, page, evidence_dir, tmp_path):
    from cchc.web.assessments.models import Cycle
    from cchc.web.steering.models import Proposal, Task

    base = live_server.url
    world = build_world()
    c25 = Cycle.objects.create(name="Kỳ 2025", year=2025, framework=world.record)
    publish(world, c25, {"D1": 0.6, "D2": 0.9})
    world.cycle.previous = c25
    world.cycle.save()
    publish(world, world.cycle, {"D1": 0.9, "D2": 0.95})

    # 1. Administrator: proposals from the 2025 results, grouped by criterion; accept one (edited title).
    sign_in(page, base, "admin")
    page.goto(f"{base}/steering/proposals/")
    page.locator("select[name=cycle]").select_option(str(c25.pk))
    page.get_by_role("button", name="Lập đề xuất từ kết quả Chỉ số CCHC nội bộ").click()
    page.wait_for_load_state()
    proposal = Proposal.objects.filter(unit_code="D1").order_by("-points_lost", "pk").first()
    row = page.locator(f"#proposal-{proposal.pk}")
    row.locator("input[name=title]").fill("Khắc phục tiêu chí " + proposal.criterion + " (trình duyệt)")
    row.locator("input[name=deadline]").fill("2026-09-30")
    shot(page, "steering-proposals")
    row.get_by_role("button", name="Chấp nhận").click()
    page.locator(f"#proposal-{proposal.pk}").get_by_text("đã thành nhiệm vụ").wait_for()
    task = Task.objects.get(title__endswith="(trình duyệt)")
    assert task.criteria == proposal.criterion and task.lead_unit == world.d1

    # 2. Focal point of D1: own tasks, progress report (htmx), evidence, done.
    sign_in(page, base, "focal")
    page.goto(f"{base}/steering/my/")
    page.get_by_role("link", name=task.title).click()
    page.get_by_label("Tiến độ (%)").fill("60")
    page.get_by_label("Nội dung đã thực hiện").fill("Đã ban hành kế hoạch khắc phục")
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.get_by_test_id("task-state").filter(has_text="Đang thực hiện").wait_for()
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(tiny_pdf("ket qua"))
    page.locator("input[type=file]").set_input_files(str(pdf))
    page.get_by_role("button", name="Tải lên").click()
    page.get_by_role("link", name="ket-qua.pdf").wait_for()
    page.get_by_label("Kết quả thực hiện (sản phẩm, văn bản)").fill("QĐ số 15/QĐ-SMT đã ban hành")
    shot(page, "steering-task")
    page.get_by_role("button", name="Chuyển sang “Hoàn thành”").click()
    page.get_by_test_id("task-state").filter(has_text="Hoàn thành").wait_for()
    task.refresh_from_db()
    assert task.state == "done" and task.progress.count() == 1 and task.evidence.count() == 1

    # 3. Leader: the criterion's chain — lost last year → the task, done → points this year.
    sign_in(page, base, "leader")
    page.goto(f"{base}/steering/chain/?cycle={world.cycle.pk}&criterion={proposal.criterion}")
    row = page.locator("tr", has_text=task.title)
    row.get_by_test_id("chain-state").filter(has_text="Hoàn thành").wait_for()
    assert "Sở Một" in row.inner_text()
    shot(page, "steering-chain")
    import datetime as dt

    from cchc.web.steering.models import FieldResponsibility, Member, Observation, Target

    for metric, year, value in [("par_index_rank", 2022, 55), ("par_index_rank", 2023, 43), ("sipas", 2023, 82.10)]:
        Observation.objects.create(metric=metric, year=year, value=value, observed_on=dt.date(year + 1, 4, 15),
                                   note="Bộ Nội vụ")
    Target.objects.create(source="Nghị quyết số 18-NQ/TU (ví dụ)", description="PAR INDEX trong nhóm 30 dẫn đầu",
                          metric="par_index_rank", comparator="top", value=30, deadline=dt.date(2027, 12, 31))
    Target.objects.create(source="Nghị quyết số 18-NQ/TU (ví dụ)", description="SIPAS từ 85% trở lên",
                          metric="sipas", comparator=">=", value=85, deadline=dt.date(2025, 12, 31))
    Member.objects.create(name="Chủ tịch UBND tỉnh", position="Trưởng ban", role="chair")
    FieldResponsibility.objects.create(field_code="3", field_name="Cải cách thủ tục hành chính", unit=world.d1)
    page.goto(f"{base}/steering/targets/")
    page.get_by_text("Chưa đạt, xu hướng đạt").wait_for()  # 55 → 43, the trend reaches top 30 by 2027
    assert page.get_by_text("Không đạt").count() >= 1
    for name, url in [("targets", "/steering/targets/"), ("committee", "/steering/committee/"),
                      ("tasks", "/steering/"), ("rewards", f"/steering/rewards/?cycle={world.cycle.pk}"),
                      ("figures", "/steering/figures/?period=2026")]:
        page.goto(base + url)
        shot(page, f"steering-{name}")
