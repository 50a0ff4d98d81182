"""Browser test of the report page: a leader asks for the annual review, watches it finish, sees the report's
charts on the page and downloads the DOCX."""

from __future__ import annotations

from tests.web.browser import MARKS, shot, sign_in
from tests.web.helpers import build_world, fill_all, set_state

from cchc.web.results import services as results_services

pytestmark = MARKS


def test_leader_makes_the_annual_review(live_server, browser_page, evidence_dir, settings, tmp_path):
    settings.CCHC_REPORTS_INLINE = False  # the real background job, with the polling progress
    world = build_world()
    fill_all(world, "D1", quality=0.95, appraise=True)
    fill_all(world, "D2", quality=0.6, appraise=True)
    set_state(world.cycle, "published")
    results_services.publish(world.cycle, world.users["admin"])
    page, base = browser_page, live_server.url
    sign_in(page, base, "leader")
    page.get_by_role("link", name="Báo cáo").first.click()
    page.get_by_label("Tỉnh").fill("Kon Tum")
    page.get_by_label("Kỳ báo cáo (báo cáo sơ kết / tổng kết)").fill("2026")
    page.get_by_role("button", name="Tạo báo cáo").click()
    page.wait_for_selector("text=Hoàn thành", timeout=60000)
    page.reload()
    page.wait_for_selector("#report-chart-1 svg", timeout=20000)
    shot(page, "report-page")
    assert page.locator("figure").count() >= 2
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải về bao-cao-cchc-2026.docx").click()
    target = tmp_path / "r.docx"
    info.value.save_as(target)
    from docx import Document

    text = "\n".join(p.text for p in Document(target).paragraphs)
    assert "Kết quả Chỉ số CCHC năm 2026" in text.upper() or "KẾT QUẢ CHỈ SỐ CCHC NĂM 2026" in text
