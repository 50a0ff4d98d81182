"""What the browser tests share: where Chromium is, the marks that skip without it, signing in, screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.web.helpers import PASSWORD

CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"no Chromium at {CHROMIUM}: run scripts/install-system-deps.sh (apt-get install chromium)"),
]


def shot(page, name: str) -> None:
    """Keep a screenshot of the page when ``CCHC_SCREENSHOTS=DIR`` is set (the user guide uses them)."""
    target = os.environ.get("CCHC_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=False)


def sign_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")
