"""The survey pages' forms: the import (instrument, year, only the valid rows, the file) and applying an import
to a cycle. Each refusal in the words the pages have always shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cchc.web.uploads import UploadField, UploadRefused, check_size


class Typed(forms.CharField):
    """A text field as typed, optional: its problems are the form's to word (not Django's check for NUL
    characters, which a field's own check refuses anyway)."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.validators = []


class SurveyImportForm(forms.Form):
    """``instruments``: the (id, label) pairs the person may choose from."""

    instrument = Typed()
    year = Typed()
    skip_invalid = forms.BooleanField(required=False)
    file = UploadField()

    def __init__(self, *args, instruments: list[tuple[str, str]], **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.instrument_ids = {i for i, _label in instruments}

    def clean_instrument(self) -> str:
        value = self.cleaned_data["instrument"]
        if value not in self.instrument_ids:
            raise ValidationError(_("Chọn một bộ câu hỏi."))
        return value

    def clean_year(self) -> int:
        value = self.cleaned_data["year"]
        if not (value.isdigit() and 2000 <= int(value) <= 2100):
            raise ValidationError(_("Năm phải là một số từ 2000 đến 2100."))
        return int(value)

    def clean_file(self):  # noqa: ANN201
        upload = self.cleaned_data["file"]
        if upload is None:
            raise ValidationError(_("Chọn tệp phiếu khảo sát (.csv hoặc .xlsx)."))
        try:  # the declared size at once, with the other fields' problems; the type when the file is read
            check_size(upload, settings.CCHC_SURVEY_UPLOAD_MAX_BYTES)
        except UploadRefused as refused:
            raise ValidationError(str(refused)) from None
        return upload

    def problems(self) -> list[str]:
        """The refusals, in the fields' order."""
        return [str(e) for name in self.fields for e in self.errors.get(name, [])]

    def values(self) -> dict[str, Any]:
        """What the form shows again: the fields as typed (stripped), the box as ticked."""
        return {"instrument": self.data.get("instrument", "").strip(), "year": self.data.get("year", "").strip(),
                "skip_invalid": self.fields["skip_invalid"].widget.value_from_datadict(self.data, self.files,
                                                                                     "skip_invalid")}


class SurveyApplyForm(forms.Form):
    cycle = Typed(strip=False)

    def clean_cycle(self) -> int:
        value = self.cleaned_data["cycle"]
        if not value.isdigit():
            raise ValidationError(_("Chọn một kỳ đánh giá."))
        return int(value)
