"""Sessions and the signed-in user: read without database round trips where it is safe, never kept alive
after sign-out.

Sessions are written to the database and to a file cache shared by every process on the machine
(``cached_db``); the user is read with their role assignments in one query (``UserWithRolesBackend``).
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test import Client
from tests.web.helpers import PASSWORD

from cchc.web.accounts import policy
from cchc.web.accounts.backends import UserWithRolesBackend
from cchc.web.accounts.models import Role, RoleAssignment

pytestmark = [pytest.mark.db, pytest.mark.django_db]


class Queries:
    """The SQL statements run inside the block."""

    def __init__(self):
        self.sql: list[str] = []

    def __enter__(self):
        def record(execute, sql, params, many, context):
            self.sql.append(sql)
            return execute(sql, params, many, context)

        self._cm = connection.execute_wrapper(record)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def _fresh_grants(user):
    rows = RoleAssignment.objects.filter(user=user).values_list("role", "unit_id", "field_code")
    return policy.grants_from_rows(rows, user.is_superuser)


@pytest.mark.parametrize("name", ["admin", "focal", "appraiser", "field_appraiser", "approver", "leader", "nobody"])
def test_user_and_roles_in_one_query(world, name):
    user = world.users[name]
    with Queries() as q:
        got = UserWithRolesBackend().get_user(user.pk)
        grants = policy.grants(got)
    assert len(q.sql) == 1
    assert got.pk == user.pk and got.username == name
    assert grants == _fresh_grants(user)
    assert not hasattr(got, "cchc_role")


def test_two_roles_and_two_units(world):
    user = world.users["focal"]
    RoleAssignment.objects.create(user=user, role=Role.FOCAL, unit=world.d2)
    RoleAssignment.objects.create(user=user, role=Role.APPRAISER, field_code="3")
    g = policy.grants(UserWithRolesBackend().get_user(user.pk))
    assert g.focal_units == {world.d1.pk, world.d2.pk}
    assert g.roles == {Role.FOCAL, Role.APPRAISER} and g.appraiser_fields == {"3"}


def test_inactive_or_missing_user_is_nobody(world):
    user = world.users["focal"]
    user.is_active = False
    user.save()
    assert UserWithRolesBackend().get_user(user.pk) is None
    assert UserWithRolesBackend().get_user(10**9) is None


def test_role_change_applies_on_the_next_request(world):
    c = Client()
    c.force_login(world.users["leader"])
    url = f"/cycles/{world.cycle.pk}/units/D1/self/"
    assert c.get(url).status_code == 200  # the leader reads every unit
    RoleAssignment.objects.filter(user=world.users["leader"]).delete()
    assert c.get(url).status_code == 403


def test_session_read_without_database_query(world):
    c = Client()
    assert c.login(username="focal", password=PASSWORD)
    with Queries() as q:
        assert c.get("/").status_code == 200
    assert not any("django_session" in s for s in q.sql)
    assert sum("auth_user" in s for s in q.sql) == 1


def test_signed_out_session_is_dead_in_every_process(world):
    c = Client()
    assert c.login(username="focal", password=PASSWORD)
    stolen = c.cookies[settings.SESSION_COOKIE_NAME].value
    assert caches[settings.SESSION_CACHE_ALIAS].get(f"django.contrib.sessions.cached_db{stolen}") is not None
    assert c.post("/accounts/logout/").status_code in (200, 302)
    other = Client()  # another browser, or another worker process reading the same shared cache
    other.cookies[settings.SESSION_COOKIE_NAME] = stolen
    resp = other.get("/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_session_survives_losing_the_cache(world):
    c = Client()
    assert c.login(username="focal", password=PASSWORD)
    caches[settings.SESSION_CACHE_ALIAS].clear()
    assert c.get("/").status_code == 200  # read back from the database


def test_password_change_signs_out_other_sessions(world):
    c = Client()
    assert c.login(username="focal", password=PASSWORD)
    user = get_user_model().objects.get(username="focal")
    user.set_password("another-pass-456")
    user.save()
    resp = c.get("/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
