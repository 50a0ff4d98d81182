"""The publication form: the chair confirms the previewed table (its inputs hash travels with the form, so what is
published is what was previewed)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PublishForm(forms.Form):
    confirm = forms.BooleanField(label=_("Tôi đã xem bảng kết quả dưới đây và xác nhận công bố."))
    previewed = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000)
