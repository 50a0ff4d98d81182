"""Every POST the assessment pages read: a new cycle, a cycle's details and computed (survey / ratio) inputs from
XLSX (administrators); a cycle's transition, a returned submission, a leaf's save and evidence files.

The forms of the sheet and the workflow hand the text as it was typed to :mod:`cchc.web.assessments.services`
and :mod:`cchc.web.assessments.workflow`, which check it and word every refusal; the forms themselves refuse
nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.core.framework import FrameworkError
from cchc.frameworks import read_framework_file, shipped_ids
from cchc.web.assessments import services
from cchc.web.assessments.models import Cycle, FrameworkRecord, LeafAssessment
from cchc.web.assessments.states import deadlines_out_of_order
from cchc.web.org.models import Unit
from cchc.web.uploads import UploadField


def _framework_choices():

    stored = [(f"record:{r.pk}", f"{r.name} (v{r.version})") for r in FrameworkRecord.objects.all()]
    shipped = [(f"shipped:{i}", f"{i} ({_('kèm theo phần mềm')})") for i in shipped_ids()]
    return [("", "—"), *stored, *shipped]



def check_deadline_order(form) -> None:
    """Refuse deadlines out of workflow order (self-assessment ≤ appraisal ≤ explanation), naming both fields."""
    wrong = deadlines_out_of_order(form.cleaned_data)
    if wrong:
        a, b = wrong
        form.add_error(b, _("“%(b)s” phải sau hoặc cùng ngày với “%(a)s” (thứ tự các bước của kỳ đánh giá).")
                       % {"a": form.fields[a].label, "b": form.fields[b].label})

class CycleForm(forms.Form):
    name = forms.CharField(label=_("Tên kỳ đánh giá"), max_length=255)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    framework = forms.ChoiceField(label=_("Bộ chỉ số"), required=False)
    framework_file = forms.FileField(label=_("hoặc tải lên tệp YAML bộ chỉ số của tỉnh"), required=False)
    previous = forms.ModelChoiceField(label=_("Kỳ năm trước (để so sánh)"), queryset=Cycle.objects.all(),
                                      required=False)
    self_deadline = forms.DateField(label=_("Hạn tự đánh giá"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    appraisal_deadline = forms.DateField(label=_("Hạn thẩm định"), required=False,
                                         widget=forms.DateInput(attrs={"type": "date"}))
    explanation_deadline = forms.DateField(label=_("Hạn giải trình"), required=False,
                                           widget=forms.DateInput(attrs={"type": "date"}))
    public = forms.BooleanField(label=_("Công khai kết quả sau khi công bố"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = _framework_choices()

    def clean(self):
        data = super().clean()
        check_deadline_order(self)
        upload = data.get("framework_file")
        choice = data.get("framework") or ""
        try:
            if upload is not None:


                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / (Path(upload.name).name or "framework.yaml")
                    path.write_bytes(upload.read())
                    fw = read_framework_file(path)
                data["record"] = services.store_framework(fw, source=upload.name)
            elif choice.startswith("shipped:"):
                data["record"] = services.load_shipped(choice.split(":", 1)[1])
            elif choice.startswith("record:"):

                data["record"] = FrameworkRecord.objects.get(pk=int(choice.split(":", 1)[1]))
            else:
                raise forms.ValidationError(_("Chọn một bộ chỉ số hoặc tải lên tệp YAML."))
        except FrameworkError as exc:
            raise forms.ValidationError([str(p) for p in exc.problems[:20]]) from exc
        return data


class ComputedImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp XLSX (cột: mã đơn vị, mã tiêu chí, tử số, mẫu số, chỉ số khảo sát)"))


class CycleEditForm(forms.ModelForm):
    """Deadlines, publicity, narrative and (before appraisal) the participating units of a cycle."""

    units = forms.ModelMultipleChoiceField(label=_("Đơn vị tham gia"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Cycle
        fields = ["name", "previous", "self_deadline", "appraisal_deadline", "explanation_deadline", "public",
                  "narrative_vi"]
        widgets = {
            "self_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "appraisal_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "explanation_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "narrative_vi": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        cycle = self.instance
        fw = cycle.framework.framework
        self.fields["previous"].queryset = Cycle.objects.exclude(pk=cycle.pk)
        self.fields["units"].queryset = Unit.objects.filter(unit_type__in=fw.unit_types).order_by("unit_type", "name")
        self.fields["units"].initial = list(cycle.participations.values_list("unit_id", flat=True))
        self.units_editable = cycle.state in ("draft", "open")
        if not self.units_editable:
            self.fields["units"].disabled = True
        if cycle.state == "published":
            # Published is final: only the name and the public flag change, each with a reason kept in the
            # cycle's history (docs/decisions/0009-web-application.md, "Published is final").
            for name in self.Meta.fields:
                if name not in self.PUBLISHED_EDITABLE:
                    self.fields[name].disabled = True
            self.fields["reason"] = forms.CharField(
                label=_("Lý do sửa (bắt buộc khi sửa kỳ đã công bố)"), max_length=80, required=False,
                widget=forms.Textarea(attrs={"rows": 2}))

    PUBLISHED_EDITABLE = ("name", "public")

    def details(self) -> list[str]:
        """The columns this form writes: its fields that may change in the cycle's state — never ``state``, which
        only the workflow writes (:func:`cchc.web.assessments.workflow.transition`)."""
        return [name for name in self.Meta.fields if not self.fields[name].disabled]

    def change_reason(self) -> str:
        """The reason kept in the cycle's history for this edit."""
        reason = (self.cleaned_data.get("reason") or "").strip()
        if reason:
            # the history keeps at most 100 characters of a reason: the field takes 80
            return _("Sửa kỳ đã công bố: %(r)s") % {"r": reason}
        return str(_("Sửa thông tin kỳ đánh giá"))

    def clean(self):
        data = super().clean()
        check_deadline_order(self)
        if "reason" in self.fields and self.has_changed() and not (data.get("reason") or "").strip():
            changed = [name for name in self.changed_data if name in self.PUBLISHED_EDITABLE]
            if changed:
                self.add_error("reason", _("Kỳ đánh giá đã công bố: cần nêu lý do sửa tên hoặc chế độ công khai."))
        return data

    def clean_units(self):
        units = self.cleaned_data.get("units")
        if not self.units_editable:
            return None
        keep = {u.pk for u in units}

        dropping = self.instance.participations.exclude(unit_id__in=keep)
        started = LeafAssessment.objects.filter(participation__in=dropping).values_list(
            "participation__unit__code", flat=True).distinct()
        if started:
            raise forms.ValidationError(
                _("Không bỏ được đơn vị đã có dữ liệu tự đánh giá: %(u)s.") % {"u": ", ".join(sorted(started))}
            )
        return units




class TypedField(forms.Field):
    """Text exactly as it was sent (not trimmed, not validated), ``""`` when absent: the services check it and word
    their own refusals."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> str:  # noqa: ANN001
        return "" if value is None else str(value)


class FilesInput(forms.FileInput):
    allow_multiple_selected = True


class UploadsField(UploadField):
    """Every file sent under the field's name, as uploaded (``[]`` when none): their type and size are checked by
    :mod:`cchc.web.assessments.evidence`, in its words."""

    widget = FilesInput

    def to_python(self, data) -> list:  # noqa: ANN001
        return list(data or [])


class TransitionForm(forms.Form):
    """A cycle's state change: ``target`` as sent (the workflow refuses an unknown state) and the reason."""

    target = TypedField()
    reason = TypedField()


class ReturnSubmissionForm(forms.Form):
    """An administrator returns a unit's submission; the workflow requires the reason."""

    reason = TypedField()


class LeafSaveForm(forms.Form):
    """A leaf's save from the sheet (self-assessment, appraisal or explanation), read by
    :func:`~cchc.web.assessments.services.save_self`, :func:`~cchc.web.assessments.services.save_appraisal` and
    :func:`~cchc.web.assessments.services.save_explanation`. Only the fields that were sent are handed on
    (:meth:`values`): a service tells "not sent" (keep the stored text) from "sent empty" (clear it)."""

    self_points = TypedField()
    numerator = TypedField()
    denominator = TypedField()
    justification = TypedField()
    no_evidence_reason = TypedField()
    appraised_points = TypedField()
    appraisal_comment = TypedField()
    accept = TypedField()
    explanation = TypedField()
    version = TypedField()

    def _sent(self) -> dict[str, str]:
        if not hasattr(self, "cleaned_data"):
            self.full_clean()
        return {name: value for name, value in self.cleaned_data.items() if self.add_prefix(name) in self.data}

    def values(self) -> dict[str, str]:
        """The leaf's fields that were sent, as typed (without ``version``)."""
        return {name: value for name, value in self._sent().items() if name != "version"}

    def loaded_version(self) -> str | None:
        """The version of the leaf the person loaded, as sent; ``None`` when not sent (a stale save)."""
        return self._sent().get("version")


class EvidenceUploadForm(forms.Form):
    """Evidence files for one leaf (several at once)."""

    file = UploadsField()


class ExclusionForm(forms.Form):
    """Leave a unit out of the ranking (``exclude``, with the written reason) or take that back (``include``)."""

    action = forms.ChoiceField(choices=[("exclude", "exclude"), ("include", "include")], required=False)
    reason = forms.CharField(required=False, max_length=2000)

    def clean_action(self) -> str:
        return self.cleaned_data.get("action") or "exclude"
