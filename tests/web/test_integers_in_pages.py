"""Integers that are identifiers (years, primary keys in element ids and URLs) are never grouped: 2026, not
2.026; ``id="proposal-1025"``, not ``proposal-1.025`` (a real bug once primary keys passed 1,000)."""

import pytest

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_years_and_ids_are_not_grouped(world, login):
    from django.template import Context, Template

    page = login(world.users["admin"]).get("/").content.decode()
    assert "2026" in page and "2.026" not in page and "2,026" not in page
    rendered = Template('<li id="proposal-{{ pk }}">{{ year }}</li>').render(Context({"pk": 1025, "year": 2026}))
    assert rendered == '<li id="proposal-1025">2026</li>'
