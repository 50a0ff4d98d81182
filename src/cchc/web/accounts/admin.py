"""Django admin of role assignments, with history views; the history admin every area's admin uses.

The admin is bound by the same rules as the pages: history is read, never reverted (:class:`HistoryAdmin`), and
nobody gives themselves the approver role (:func:`cchc.web.accounts.policy.why_not_grant`)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from cchc.web.accounts import policy
from cchc.web.accounts.models import RoleAssignment


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's views without "revert": an old record is shown, never written back. A revert would save
    the whole old row (a cycle's old state, a published assessment's old values, a role taken back) around the
    workflow, the services and the policy; a change goes through them, with its reason."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = "__all__"

    def clean(self):
        data = super().clean()
        why = policy.why_not_grant(self.acting_user, data.get("user"), data.get("role"))
        if why:
            raise forms.ValidationError(why)
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(HistoryAdmin):
    list_display = ["user", "role", "unit", "field_code"]
    list_filter = ["role"]
    form = RoleAssignmentForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form
