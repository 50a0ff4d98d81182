"""The dossier import's form, read by the page and the API alike: the export, the optional procedure catalogue
and ``replace``. The files are checked by :func:`cchc.web.dossiers.services.submit` (type, size, the catalogue's
content), which words every refusal."""

from __future__ import annotations

from django import forms

from cchc.web.uploads import UploadField


class YesField(forms.Field):
    """True for ``1``, ``true``, ``on`` or ``yes`` (any case: a browser's checked box, an API client's flag),
    False for anything else or nothing."""

    YES = ("1", "true", "on", "yes")

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> bool:  # noqa: ANN001
        return str(value if value is not None else "").lower() in self.YES


class DossierImportForm(forms.Form):
    file = UploadField()
    catalogue = UploadField()
    replace = YesField()
