"""People and their roles (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.web.accounts import policy, services
from cchc.web.accounts.forms import RoleForm
from cchc.web.accounts.models import RoleAssignment
from cchc.web.errors import Refused
from cchc.web.http import require


@login_required
def people(request):
    """Users and their roles (administrators): add a role to a person, creating the account if needed."""
    require(policy.can_manage(request.user))
    form = RoleForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            assignment, created = services.grant_role(form.cleaned_data, request.user)
        except Refused as refused:  # separation of duties (the policy's message), shown with the form
            form.add_error(None, str(refused))
            status = 422
        else:
            messages.success(request, _("Đã phân quyền cho %(u)s.") % {"u": assignment.user.username} if created
                             else _("Người dùng đã có vai trò này."))
            return redirect("people")
    assignments = RoleAssignment.objects.select_related("user", "unit").order_by("user__username", "role")
    return render(request, "accounts/people.html", {"form": form, "assignments": assignments}, status=status)


@login_required
@require_POST
def people_remove(request, assignment_id):
    require(policy.can_manage(request.user))
    try:
        services.revoke_role(get_object_or_404(RoleAssignment, pk=assignment_id), request.user)
    except Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Đã bỏ phân quyền."))
    return redirect("people")
