from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Conclusion, FieldResponsibility, Meeting, Member, Observation, Plan, Target, Task

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["kind", "title", "year", "period", "decision", "issued_on"]
        widgets = {"issued_on": DATE}


class TaskForm(forms.ModelForm):
    change_reason = forms.CharField(label=_("Lý do thay đổi (ghi vào lịch sử)"), required=False, max_length=500)

    class Meta:
        model = Task
        fields = ["plan", "number", "title", "description", "lead_unit", "coordinating_units", "deadline",
                  "expected_output", "priority", "criteria", "source", "source_ref"]
        widgets = {"deadline": DATE, "description": forms.Textarea(attrs={"rows": 3})}


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("Ngày báo cáo"), widget=DATE, required=False)
    percent = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=_("Nội dung đã thực hiện"), widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Bảng nhiệm vụ (XLSX)"))


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["source", "description", "metric", "comparator", "value", "deadline"]
        widgets = {"deadline": DATE}


class ObservationForm(forms.ModelForm):
    class Meta:
        model = Observation
        fields = ["metric", "year", "value", "observed_on", "note"]
        widgets = {"observed_on": DATE}


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "position", "role", "unit"]


class ResponsibilityForm(forms.ModelForm):
    class Meta:
        model = FieldResponsibility
        fields = ["field_code", "field_name", "unit"]


class MeetingForm(forms.ModelForm):
    conclusions = forms.CharField(label=_("Kết luận (mỗi dòng một kết luận)"), widget=forms.Textarea(attrs={"rows": 4}),
                                  required=False)

    class Meta:
        model = Meeting
        fields = ["date", "title", "notice"]
        widgets = {"date": DATE}


class ConclusionTaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "lead_unit", "deadline", "criteria", "priority"]
        widgets = {"deadline": DATE}


__all__ = ["PlanForm", "TaskForm", "ProgressForm", "ImportForm", "TargetForm", "ObservationForm", "MemberForm",
           "ResponsibilityForm", "MeetingForm", "ConclusionTaskForm", "Conclusion"]
