"""Fixtures for the web application tests.

pytest-django is configured here (not in pyproject): Django settings come from ``cchc.web.settings`` with a
throw-away data directory. ``DATABASE_URL`` switches the tests to PostgreSQL (CI runs ``-m db`` again there).
"""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.web.settings")
os.environ.setdefault("CCHC_DATA_DIR", tempfile.mkdtemp(prefix="cchc-web-tests-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

import django  # noqa: E402

django.setup()

from tests.web.browser import CHROMIUM  # noqa: E402
from tests.web.helpers import PASSWORD, build_world  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "db: uses the database (re-run on PostgreSQL in CI)")




@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]




@pytest.fixture
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.MEDIA_ROOT = settings.EVIDENCE_ROOT
    return settings.EVIDENCE_ROOT


@pytest.fixture
def world(db, evidence_dir):
    return build_world()












@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api(client):
    """Token-authenticated API calls: ``api(user)(method, url, data=None, **kw)``. Bodies are JSON unless
    ``multipart=True`` (file uploads)."""

    def _as(user):
        r = client.post("/api/token/", {"username": user.username, "password": PASSWORD},
                        content_type="application/json")
        assert r.status_code == 200, r.content
        token = r.json()["token"]
        client.logout()

        def call(method, url, data=None, *, multipart=False, **kw):
            if not multipart and method != "get":
                kw.setdefault("content_type", "application/json")
            return getattr(client, method)(url, data, HTTP_AUTHORIZATION=f"Token {token}", **kw)

        return call

    return _as


@pytest.fixture
def browser_page():
    """A page of headless Chromium (Debian's, through Playwright), in Vietnamese."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()
