"""Units: the list and the XLSX import (administrators)."""

from __future__ import annotations

import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from cchc.web.accounts import policy
from cchc.web.http import require
from cchc.web.org.forms import UnitsImportForm
from cchc.web.org.models import Unit
from cchc.web.org.services import bad_unit_codes, import_units


@login_required
def units(request):
    qs = policy.visible_units(request.user, Unit.objects.select_related("parent"))
    can_manage = policy.can_manage(request.user)
    return render(request, "org/units.html", {"units": qs, "can_manage": can_manage,
                                              "bad_codes": bad_unit_codes() if can_manage else []})


@login_required
def units_import(request):

    require(policy.can_manage(request.user))
    report = None
    if request.method == "POST":
        form = UnitsImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return HttpResponseBadRequest("file missing")
        f = form.cleaned_data["file"]


        try:
            report = import_units(f)
        except (zipfile.BadZipFile, InvalidFileException, KeyError):
            messages.error(request, _("Tệp %(name)s không phải tệp Excel (.xlsx); không có thay đổi nào được ghi.")
                           % {"name": f.name})
        except Exception as exc:  # noqa: BLE001 - an unreadable workbook is a user error
            messages.error(request, _("Không đọc được tệp XLSX: %(e)s") % {"e": exc})
        else:
            if report.errors:
                messages.error(request, _("Không nhập: tệp có lỗi, không có thay đổi nào được ghi."))
            else:
                messages.success(request, _("Đã nhập: %(c)d đơn vị mới, %(u)d cập nhật.")
                                 % {"c": report.created, "u": report.updated})
    return render(request, "org/units_import.html", {"report": report})
