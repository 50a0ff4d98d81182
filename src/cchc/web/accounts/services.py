"""Every write of the accounts area: a role given to a person (the account created if needed) and a role taken
back. Who may do it is the policy's question, asked by the view."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from cchc.web.accounts import policy
from cchc.web.accounts.models import Role, RoleAssignment
from cchc.web.errors import Refused


def grant_role(data: dict, by) -> tuple[RoleAssignment, bool]:
    """Give ``data["role"]`` (with its unit or field) to ``data["username"]``, creating the account when
    ``data["new_user"]`` (``full_name``, ``email``, ``password``). Returns the assignment and whether it is new.
    ``by`` grants it: the policy decides (:func:`cchc.web.accounts.policy.why_not_grant`; nobody grants themselves
    the approver role), refused with its message."""
    User = get_user_model()
    target = None if data["new_user"] else User.objects.filter(username=data["username"]).first()
    why = policy.why_not_grant(by, target, data["role"])
    if why:
        raise Refused(why)
    if data["new_user"]:
        first, _sep, last = (data.get("full_name") or "").partition(" ")
        user = User.objects.create_user(data["username"], data.get("email") or "", data["password"],
                                        first_name=first, last_name=last)
    else:
        user = User.objects.get(username=data["username"])
    return RoleAssignment.objects.get_or_create(
        user=user, role=data["role"], unit=data.get("unit"), field_code=data.get("field_code") or "")


def revoke_role(assignment: RoleAssignment, by) -> None:
    """Take a role back, with the reason in its history. Nobody takes their own administrator role."""
    if assignment.user_id == by.pk and assignment.role == Role.ADMIN:
        raise Refused(_("Không tự bỏ vai trò quản trị của chính mình."))
    assignment._change_reason = _("Bỏ phân quyền")
    assignment.delete()
