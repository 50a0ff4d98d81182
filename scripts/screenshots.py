"""Screenshots of the main pages for the user guide, taken from the demo province.

    .venv/bin/python scripts/screenshots.py docs/screenshots

Seeds the demo into a throw-away data directory, starts ``cchc serve`` on a free loopback port, drives
Debian's Chromium through Playwright as each role, writes PNG files, and stops the server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("CCHC_CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(out: str = "docs/screenshots") -> None:
    from playwright.sync_api import sync_playwright

    from cchc.web.demo import DEMO_PASSWORD

    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CCHC_DATA_DIR=tempfile.mkdtemp(prefix="cchc-shots-"))
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-c", "from cchc.cli import main; main()"]
    subprocess.run([*cli, "demo", "--no-run"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="vi-VN")

            def login(user):
                page.context.clear_cookies()
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("Tên đăng nhập").fill(user)
                page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Đăng nhập").click()
                page.wait_for_url(f"{base}/")

            def shot(name, full=False):
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out_dir / f"{name}.png"), full_page=full)

            page.goto(f"{base}/accounts/login/")
            shot("login")
            login("admin")
            shot("home-admin")
            page.goto(f"{base}/cycles/3/")
            shot("cycle-dashboard")
            login("daumoi.stc")
            page.goto(f"{base}/cycles/3/units/STC/self/")
            page.locator("article.leaf details").first.evaluate("d => d.open = true")
            shot("self-assessment")
            login("thamdinh2")
            page.goto(f"{base}/cycles/4/units/X001/appraise/")
            page.locator("article.leaf").first.scroll_into_view_if_needed()
            shot("appraisal")
            login("lanhdao")
            page.goto(f"{base}/cycles/1/results/")
            page.locator("#chart-results svg").wait_for()
            shot("results")
            page.goto(f"{base}/cycles/1/results/STC/")
            page.locator("#chart-unit svg").wait_for()
            shot("unit-profile", full=True)
            with page.expect_navigation():
                page.select_option("#lang-select", "en")
            page.goto(f"{base}/cycles/1/results/")
            shot("results-en")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"screenshots written to {out_dir}")


if __name__ == "__main__":
    main(*sys.argv[1:])
