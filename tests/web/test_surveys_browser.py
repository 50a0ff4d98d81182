"""Browser test: the administrator imports a survey file and sees the results with both charts drawn by
vega-embed (headless Chromium through Playwright). ``CCHC_SCREENSHOTS=DIR`` keeps screenshots for the guide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import build_world
from .test_browser import CHROMIUM, _login, _shot, browser_page  # noqa: F401 - the fixture is used by name
from .test_surveys_page import INSTRUMENT, write_csv

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.mark.django_db(transaction=True)
def test_admin_imports_a_survey_and_sees_the_charts(live_server, browser_page, evidence_dir, tmp_path):  # noqa: F811
    page, base = browser_page, live_server.url
    build_world()
    path = write_csv(tmp_path / "phieu-khao-sat.csv")
    _login(page, base, "admin")
    page.get_by_role("link", name="Khảo sát").click()
    page.wait_for_url(f"{base}/surveys/")
    page.get_by_label("Bộ câu hỏi").select_option(INSTRUMENT)
    page.get_by_label("Năm khảo sát").fill("2026")
    page.locator("#id_file").set_input_files(str(path))
    _shot(page, "surveys-import")
    page.get_by_role("button", name="Nhập và tính chỉ số").click()
    page.wait_for_url(f"{base}/surveys/*/")
    assert page.locator(".messages li.success").count() == 1, page.content()[:3000]
    assert page.locator("#units tr[data-unit]").count() == 2
    page.locator("#chart-units svg").first.wait_for()
    page.locator("#chart-ipa svg").first.wait_for()
    assert page.locator("#chart-units svg .mark-rule path, #chart-units svg .mark-rule line").count() >= 2
    if os.environ.get("CCHC_SCREENSHOTS"):
        page.locator("#units").scroll_into_view_if_needed()
        _shot(page, "surveys-results")
        page.locator("#drivers").scroll_into_view_if_needed()
        _shot(page, "surveys-drivers")
