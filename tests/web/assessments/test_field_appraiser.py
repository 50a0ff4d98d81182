"""An appraiser by field sees the criteria of their own fields only: sheet export, leaf history, API and evidence
(the matrix in tests/web/accounts/test_permissions.py tries history, API detail and evidence per role)."""

import io
import re

import pytest
from openpyxl import load_workbook
from tests.web.helpers import fill_all, set_state

from cchc.web.assessments import frameworks
from cchc.web.assessments.models import State

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _fields(world, codes):
    return {frameworks.field_of(world.fw, c) for c in codes}


def test_export_and_api_list_hold_only_the_own_fields(world, login, api):
    set_state(world.cycle, State.APPRAISAL)
    fill_all(world, "D2")
    url = f"/cycles/{world.cycle.pk}/units/D2/sheet.xlsx"
    ws = load_workbook(io.BytesIO(login(world.users["field_appraiser"]).get(url).content)).active
    codes = [r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert codes and _fields(world, codes) == {"2"}
    assert not any(r[1] == "Tổng điểm" for r in ws.iter_rows(min_row=2, values_only=True))  # no unit total
    ws = load_workbook(io.BytesIO(login(world.users["leader"]).get(url).content)).active
    every = [r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]
    assert len(every) > len(codes) and len(_fields(world, every)) > 1
    rows = api(world.users["field_appraiser"])("get", f"/api/cycles/{world.cycle.pk}/units/D2/leaves/").json()
    assert rows and {r["field_code"] for r in rows} == {"2"}
    rows = api(world.users["leader"])("get", f"/api/cycles/{world.cycle.pk}/units/D2/leaves/").json()
    assert len({r["field_code"] for r in rows}) > 1


@pytest.mark.parametrize("mode", ["self", "appraise", "explain"])
def test_every_stage_of_the_sheet_holds_only_the_own_fields(world, login, mode):
    set_state(world.cycle, State.FINAL_APPRAISAL)
    fill_all(world, "D2", 0.5)
    from cchc.web.assessments.models import LeafAssessment

    LeafAssessment.objects.filter(participation=world.part("D2")).update(appraised_points=0)  # adjusted: explain shows them
    page = login(world.users["field_appraiser"]).get(f"/cycles/{world.cycle.pk}/units/D2/{mode}/?field=all")
    assert page.status_code == 200
    shown = re.findall(r'data-leaf="([^"]+)"', page.content.decode())
    assert shown and _fields(world, shown) == {"2"}
