"""Every POST the steering pages read. Dates typed into the task panel and the proposal row are read as ISO dates
(``dt.date.fromisoformat``, what the browser's date input sends), and a refusal keeps Python's wording, as before
these forms existed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.steering.tasks import TaskState
from cchc.web.org.models import Unit

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


def _iso_date(value: str) -> dt.date | None:
    """An ISO date or nothing; a malformed one is refused with Python's own words."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


class TransitionForm(forms.Form):
    """A task's state change from its panel. Notes are kept as typed (not trimmed); :meth:`typed` gives them back
    to a refused panel so nothing is lost."""

    TYPED = ("target", "completion_note", "completed_on", "reason")

    target = forms.ChoiceField(choices=[(s.value, s.value) for s in TaskState])
    completion_note = forms.CharField(required=False, strip=False)
    completed_on = forms.CharField(required=False, strip=False)
    reason = forms.CharField(required=False, strip=False)

    def clean_completed_on(self) -> dt.date | None:
        return _iso_date(self.cleaned_data["completed_on"])

    def typed(self) -> dict[str, str]:
        return {name: self.data.get(self.add_prefix(name), "") for name in self.TYPED}


class EvidenceForm(forms.Form):
    file = forms.FileField(allow_empty_file=True, error_messages={"required": _("Chưa chọn tệp.")})


class GenerateProposalsForm(forms.Form):
    """Proposals from a published cycle (``cycle``, when chosen) or from the national index of ``year``."""

    cycle = forms.CharField(required=False, strip=False)
    year = forms.CharField(required=False, strip=False)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("cycle"):  # the year is read only when no cycle was chosen
            try:
                data["year"] = int(data.get("year") or 0)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return data


class ProposalDecisionForm(forms.Form):
    """Accept a proposal as a task (title, deadline, plan and lead unit may be changed) or discard it. Any other
    action changes nothing."""

    action = forms.CharField(required=False, strip=False)


class AcceptProposalForm(forms.Form):
    """The task an accepted proposal becomes. A plan that no longer exists is left out; a lead unit code must be in
    the unit list."""

    title = forms.CharField(required=False, strip=False)
    deadline = forms.CharField(required=False, strip=False)
    plan = forms.CharField(required=False)
    lead_unit = forms.CharField(required=False)

    def clean_title(self) -> str | None:
        return self.cleaned_data["title"] or None

    def clean_deadline(self) -> dt.date | None:
        return _iso_date(self.cleaned_data["deadline"])

    def clean_plan(self) -> Plan | None:
        value = self.cleaned_data["plan"]
        try:
            return Plan.objects.filter(pk=value or 0).first()
        except ValueError as exc:  # not a number
            raise forms.ValidationError(str(exc)) from None

    def clean_lead_unit(self) -> Unit | None:
        code = self.cleaned_data["lead_unit"]
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("Không có đơn vị mã %(c)s trong danh mục đơn vị.") % {"c": code})
        return unit

    def first_error(self) -> str | None:
        """The first refusal, in the order the fields are read (deadline, plan, lead unit)."""
        return next((str(e) for name in ("deadline", "plan", "lead_unit", "title") for e in self.errors.get(name, [])),
                    None)


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

    @classmethod
    def posted(cls, data, prefix: str = "o") -> ObservationForm:
        """Bound to ``data``; a figure of a metric and year already recorded is corrected, not added twice."""
        try:
            year = int(data.get(f"{prefix}-year") or 0)
        except ValueError:  # not a year: the form says so
            existing = None
        else:
            existing = Observation.objects.filter(metric=data.get(f"{prefix}-metric", ""), year=year).first()
        return cls(data, prefix=prefix, instance=existing)


def posted_target_form(data) -> TargetForm | ObservationForm:
    """The targets page posts either a new target (fields ``t-…``) or a figure (``o-…``)."""
    if "t-metric" in data:
        return TargetForm(data, prefix="t")
    return ObservationForm.posted(data, prefix="o")


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "position", "role", "unit"]


class ResponsibilityForm(forms.ModelForm):
    class Meta:
        model = FieldResponsibility
        fields = ["field_code", "field_name", "unit"]


def posted_committee_form(data) -> tuple[str | None, forms.ModelForm]:
    """The committee page's three forms share one URL; the hidden ``form`` field says which was sent (a member,
    a field responsibility — replacing the field's current one — or, otherwise, a meeting)."""
    which = data.get("form")
    if which == "member":
        return which, MemberForm(data, prefix="m")
    if which == "responsibility":
        current = FieldResponsibility.objects.filter(field_code=data.get("r-field_code", "")).first()
        return which, ResponsibilityForm(data, prefix="r", instance=current)
    return which, MeetingForm(data, prefix="g")


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


__all__ = ["PlanForm", "TaskForm", "ProgressForm", "TransitionForm", "EvidenceForm", "GenerateProposalsForm",
           "ProposalDecisionForm", "AcceptProposalForm", "ImportForm", "TargetForm", "ObservationForm",
           "posted_target_form", "MemberForm", "ResponsibilityForm", "MeetingForm", "posted_committee_form",
           "ConclusionTaskForm", "Conclusion"]
