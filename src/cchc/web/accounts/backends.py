"""Sign-in backend: Django's model backend, but the signed-in user of each request is read together with their
role assignments in one query (one database round trip less per request; see docs/performance.md)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from cchc.web.accounts import policy
from cchc.web.accounts.models import RoleAssignment


class UserWithRolesBackend(ModelBackend):
    def get_user(self, user_id):  # noqa: ANN001, ANN201 - Django's signature
        """The user with this id, with :func:`cchc.web.accounts.policy.grants` already known; None when there is
        no such user or it may not sign in (inactive), as :class:`ModelBackend`."""
        user_model = get_user_model()
        users = user_model._meta
        roles = RoleAssignment._meta
        pk = users.pk.get_prep_value(user_model._meta.pk.to_python(user_id))
        sql = (
            f"SELECT u.*, r.{roles.get_field('role').column} AS cchc_role, "
            f"r.{roles.get_field('unit').column} AS cchc_unit_id, r.{roles.get_field('field_code').column} AS cchc_field "
            f"FROM {users.db_table} u LEFT JOIN {roles.db_table} r ON r.{roles.get_field('user').column} = u.{users.pk.column} "
            f"WHERE u.{users.pk.column} = %s"
        )
        rows = list(user_model._default_manager.raw(sql, [pk]))
        if not rows:
            return None
        user = rows[0]
        if not self.user_can_authenticate(user):
            return None
        user._cchc_grants = policy.grants_from_rows(
            ((r.cchc_role, r.cchc_unit_id, r.cchc_field) for r in rows), user.is_superuser)
        for name in ("cchc_role", "cchc_unit_id", "cchc_field"):
            delattr(user, name)
        return user
