"""Browser test: one unit walks a whole cycle in headless Chromium (Debian's, through Playwright) as focal
point, administrator, appraiser and approver; the published rank and band are checked on the results page.

Set ``CCHC_SCREENSHOTS=DIR`` to keep screenshots of the main pages (the user guide uses them)."""

from __future__ import annotations

import re

import pytest
from tests.web.browser import MARKS, shot, sign_in
from tests.web.helpers import build_world, fill_all, set_state

from cchc.core.scoring import level_points
from cchc.web.assessments.models import Cycle, LeafAssessment, Participation, State

pytestmark = MARKS


def _transition(page, base, cycle_id, label):
    page.goto(f"{base}/cycles/{cycle_id}/")
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()
    assert page.locator(".messages li.success").count() == 1, page.content()[:3000]


@pytest.mark.django_db(transaction=True)
def test_whole_cycle_in_the_browser(live_server, browser_page, evidence_dir, tmp_path):
    page, base = browser_page, live_server.url
    world = build_world()
    cycle = set_state(world.cycle, State.OPEN)
    Cycle.objects.filter(pk=cycle.pk).update(public=True)  # the public page shows the exclusion too
    fw = world.fw
    leaves = fw.leaves("department")
    levelled = next(n for n in leaves if level_points(n) and n.evidence == "required")
    free = next(n for n in leaves if n.kind == "manual" and not level_points(n))
    fill_all(world, "D1", 0.9, appraise=True)  # the appraiser below decides the two criteria typed in the browser
    fill_all(world, "D2", 0.6)
    LeafAssessment.objects.filter(participation=world.part("D1"), leaf_code__in=[levelled.code, free.code]).delete()
    Participation.objects.filter(pk=world.part("D2").pk).update(submitted_at="2026-03-01T00:00:00Z")

    # 1. Focal point: self-assessment of the two missing leaves (htmx saves), evidence, submission.
    sign_in(page, base, "focal")
    shot(page, "home-focal")
    page.goto(f"{base}/cycles/{cycle.pk}/units/D1/self/")
    before = page.locator("#total-points").inner_text()
    top = max(level_points(levelled))[0]
    row = page.locator(f'article[data-leaf="{levelled.code}"]')
    row.locator("select[name=self_points]").select_option(str(top))
    row.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_function(
        "([sel, before]) => document.querySelector(sel).innerText !== before", arg=["#total-points", before])
    pdf = tmp_path / "ke-hoach.pdf"
    from cchc.web.demo import tiny_pdf

    pdf.write_bytes(tiny_pdf("ke hoach"))
    row = page.locator(f'article[data-leaf="{levelled.code}"]')
    row.locator("input[type=file]").set_input_files(str(pdf))
    row.get_by_role("button", name="Tải lên").click()
    page.locator(f'article[data-leaf="{levelled.code}"] .evidence a', has_text="ke-hoach.pdf").wait_for()
    row = page.locator(f'article[data-leaf="{free.code}"]')
    row.locator("input[name=self_points]").fill(f"{free.max_points:g}".replace(".", ","))
    row.locator("textarea[name=justification]").fill("Đã hoàn thành toàn bộ kế hoạch.")
    row.get_by_role("button", name="Lưu", exact=True).click()
    page.locator(f'article[data-leaf="{free.code}"] textarea[name=justification]').wait_for()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    shot(page, "self-assessment")
    page.get_by_role("button", name="Nộp kết quả tự đánh giá").click()
    page.wait_for_selector(".messages li.success")
    assert Participation.objects.get(pk=world.part("D1").pk).submitted_at is not None

    # 2. Administrator: close self-assessment, start appraisal.
    sign_in(page, base, "admin")
    _transition(page, base, cycle.pk, "Khóa tự đánh giá")
    _transition(page, base, cycle.pk, "Bắt đầu thẩm định")
    shot(page, "cycle-dashboard")

    # 3. Appraiser: lower one score with a reason, accept another.
    sign_in(page, base, "appraiser")
    page.goto(f"{base}/cycles/{cycle.pk}/units/D1/appraise/")
    row = page.locator(f'article[data-leaf="{free.code}"]')
    row.locator("input[name=appraised_points]").fill("0")
    row.get_by_role("button", name="Lưu điểm thẩm định").click()
    page.locator(f'article[data-leaf="{free.code}"] .error').wait_for()  # reason required
    row = page.locator(f'article[data-leaf="{free.code}"]')
    row.locator("input[name=appraised_points]").fill("0")
    row.locator("textarea[name=appraisal_comment]").fill("Chưa có báo cáo kết quả.")
    row.get_by_role("button", name="Lưu điểm thẩm định").click()
    page.wait_for_function(  # the row comes back without the error once saved
        "(code) => { const a = document.querySelector(`article[data-leaf='${code}']`);"
        " return a && !a.classList.contains('has-error'); }", arg=free.code)
    page.locator(f'article[data-leaf="{levelled.code}"]').get_by_role("button", name="Chấp nhận điểm tự chấm").click()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    shot(page, "appraisal")
    la = LeafAssessment.objects.get(participation=world.part("D1"), leaf_code=free.code)
    assert la.appraised_points == 0 and la.appraisal_comment == "Chưa có báo cáo kết quả."

    # 4. Administrator opens the explanation step; the focal point answers the adjusted criterion.
    sign_in(page, base, "admin")
    _transition(page, base, cycle.pk, "Chuyển giải trình")
    sign_in(page, base, "focal")
    page.goto(f"{base}/cycles/{cycle.pk}/units/D1/explain/")
    assert page.locator("article.leaf").count() == 1  # only the adjusted criterion
    row = page.locator(f'article[data-leaf="{free.code}"]')
    row.locator("textarea[name=explanation]").fill("Đã bổ sung báo cáo kết quả.")
    row.get_by_role("button", name="Lưu giải trình").click()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.get_by_role("button", name="Nộp giải trình").click()
    page.wait_for_selector(".messages li.success")
    assert LeafAssessment.objects.get(participation=world.part("D1"), leaf_code=free.code).explanation \
        == "Đã bổ sung báo cáo kết quả."
    sign_in(page, base, "admin")
    _transition(page, base, cycle.pk, "Thẩm định lại")

    # 5. Approver: approval is refused while D2 is not appraised; the page lists what is missing, per unit and
    # stage. The chair leaves D2 out of the ranking with a reason, approves, and publishes after confirming the
    # preview of exactly the table that will be published.
    sign_in(page, base, "approver")
    page.goto(f"{base}/cycles/{cycle.pk}/")
    assert "Sở Hai" in page.locator("#incomplete").inner_text()
    assert "chưa thẩm định đủ tiêu chí" in page.locator('#incomplete tr[data-unit="D2"]').inner_text()
    page.get_by_role("button", name="Phê duyệt").click()
    page.wait_for_selector(".messages li.error")
    assert "chưa hoàn thành" in page.locator(".messages li.error").inner_text()
    cycle.refresh_from_db()
    assert cycle.state == State.FINAL_APPRAISAL
    exclusion = page.locator('#incomplete tr[data-unit="D2"] form.exclusion')
    exclusion.locator("input[name=reason]").fill("Giải thể theo Nghị quyết sắp xếp (ví dụ)")
    exclusion.get_by_role("button", name="Không xếp hạng").click()
    page.wait_for_selector(".messages li.success")
    assert "Giải thể theo Nghị quyết" in page.locator("#excluded").inner_text()
    _transition(page, base, cycle.pk, "Phê duyệt")
    page.get_by_role("button", name="Công bố kết quả").click()
    page.wait_for_url(f"{base}/cycles/{cycle.pk}/publish/")
    preview = page.locator('tr[data-unit="D2"]').inner_text()
    assert "Không xếp hạng" in preview and "Giải thể theo Nghị quyết" in preview
    shot(page, "publish-preview")
    page.get_by_label("Tôi đã xem bảng kết quả dưới đây và xác nhận công bố.").check()
    page.get_by_role("button", name="Công bố kết quả").click()
    page.wait_for_selector(".messages li.success")

    # 6. Results page: rank and band as the core computed them.
    cycle.refresh_from_db()
    assert cycle.state == State.PUBLISHED
    d1 = next(u for u in cycle.snapshots.get(published=True).results["units"] if u["code"] == "D1")
    page.goto(f"{base}/cycles/{cycle.pk}/results/")
    row = page.locator('tr[data-unit="D1"]')
    assert row.locator(".rank").inner_text().strip() == f"{d1['rank']}/{d1['of']}"
    assert row.locator(".band").inner_text().strip() == d1["band"]["label_vi"]
    assert re.sub(r"\s", "", row.locator(".index").inner_text()) == f"{d1['index']:.2f}".replace(".", ",")
    d2 = page.locator('tr[data-unit="D2"] .rank').inner_text()
    assert "Không xếp hạng" in d2 and "/" not in d2  # never a rank, never a change in places
    assert page.locator('tr[data-unit="D2"] .band').inner_text().strip() == "—"
    page.locator("#chart-results svg").wait_for()
    shot(page, "results")
    page.goto(f"{base}/public/cycles/{cycle.pk}/")
    assert "Giải thể theo Nghị quyết" in page.locator('tr[data-unit="D2"]').inner_text()
    page.goto(f"{base}/cycles/{cycle.pk}/results/D1/")
    assert page.locator("#unit-rank").inner_text() == f"{d1['rank']}/{d1['of']}"
    shot(page, "unit-profile")
    # English switch
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
