"""Browser test: the administrator imports a survey file and sees the results with both charts drawn by
vega-embed (headless Chromium through Playwright). ``CCHC_SCREENSHOTS=DIR`` keeps screenshots for the guide."""

from __future__ import annotations

import os

import pytest
from tests.web.browser import MARKS, shot, sign_in
from tests.web.helpers import build_world
from tests.web.surveys.helpers import INSTRUMENT, write_csv

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_admin_imports_a_survey_and_sees_the_charts(live_server, browser_page, evidence_dir, tmp_path):
    page, base = browser_page, live_server.url
    build_world()
    path = write_csv(tmp_path / "phieu-khao-sat.csv")
    sign_in(page, base, "admin")
    page.get_by_role("link", name="Khảo sát").click()
    page.wait_for_url(f"{base}/surveys/")
    page.get_by_label("Bộ câu hỏi").select_option(INSTRUMENT)
    page.get_by_label("Năm khảo sát").fill("2026")
    page.locator("#id_file").set_input_files(str(path))
    shot(page, "surveys-import")
    page.get_by_role("button", name="Nhập và tính chỉ số").click()
    page.wait_for_url(f"{base}/surveys/*/")
    assert page.locator(".messages li.success").count() == 1, page.content()[:3000]
    assert page.locator("#units tr[data-unit]").count() == 2
    page.locator("#chart-units svg").first.wait_for()
    page.locator("#chart-ipa svg").first.wait_for()
    assert page.locator("#chart-units svg .mark-rule path, #chart-units svg .mark-rule line").count() >= 2
    if os.environ.get("CCHC_SCREENSHOTS"):
        page.locator("#units").scroll_into_view_if_needed()
        shot(page, "surveys-results")
        page.locator("#drivers").scroll_into_view_if_needed()
        shot(page, "surveys-drivers")
