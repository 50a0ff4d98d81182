"""Browser tests (service delivery, issue 5): a leader opens the dossier dashboard, sees the trend chart drawn by
vega-embed, drills into a unit, one of its procedures' late dossiers and the unit's late-dossier list; the
administrator imports an export with bad rows (in the background, the page polling its progress), reads each
problem and downloads the rejected rows.

Set ``CCHC_SCREENSHOTS=DIR`` to keep screenshots (the user guide uses them)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tests.web.browser import MARKS, shot, sign_in
from tests.web.helpers import build_world

from cchc.services.indicators import late_dossiers
from cchc.services.synth import SynthSpec, write_synth
from cchc.web.dossiers import services as data

pytestmark = MARKS


@pytest.mark.django_db(transaction=True)
def test_leader_dashboard_unit_and_late_dossiers(live_server, browser_page, evidence_dir, settings, tmp_path):
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

    sign_in(page, base, "leader")
    page.get_by_role("link", name="Giải quyết TTHC").first.click()
    page.wait_for_url(re.compile(r".*/services/$"))
    page.locator("#chart-services svg").wait_for()  # the trend chart is drawn
    assert page.locator("#chart-services svg path").count() > 0
    assert page.locator("#services-units tbody tr").count() == 4  # province, D001, U0001, U0002
    shot(page, "services-dashboard")

    page.locator('#services-units tr[data-unit="U0001"] a').click()
    page.wait_for_url(re.compile(r".*/services/units/U0001/.*"))
    page.locator("#chart-unit svg").wait_for()
    assert page.locator('#indicators tr[data-indicator="2.1"]').count() == 1
    assert page.locator("#not-computable li").count() > 0
    assert page.locator("#procedures tbody tr").count() > 0
    chosen = page.locator("#f-p").input_value()
    shot(page, "services-unit")

    page.locator("#late-link").click()
    page.wait_for_url(re.compile(r".*/services/units/U0001/late/.*"))
    shown = set(page.locator("#late tbody tr").evaluate_all("rows => rows.map(r => r.dataset.dossier)"))
    assert shown and shown == set(late_dossiers(store, unit="U0001", period=chosen)["dossier_id"])
    shot(page, "services-late")


@pytest.mark.django_db(transaction=True)
def test_admin_imports_dossiers_and_sees_each_problem(live_server, browser_page, evidence_dir, settings, tmp_path):
    """The administrator uploads a month's export with two bad rows: the good rows are stored and shown on the
    dashboard, each bad row is listed with its row, column, value and a Vietnamese reason."""
    from tests.web.dossiers.helpers import bad_csv

    store = tmp_path / "store"
    settings.CCHC_DOSSIER_STORE = store
    data.clear_cache()
    from cchc.web.org.models import Unit

    build_world()
    Unit.objects.create(code="U0001", name="Phường Một", unit_type="commune")  # the units of the dossier file
    Unit.objects.create(code="U0002", name="Xã Hai", unit_type="commune")
    records, catalogue = bad_csv(tmp_path)
    page, base = browser_page, live_server.url

    sign_in(page, base, "admin")
    page.goto(f"{base}/services/import/")
    page.get_by_label("Tệp hồ sơ", exact=False).set_input_files(str(records))
    page.get_by_label("Danh mục TTHC", exact=False).set_input_files(str(catalogue))
    settings.CCHC_IMPORTS_INLINE = False  # the real background job; the page polls until it is done
    page.get_by_role("button", name="Nhập", exact=True).click()
    page.wait_for_url(re.compile(r".*/services/import/\d+/$"))
    page.locator("#import-result").wait_for(timeout=60000)
    assert page.locator("#job-status").inner_text() == "Hoàn thành"
    assert page.locator("#accepted").inner_text() == "39" and page.locator("#rejected").inner_text() == "2"
    rows = page.locator("#problems tbody tr")
    assert rows.count() == 2
    first = rows.nth(0).locator("td").all_inner_texts()
    assert first[1:4] == ["5", "status", "12"] and first[4].startswith("mã không hợp lệ (cho phép: ")
    assert "mã hồ sơ trùng trong tệp (lần đầu ở dòng" in rows.nth(1).inner_text()
    shot(page, "services-import")
    with page.expect_download() as info:  # the rejected rows with their reasons
        page.locator("#rejected-file").click()
    target = tmp_path / "rejected.csv"
    info.value.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and lines[0].endswith(",_reasons")
    page.goto(f"{base}/services/import/")
    assert page.locator("#jobs tbody tr").count() == 1

    page.goto(f"{base}/services/?period=month")
    assert page.locator('#services-units tr[data-unit="U0001"]').count() == 1
