"""The report page's form: what kind of report, for which province and period (a review) or which published cycle
(the results-decision annex), with or without a PDF, and the national PAR INDEX table if one is uploaded."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from cchc.core.periods import Period


class ReportForm(forms.Form):
    """Every field is optional to the browser; :meth:`clean` says what is missing for the chosen kind, in the
    order the page lists its problems (province, then cycle or period). The upload's own checks stay with the
    view (:func:`cchc.web.uploads.receive`)."""

    kind = forms.CharField(required=False)
    province = forms.CharField(required=False)
    period = forms.CharField(required=False)
    cycle = forms.CharField(required=False)
    pdf = forms.CharField(required=False)  # a checkbox: ticked is "on"
    national = forms.FileField(required=False, allow_empty_file=True)

    def __init__(self, *args, cycles, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.cycles = cycles  # the published cycles an annex may be made for

    def clean_kind(self) -> str:
        return "decision" if self.cleaned_data["kind"] == "decision" else "review"

    def clean_pdf(self) -> bool:
        return self.cleaned_data["pdf"] == "on"

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("province"):
            self.add_error("province", _("Nhập tên tỉnh."))
        if data.get("kind") == "decision":
            chosen = data.get("cycle") or ""
            if not (chosen.isascii() and chosen.isdigit() and self.cycles.filter(pk=int(chosen)).exists()):
                self.add_error("cycle", _("Chọn một kỳ đánh giá đã công bố."))
            else:
                data["cycle"] = int(chosen)
        else:
            try:
                data["period"] = Period.parse(data.get("period") or "").label
            except ValueError:
                self.add_error("period", _("Kỳ báo cáo phải là năm (2025) hoặc nửa năm (2025-H1, 2025-H2)."))
        return data

    def problems(self) -> list[str]:
        """The errors, in the order the page shows them."""
        return [str(e) for name in ("province", "cycle", "period", "kind", "pdf", "national", "__all__")
                for e in self.errors.get(name, [])]

    def params(self) -> dict:
        """The job's parameters (a valid form): province and PDF, then the cycle (annex) or the period (review)."""
        data = self.cleaned_data
        params = {"province": data["province"], "pdf": data["pdf"]}
        if data["kind"] == "decision":
            params["cycle"] = data["cycle"]
        else:
            params["period"] = data["period"]
        return params

    def typed(self) -> dict:
        """What the page shows back: the values as typed (trimmed) and the PDF choice."""
        values = {name: (self[name].value() or "").strip() for name in ("kind", "period", "province", "cycle")}
        values["pdf"] = self["pdf"].value() == "on"
        return values
