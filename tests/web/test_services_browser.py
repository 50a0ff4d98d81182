"""Browser test (service delivery, issue 5): a leader opens the dossier dashboard, sees the trend chart drawn by
vega-embed, drills into a unit, one of its procedures' late dossiers and the unit's late-dossier list.

Set ``CCHC_SCREENSHOTS=DIR`` to keep screenshots (the user guide uses them)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from cchc.services.indicators import late_dossiers
from cchc.services.synth import SynthSpec, write_synth
from cchc.web.services_page import data

from .conftest import build_world
from .test_browser import CHROMIUM, _login, _shot, browser_page  # noqa: F401 - the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.mark.django_db(transaction=True)
def test_leader_dashboard_unit_and_late_dossiers(live_server, browser_page, evidence_dir, settings, tmp_path):  # noqa: F811
    from cchc.web.org.models import Unit

    store = tmp_path / "store"
    write_synth(SynthSpec(rows=1500, units=2, procedures=8, seed=3, start=dt.date(2025, 1, 1),
                          end=dt.date(2025, 4, 30)), store)
    settings.CCHC_DOSSIER_STORE = store
    data.clear_cache()
    build_world()
    Unit.objects.create(code="U0001", name="Phường Một", unit_type="commune")
    Unit.objects.create(code="U0002", name="Xã Hai", unit_type="commune")
    page, base = browser_page, live_server.url

    _login(page, base, "leader")
    page.get_by_role("link", name="Giải quyết TTHC").first.click()
    page.wait_for_url(re.compile(r".*/services/$"))
    page.locator("#chart-services svg").wait_for()  # the trend chart is drawn
    assert page.locator("#chart-services svg path").count() > 0
    assert page.locator("#services-units tbody tr").count() == 4  # province, D001, U0001, U0002
    _shot(page, "services-dashboard")

    page.locator('#services-units tr[data-unit="U0001"] a').click()
    page.wait_for_url(re.compile(r".*/services/units/U0001/.*"))
    page.locator("#chart-unit svg").wait_for()
    assert page.locator('#indicators tr[data-indicator="2.1"]').count() == 1
    assert page.locator("#not-computable li").count() > 0
    assert page.locator("#procedures tbody tr").count() > 0
    chosen = page.locator("#f-p").input_value()
    _shot(page, "services-unit")

    page.locator("#late-link").click()
    page.wait_for_url(re.compile(r".*/services/units/U0001/late/.*"))
    shown = set(page.locator("#late tbody tr").evaluate_all("rows => rows.map(r => r.dataset.dossier)"))
    assert shown and shown == set(late_dossiers(store, unit="U0001", period=chosen)["dossier_id"])
    _shot(page, "services-late")
