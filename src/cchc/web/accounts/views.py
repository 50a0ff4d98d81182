"""People and their roles (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.web.accounts import policy
from cchc.web.accounts.forms import RoleForm
from cchc.web.accounts.models import RoleAssignment
from cchc.web.http import require


@login_required
def people(request):
    """Users and their roles (administrators): add a role to a person, creating the account if needed."""


    require(policy.can_manage(request.user))
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        User = get_user_model()
        if data["new_user"]:
            first, _sep, last = (data.get("full_name") or "").partition(" ")
            user = User.objects.create_user(data["username"], data.get("email") or "", data["password"],
                                            first_name=first, last_name=last)
        else:
            user = User.objects.get(username=data["username"])
        _ra, created = RoleAssignment.objects.get_or_create(
            user=user, role=data["role"], unit=data.get("unit"), field_code=data.get("field_code") or "")
        messages.success(request, _("Đã phân quyền cho %(u)s.") % {"u": user.username} if created
                         else _("Người dùng đã có vai trò này."))
        return redirect("people")
    assignments = RoleAssignment.objects.select_related("user", "unit").order_by("user__username", "role")
    return render(request, "accounts/people.html", {"form": form, "assignments": assignments})


@login_required
@require_POST
def people_remove(request, assignment_id):

    require(policy.can_manage(request.user))
    ra = get_object_or_404(RoleAssignment, pk=assignment_id)
    if ra.user_id == request.user.pk and ra.role == "admin":
        messages.error(request, _("Không tự bỏ vai trò quản trị của chính mình."))
    else:
        ra._change_reason = _("Bỏ phân quyền")
        ra.delete()
        messages.success(request, _("Đã bỏ phân quyền."))
    return redirect("people")
