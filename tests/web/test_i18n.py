"""Vietnamese by default, English on request; Vietnamese number formatting."""

import pytest
from tests.web.helpers import fill_all, set_state

from cchc.web.assessments.models import State

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_vietnamese_default_and_english_switch(world, login):
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.83)
    c = login(world.users["focal"])
    body = c.get(f"/cycles/{world.cycle.pk}/units/D1/self/").content.decode()
    assert '<html lang="vi">' in body and "Đăng xuất" in body and "Tổng điểm tự đánh giá" in body
    total = body.split('id="total-points">')[1].split("<")[0]
    assert "," in total and "." not in total  # decimal comma
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = c.get(f"/cycles/{world.cycle.pk}/units/D1/self/").content.decode()
    assert '<html lang="en">' in body and "Log out" in body and "Self-assessed total" in body
    assert "." in body.split('id="total-points">')[1].split("<")[0]
