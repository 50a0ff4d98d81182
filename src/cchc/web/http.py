"""What every area's views share: the htmx test, the permission gate and the XLSX response."""

from __future__ import annotations

import io

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def require(allowed: bool) -> None:
    """Refuse the request (403) unless the policy allowed it."""
    if not allowed:
        raise PermissionDenied


def xlsx_response(content, filename: str) -> HttpResponse:
    """A workbook as a download: an openpyxl ``Workbook`` or the bytes of one."""
    if not isinstance(content, bytes):
        buf = io.BytesIO()
        content.save(buf)
        content = buf.getvalue()
    resp = HttpResponse(content, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
