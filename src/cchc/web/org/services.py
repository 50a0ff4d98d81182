"""Units: the import of the unit register from an XLSX workbook (format: docs/formats/units.md), every write of the
units area."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cchc.web.org.models import LineageKind, Unit, UnitLineage, UnitType

HEADERS = {
    "code": {"code", "mã", "ma", "mã đơn vị"},
    "name": {"name", "tên", "ten", "tên đơn vị"},
    "unit_type": {"type", "unit_type", "loại", "loại đơn vị"},
    "parent": {"parent", "parent_code", "đơn vị cấp trên", "mã cấp trên"},
    "region": {"region", "khu vực"},
    "active_from": {"active_from", "từ năm"},
    "active_to": {"active_to", "đến năm"},
    "email": {"email", "thư điện tử"},
    "predecessors": {"predecessors", "đơn vị tiền thân"},
    "lineage_kind": {"lineage_kind", "hình thức"},
    "lineage_date": {"lineage_date", "ngày hiệu lực"},
}
TYPE_ALIASES = {
    "department": UnitType.DEPARTMENT, "sở": UnitType.DEPARTMENT,
    "board": UnitType.BOARD, "ban": UnitType.BOARD, "ban, ngành": UnitType.BOARD, "ngành": UnitType.BOARD,
    "commune": UnitType.COMMUNE, "xã": UnitType.COMMUNE, "ward": UnitType.WARD, "phường": UnitType.WARD,
    "special-zone": UnitType.SPECIAL_ZONE, "đặc khu": UnitType.SPECIAL_ZONE,
    "province": UnitType.PROVINCE, "tỉnh": UnitType.PROVINCE, "other": UnitType.OTHER, "khác": UnitType.OTHER,
}
KIND_ALIASES = {
    "rename": LineageKind.RENAME, "đổi tên": LineageKind.RENAME, "merge": LineageKind.MERGE,
    "sáp nhập": LineageKind.MERGE, "split": LineageKind.SPLIT, "chia tách": LineageKind.SPLIT,
}


REQUIRED = {"code": ("mã", "code"), "name": ("tên", "name"), "unit_type": ("loại", "type")}
"""Required columns: their Vietnamese and English header names (docs/formats/units.md)."""

CODE_PUNCTUATION = "-_."
"""Besides letters and digits, the only characters of a unit code: others (``/``, ``:``, spaces, ``?``, ``#``…)
break the URLs, spreadsheet sheet titles and file names a unit code ends up in."""


def is_bad_unit_code(code: str) -> bool:
    """True when ``code`` cannot serve as a unit code: a character other than a letter, a digit or one of
    :data:`CODE_PUNCTUATION`, or dots only (``.``, ``..`` are path steps).

    >>> [is_bad_unit_code(c) for c in ("X-01_a.b", "Đ1", "A/B", "A:B", "A B", "..")]
    [False, False, True, True, True, True]
    """
    return (not code or not all(ch.isalnum() or ch in CODE_PUNCTUATION for ch in code)
            or set(code) == {"."})


def bad_unit_codes() -> list[str]:
    """Codes of units already in the register that :func:`is_bad_unit_code` refuses (stored before the import
    checked them), sorted: the units page warns about them."""
    return sorted(c for c in Unit.objects.values_list("code", flat=True) if is_bad_unit_code(c))


def _column_letter(index: int) -> str:

    return get_column_letter(index + 1)


def _norm(value) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def _parse_date(raw) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _norm(raw)
    try:
        return date.fromisoformat(text)
    except ValueError:
        parts = text.split("/")
        if len(parts) != 3:
            raise
        d, m, y = parts
        return date(int(y), int(m), int(d))


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    lineage: int = 0
    errors: list[str] = field(default_factory=list)


def import_units(fileobj: BinaryIO) -> ImportReport:
    """Create or update units (matched by code) from the first sheet; all-or-nothing."""

    report = ImportReport()
    wb = load_workbook(fileobj, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        report.errors.append(_("Tệp trống."))
        return report
    columns: dict[str, int] = {}
    for i, h in enumerate(rows[0]):
        key = _norm(h).lower()
        for name, aliases in HEADERS.items():
            if key in aliases:
                columns[name] = i
    for required, (vi, en) in REQUIRED.items():
        if required not in columns:
            report.errors.append(_("Thiếu cột bắt buộc: “%(vi)s” (hoặc “%(en)s”).") % {"vi": vi, "en": en})
    if report.errors:
        return report

    def where(n, name):
        i = columns.get(name)
        col = _column_letter(i) if i is not None else "?"
        return _("Dòng %(n)s, cột %(col)s (%(head)s)") % {"n": n, "col": col,
                                                       "head": rows[0][i] if i is not None else name}

    def cell(row, name):
        i = columns.get(name)
        return row[i] if i is not None and i < len(row) else None

    parsed = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(v not in (None, "") for v in row):
            continue
        code = _norm(cell(row, "code"))
        name = _norm(cell(row, "name"))
        utype = TYPE_ALIASES.get(_norm(cell(row, "unit_type")).lower())
        if not code:
            report.errors.append(_("%(where)s: thiếu mã đơn vị.") % {"where": where(n, "code")})
            continue
        if is_bad_unit_code(code):
            report.errors.append(
                _("%(where)s: mã đơn vị %(code)r có ký tự không dùng được (chỉ dùng chữ, số, “-”, “_”, “.”).")
                % {"where": where(n, "code"), "code": code})
            continue
        if not name:
            report.errors.append(_("%(where)s: thiếu tên đơn vị.") % {"where": where(n, "name")})
            continue
        if utype is None:
            report.errors.append(
                _("%(where)s: loại đơn vị không hợp lệ: %(value)r (dùng một trong: %(allowed)s).")
                % {"where": where(n, "unit_type"), "value": cell(row, "unit_type"),
                   "allowed": ", ".join(sorted(UnitType.values))})
            continue
        years = {}
        for key in ("active_from", "active_to"):
            v = cell(row, key)
            try:
                years[key] = int(v) if v not in (None, "") else None
            except (TypeError, ValueError):
                report.errors.append(_("%(where)s: năm không hợp lệ: %(value)r.") % {"where": where(n, key), "value": v})
                years[key] = None
        parsed.append((n, code, name, utype, _norm(cell(row, "parent")), years, row))
    codes_in_file = [p[1] for p in parsed]
    dups = {c for c in codes_in_file if codes_in_file.count(c) > 1}
    for c in sorted(dups):
        lines = ", ".join(str(p[0]) for p in parsed if p[1] == c)
        report.errors.append(_("Cột %(col)s: mã %(code)s trùng ở các dòng %(rows)s.")
                             % {"col": _column_letter(columns["code"]), "code": c, "rows": lines})
    known = set(Unit.objects.values_list("code", flat=True)) | set(codes_in_file)
    for n, _code, _name, _t, parent, _y, row in parsed:
        if parent and parent not in known:
            report.errors.append(_("%(where)s: không tìm thấy đơn vị cấp trên %(code)s.")
                                 % {"where": where(n, "parent"), "code": parent})
        try:
            _parse_date(cell(row, "lineage_date"))
        except ValueError:
            report.errors.append(_("%(where)s: ngày không hợp lệ: %(value)r (dùng dd/mm/yyyy hoặc yyyy-mm-dd).")
                                 % {"where": where(n, "lineage_date"), "value": cell(row, "lineage_date")})
        for pred in filter(None, (_norm(x) for x in _norm(cell(row, "predecessors")).split(";"))):
            if pred not in known:
                report.errors.append(_("%(where)s: không tìm thấy đơn vị tiền thân %(code)s.")
                                     % {"where": where(n, "predecessors"), "code": pred})
    if report.errors:
        return report

    with transaction.atomic():
        units = {}
        for _n, code, name, utype, _parent, years, row in parsed:
            unit, created = Unit.objects.update_or_create(
                code=code,
                defaults={
                    "name": name, "unit_type": utype, "region": _norm(cell(row, "region")),
                    "active_from": years["active_from"], "active_to": years["active_to"],
                    "email": _norm(cell(row, "email")),
                },
            )
            units[code] = unit
            report.created += created
            report.updated += not created
        for _n, code, _name, _t, parent, _y, row in parsed:
            if parent:
                unit = units[code]
                unit.parent = units.get(parent) or Unit.objects.get(code=parent)
                unit.save(update_fields=["parent"])
            preds = [p for p in (_norm(x) for x in _norm(cell(row, "predecessors")).split(";")) if p]
            if preds:
                kind = KIND_ALIASES.get(_norm(cell(row, "lineage_kind")).lower(), LineageKind.MERGE)
                when = _parse_date(cell(row, "lineage_date")) or date(
                    (units[code].active_from or date.today().year), 1, 1
                )
                for pred in preds:
                    _link, made = UnitLineage.objects.get_or_create(
                        predecessor=units.get(pred) or Unit.objects.get(code=pred),
                        successor=units[code], defaults={"kind": kind, "date": when},
                    )
                    report.lineage += made
    return report
