"""Administrator pages: a new cycle from a shipped or uploaded framework; computed inputs from XLSX."""

import io

import pytest
from openpyxl import Workbook

from cchc.web.assessments.models import Cycle, LeafAssessment

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_new_cycle_from_shipped_framework(world, login):
    c = login(world.users["admin"])
    assert login(world.users["leader"]).get("/cycles/new/").status_code == 403
    c = login(world.users["admin"])
    r = c.post("/cycles/new/", {"name": "Kỳ 2027", "year": 2027, "framework": "shipped:example-department",
                                "previous": world.cycle.pk, "self_deadline": "2027-03-31"})
    assert r.status_code == 302, r.content[:500]
    cycle = Cycle.objects.get(name="Kỳ 2027")
    assert cycle.state == "draft" and cycle.previous == world.cycle
    assert {p.unit.code for p in cycle.participations.all()} == {"D1", "D2"}


def test_new_cycle_rejects_invalid_uploaded_framework(world, login):
    bad = io.BytesIO(b"id: x\nname_vi: X\nnodes:\n  - code: '1'\n    name_vi: A\n    max_points: 5\n"
                     b"    children:\n      - {code: '1.1', name_vi: B, max_points: 2, method: {kind: manual}}\n")
    bad.name = "tinh.yaml"
    r = login(world.users["admin"]).post("/cycles/new/", {"name": "K", "year": 2027, "framework_file": bad})
    assert r.status_code == 200
    assert not Cycle.objects.filter(name="K").exists()
    assert "1" in r.content.decode() and 'class="error"' in r.content.decode()


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "so-lieu.xlsx"
    return buf


def test_computed_import(world, login):
    ratio = next(n for n in world.fw.leaves("department") if n.kind == "ratio")
    survey = next(n for n in world.fw.leaves("department") if n.kind == "survey")
    head = ["mã đơn vị", "mã tiêu chí", "tử số", "mẫu số", "chỉ số khảo sát"]
    c = login(world.users["admin"])
    url = f"/cycles/{world.cycle.pk}/computed/"
    r = c.post(url, {"file": _xlsx([head, ["D1", ratio.code, 50, 40, None], ["D9", survey.code, None, None, 80]])})
    body = r.content.decode()
    assert "Dòng 2, cột C: tử số lớn hơn mẫu số" in body and "Dòng 3, cột A" in body
    assert not LeafAssessment.objects.exists()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    bad = _xlsx([head, ["D1", ratio.code, 50, 40, None], ["D9", survey.code, None, None, 80]])
    body = c.post(url, {"file": bad}).content.decode()
    assert "Row 2, column C: the numerator is larger than the denominator." in body
    assert "Row 3, column A: unit &#x27;D9&#x27; does not take part in this cycle." in body
    c.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    r = c.post(url, {"file": _xlsx([head, ["D1", ratio.code, 30, 40, None], ["D2", survey.code, None, None, "82,1"]])})
    assert r.status_code == 302
    assert LeafAssessment.objects.get(leaf_code=ratio.code).numerator == 30
    assert LeafAssessment.objects.get(leaf_code=survey.code).survey_index == pytest.approx(82.1)
    assert login(world.users["focal"]).get(url).status_code == 403


def test_edit_cycle_deadlines_and_units(world, login):
    from cchc.web.org.models import Unit

    d3 = Unit.objects.create(code="D3", name="Sở Ba", unit_type="department")
    url = f"/cycles/{world.cycle.pk}/edit/"
    assert login(world.users["focal"]).get(url).status_code == 403
    c = login(world.users["admin"])
    r = c.post(url, {"name": "Kỳ thử (sửa)", "self_deadline": "2026-04-15", "units": [world.d1.pk, d3.pk]})
    assert r.status_code == 302, r.content.decode()[:2000]
    world.cycle.refresh_from_db()
    assert world.cycle.name == "Kỳ thử (sửa)" and str(world.cycle.self_deadline) == "2026-04-15"
    assert {p.unit.code for p in world.cycle.participations.all()} == {"D1", "D3"}
    assert world.cycle.history.first().history_change_reason == "Sửa thông tin kỳ đánh giá"
    # A unit that has started its self-assessment cannot be dropped.
    LeafAssessment.objects.create(participation=world.cycle.participations.get(unit=d3), leaf_code="1.1.1",
                                  self_points=1)
    r = c.post(url, {"name": "K", "units": [world.d1.pk]})
    assert r.status_code == 200 and "D3" in r.content.decode()
    assert world.cycle.participations.filter(unit=d3).exists()


def test_people_page_creates_users_and_roles(world, login, client):
    from cchc.web.accounts.models import RoleAssignment

    assert login(world.users["leader"]).get("/people/").status_code == 403
    c = login(world.users["admin"])
    r = c.post("/people/", {"username": "moi", "full_name": "Ngô Văn Mới", "password": "matkhau-123",
                            "role": "focal", "unit": world.d2.pk})
    assert r.status_code == 302
    ra = RoleAssignment.objects.get(user__username="moi")
    assert ra.role == "focal" and ra.unit == world.d2
    r = c.post("/people/", {"username": "moi", "role": "appraiser"})  # appraiser needs a unit or a field
    assert r.status_code == 200 and "phân công" in r.content.decode()
    c.post("/people/", {"username": "moi", "role": "appraiser", "field_code": "3"})
    assert RoleAssignment.objects.filter(user__username="moi").count() == 2
    client.logout()
    assert client.login(username="moi", password="matkhau-123")
    assert client.get(f"/cycles/{world.cycle.pk}/units/D2/self/").status_code == 200
    c = login(world.users["admin"])
    c.post(f"/people/{ra.pk}/remove/")
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
