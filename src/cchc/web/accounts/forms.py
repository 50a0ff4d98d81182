"""The role form: a role for a person, creating the account if needed."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cchc.web.accounts.models import Role
from cchc.web.org.models import Unit


class RoleForm(forms.Form):
    """A role for a person: an existing user, or a new one (user name, full name, e-mail, password)."""

    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=_("Họ và tên (người dùng mới)"), max_length=150, required=False)
    email = forms.EmailField(label=_("Thư điện tử (người dùng mới)"), required=False)
    password = forms.CharField(label=_("Mật khẩu (người dùng mới, ít nhất 8 ký tự)"), required=False,
                               widget=forms.PasswordInput(render_value=False), min_length=8)
    role = forms.ChoiceField(label=_("Vai trò"))
    unit = forms.ModelChoiceField(label=_("Đơn vị (đầu mối, thẩm định viên theo đơn vị)"), queryset=None,
                                  required=False)
    field_code = forms.CharField(label=_("Lĩnh vực (thẩm định viên theo lĩnh vực)"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
        self.fields["unit"].queryset = Unit.objects.order_by("unit_type", "name")

    def clean(self):


        data = super().clean()
        role = data.get("role")
        if role == Role.FOCAL and not data.get("unit"):
            self.add_error("unit", _("Đầu mối phải gắn với một đơn vị."))
        if role == Role.APPRAISER and not data.get("unit") and not data.get("field_code"):
            self.add_error("unit", _("Thẩm định viên phải được phân công đơn vị hoặc lĩnh vực."))
        if role in (Role.ADMIN, Role.APPROVER, Role.LEADER):
            data["unit"], data["field_code"] = None, ""
        exists = get_user_model().objects.filter(username=data.get("username", "")).exists()
        if not exists and not data.get("password"):
            self.add_error("password", _("Người dùng mới cần mật khẩu."))
        data["new_user"] = not exists
        return data
