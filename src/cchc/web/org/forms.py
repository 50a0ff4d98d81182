"""Every POST the unit pages read: the XLSX import of units (administrators)."""

from __future__ import annotations

from django import forms

from cchc.web.uploads import UploadField


class UnitsImportForm(forms.Form):
    """The units workbook, as uploaded: the importer reads it and words every refusal (not an XLSX file, a bad
    row). Without a file the request is malformed (the page's form always sends one)."""

    file = UploadField(required=True)
