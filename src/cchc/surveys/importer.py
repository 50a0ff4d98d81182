"""Import responses: the data-entry workbook, CSV/XLSX with codes as columns, KoBoToolbox and ODK Central exports.

Every row is validated and every problem is reported at once as ``(sheet, row, column, value, reason)``, with
``row`` the row number a person sees in the spreadsheet (header = row 1). The import is atomic: with any problem,
:func:`import_responses` raises :class:`ImportFailed` and nothing is returned, unless ``skip_invalid=True``, in
which case the valid rows are returned and the rejected ones listed with their reasons.

Columns are matched, in this order, by question code, XLSForm name (``xlsform_name``), attribute name, and
question or attribute label (Vietnamese or English, Unicode-normalised, case-insensitive). KoBo/ODK group paths
are stripped (``grp_dv/E1_1``, ``grp_dv-E1_1``). A select_multiple question may arrive as one column of
space-separated codes or as one column per option (``P2/tv``, ``P2.tv``, ``P2-tv``, ``Question label/Option label``).
Answer cells may hold the option code or its label. Export metadata columns (``_id``, ``_uuid``, ``start``,
``SubmissionDate``, ``meta/instanceID`` …) are ignored; repeat groups (extra sheets with ``_parent_index``,
``SET-OF-…`` columns, ``[1]`` indexed columns) are ignored with a warning.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cchc.surveys.model import Attribute, Instrument, ResolvedQuestion, norm_text
from cchc.surveys.responses import MISSING, NOT_APPLICABLE, Responses

_META_NAMES = {
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "simserial",
    "subscriberid",
    "phonenumber",
    "audit",
    "instanceid",
    "meta/instanceid",
    "meta-instanceid",
    "meta/instancename",
    "meta-instancename",
    "key",
    "submissiondate",
    "submitterid",
    "submittername",
    "attachmentspresent",
    "attachmentsexpected",
    "status",
    "reviewstate",
    "edits",
    "formversion",
    "__version__",
    "meta/rootuuid",
    "meta/deprecatedid",
}
_REPEAT_SHEET_MARKERS = {"_parent_index", "_parent_table_name", "_submission__id", "parent_key", "set-of"}


REASONS_VI = {
    "file not found": "không tìm thấy tệp",
    "no sheet with a header row found": "không có trang tính nào có dòng tiêu đề",
    "weight is not a number": "trọng số không phải là số",
    "weight must be a positive number": "trọng số phải là số dương",
    "unknown unit (not in the unit list)": "đơn vị không có trong danh sách đơn vị",
    "missing required answer": "thiếu câu trả lời bắt buộc",
    "expected 1/0 (selected / not selected)": "cần 1/0 (có chọn / không chọn)",
}
"""Vietnamese wording of the import's reasons (the reasons stay English in files and JSON)."""
_REASON_PATTERNS_VI = (
    (re.compile(r"cannot read the workbook: (.*)$"), "không đọc được tệp Excel: {0}"),
    (re.compile(r"unsupported file type (.*) \(use \.csv or \.xlsx\)$"), "loại tệp {0} không được hỗ trợ (dùng .csv hoặc .xlsx)"),
    (re.compile(r"column matches (.*) already given by column (.*)$"), "cột này trùng với {0}, đã có ở cột {1}"),
    (re.compile(r"required column (.*) \((.*)\) is missing$"), "thiếu cột bắt buộc {0} ({1})"),
    (re.compile(r"required question column (.*) is missing$"), "thiếu cột của câu hỏi bắt buộc {0}"),
    (re.compile(r"duplicate respondent id \(first at row (\d+)\)$"), "mã người trả lời bị trùng (lần đầu ở dòng {0})"),
    (re.compile(r"impossible value for (.*) \(allowed: (.*)\)$"), "giá trị không hợp lệ cho {0} (cho phép: {1})"),
    (re.compile(r"answer outside the scale \(allowed: (.*)\)$"), "câu trả lời ngoài thang đo (cho phép: {0})"),
    (re.compile(r"choice\(s\) (.*) not in the options \((.*)\)$"), "lựa chọn {0} không có trong các phương án ({1})"),
    (re.compile(r"(\w+) is required$"), "thiếu {0} (bắt buộc)"),
)


def reason_vi(reason: str) -> str:
    """The Vietnamese wording of an import reason; one nobody worded yet is returned as is."""
    from cchc.core.reasons import translate

    return translate(reason, REASONS_VI, _REASON_PATTERNS_VI)


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    value: str
    reason: str

    @property
    def reason_vi(self) -> str:
        return reason_vi(self.reason)

    def __str__(self) -> str:
        where = f"sheet {self.sheet}" + (f", row {self.row}" if self.row else "")
        where += f", column {self.column}" if self.column else ""
        return f"{where}: {self.reason}" + (f" (value: {self.value!r})" if self.value != "" else "")


class ImportFailed(ValueError):
    """The file could not be imported; ``problems`` lists every problem, ``warnings`` the notes."""

    def __init__(self, problems: list[Problem], warnings: list[str] | None = None):
        self.problems = problems
        self.warnings = warnings or []
        head = f"{len(problems)} problem(s) in the responses"
        super().__init__(head + ":\n" + "\n".join(str(p) for p in problems[:50]))


@dataclass
class RejectedRow:
    sheet: str
    row: int
    values: dict[str, str]
    reasons: list[str]


@dataclass
class ImportResult:
    responses: Responses
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    source_format: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # source header -> what it was matched to

    def summary(self) -> dict[str, Any]:
        return {
            "instrument": self.responses.instrument.id,
            "format": self.source_format,
            "imported": self.responses.n,
            "rejected": len(self.rejected),
            "problems": [asdict(p) for p in self.problems],
            "warnings": self.warnings,
            "columns": self.columns,
        }


# --------------------------------------------------------------------------------------------- reading tables
@dataclass
class Table:
    sheet: str
    header: list[str]
    rows: list[list[str]]
    first_row: int  # spreadsheet row number of rows[0]
    fmt: str
    lists: dict[str, list[str]] = field(default_factory=dict)  # the template's drop-down lists (DanhMuc)


def _cell_text(v: Any) -> str:
    if isinstance(v, str):
        return v.strip() if v.isascii() else unicodedata.normalize("NFC", v).strip()
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
        return repr(v)
    return unicodedata.normalize("NFC", str(v)).strip()


def _read_csv(path: Path) -> list[Table]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1258", "latin-1"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    reader = csv.reader(text.splitlines(), delimiter=delim)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        reader = csv.reader(text.splitlines(), delimiter=delim)
    rows = [[c.strip() for c in r] for r in reader]
    if not rows:
        return [Table(path.name, [], [], 2, "csv")]
    return [Table(path.name, rows[0], rows[1:], 2, "csv")]


def _read_xlsx(path: Path) -> list[Table]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    tables = []
    header_rows = 1
    fmt = "xlsx"
    if "_meta" in wb.sheetnames:
        for row in wb["_meta"].iter_rows(values_only=True):
            if row and row[0] == "header_rows":
                header_rows = int(row[1])
        fmt = "template"
    lists: dict[str, list[str]] = {}
    if fmt == "template" and "DanhMuc" in wb.sheetnames:
        cols = list(zip(*wb["DanhMuc"].iter_rows(values_only=True), strict=False))
        for col in cols:
            if col and col[0]:
                lists[str(col[0])] = [_cell_text(v) for v in col[1:] if v not in (None, "")]
    for ws in wb.worksheets:
        if ws.title in ("_meta", "DanhMuc", "Codebook") and fmt == "template":
            continue
        it = ws.iter_rows(values_only=True)
        try:
            header = [_cell_text(c) for c in next(it)]
        except StopIteration:
            continue
        for _ in range(header_rows - 1):
            next(it, None)
        rows = [[_cell_text(c) for c in r] for r in it]
        tables.append(Table(ws.title, header, rows, header_rows + 1, fmt, lists))
    wb.close()
    return tables


def read_tables(path: str | Path) -> list[Table]:
    p = Path(path)
    if not p.exists():
        raise ImportFailed([Problem(p.name, 0, "", "", "file not found")])
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            return _read_xlsx(p)
        except Exception as exc:  # openpyxl raises many kinds
            raise ImportFailed([Problem(p.name, 0, "", "", f"cannot read the workbook: {exc}")]) from None
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(p)
    if suffix == ".parquet":
        df = pd.read_parquet(p)
        rows = [[_cell_text(v) for v in rec] for rec in df.itertuples(index=False, name=None)]
        return [Table(p.name, [str(c) for c in df.columns], rows, 2, "parquet")]
    raise ImportFailed([Problem(p.name, 0, "", "", f"unsupported file type {suffix!r} (use .csv or .xlsx)")])


# --------------------------------------------------------------------------------------------- column mapping
@dataclass
class _Col:
    kind: str  # "attr" | "single" | "multi" | "option"
    key: str  # attribute name or question code
    option: int = -1  # option position for kind == "option"


def _is_meta(header: str) -> bool:
    h = header.strip().casefold()
    return h.startswith("_") or h in _META_NAMES or h.startswith("meta/") or h.startswith("meta-")


class _Matcher:
    def __init__(self, inst: Instrument):
        self.inst = inst
        self.by_name: dict[str, tuple[str, str]] = {}
        self.by_label: dict[str, tuple[str, str]] = {}
        for att in inst.attributes:
            for k in (att.name, att.xlsform_name):
                if k:
                    self.by_name.setdefault(k.casefold(), ("attr", att.name))
            for k in (att.vi, att.en):
                if k:
                    self.by_label.setdefault(norm_text(k), ("attr", att.name))
        for rq in inst.resolved():
            kind = "multi" if rq.scale.type == "multiple" else "single"
            for k in (rq.code, rq.q.xlsform_name):
                if k:
                    self.by_name.setdefault(k.casefold(), (kind, rq.code))
            for k in (rq.q.vi, rq.q.en):
                if k:
                    self.by_label.setdefault(norm_text(k), (kind, rq.code))

    def _lookup(self, text: str) -> tuple[str, str] | None:
        t = text.strip()
        if not t:
            return None
        hit = self.by_name.get(t.casefold())
        if hit:
            return hit
        return self.by_label.get(norm_text(t))

    def match(self, header: str) -> _Col | None:
        h = header.strip()
        candidates = [h]
        if "/" in h:
            candidates.append(h.rsplit("/", 1)[1])
        if "-" in h:
            candidates.append(h.rsplit("-", 1)[1])
        for c in candidates:
            hit = self._lookup(c)
            if hit:
                return _Col(hit[0], hit[1])
        # one column per option of a select_multiple question
        for sep in ("/", ".", "-", ":"):
            if sep not in h:
                continue
            left, right = h.rsplit(sep, 1)
            for lc in {left, left.rsplit("/", 1)[-1], left.rsplit("-", 1)[-1]}:
                hit = self._lookup(lc)
                if hit and hit[0] == "multi":
                    rq = self.inst.question(hit[1])
                    pos = _option_position(rq, right, allow_na=False)
                    if pos >= 0:
                        return _Col("option", hit[1], pos)
        return None


_KEYS_CACHE: dict[int, tuple[ResolvedQuestion, dict[str, int]]] = {}


def _option_keys(rq: ResolvedQuestion) -> dict[str, int]:
    hit = _KEYS_CACHE.get(id(rq.scale))
    if hit is not None and hit[0].scale is rq.scale:
        return hit[1]
    keys = _build_option_keys(rq)
    _KEYS_CACHE[id(rq.scale)] = (rq, keys)
    return keys


def _build_option_keys(rq: ResolvedQuestion) -> dict[str, int]:
    keys: dict[str, int] = {}
    for i, o in enumerate(rq.scale.options):
        keys.setdefault(str(o.value).casefold(), i)
    for i, o in enumerate(rq.scale.options):
        for lab in (o.vi, o.en):
            if lab:
                keys.setdefault(norm_text(lab), i)
    return keys


def _na_keys(rq: ResolvedQuestion) -> set[str]:
    out = set()
    for o in rq.scale.not_applicable:
        out.add(str(o.value).casefold())
        for lab in (o.vi, o.en):
            if lab:
                out.add(norm_text(lab))
    return out


def _option_position(rq: ResolvedQuestion, text: str, allow_na: bool = True) -> int:
    t = text.strip()
    keys = _option_keys(rq)
    pos = keys.get(t.casefold(), keys.get(norm_text(t)))
    if pos is not None:
        return pos
    if allow_na and (t.casefold() in _na_keys(rq) or norm_text(t) in _na_keys(rq)):
        return NOT_APPLICABLE
    return -99


_TRUE = {"1", "true", "yes", "có", "x", "đúng"}
_FALSE = {"0", "false", "no", "không", ""}


# --------------------------------------------------------------------------------------------- import
def _allowed_text(rq: ResolvedQuestion) -> str:
    vals = [str(o.value) for o in rq.scale.options] + [str(o.value) for o in rq.scale.not_applicable]
    return ", ".join(vals)


def import_responses(
    path: str | Path,
    inst: Instrument,
    *,
    units: Sequence[str] | None = None,
    skip_invalid: bool = False,
) -> ImportResult:
    """Read and validate a responses file against ``inst``.

    ``units`` (optional) is the list of known unit names; when given, a unit not in it (after Unicode and
    prefix-tolerant matching) is a problem, and the unit is stored under its canonical name. A data-entry
    workbook made with a unit list (``survey template --units``) carries that list, used when ``units`` is not
    given.
    """
    tables = read_tables(path)
    warnings: list[str] = []
    main: Table | None = None
    for t in tables:
        lowered = {h.strip().casefold() for h in t.header}
        if main is None and not (lowered & _REPEAT_SHEET_MARKERS) and any(h for h in t.header):
            main = t
        elif main is not None:
            if lowered & _REPEAT_SHEET_MARKERS:
                warnings.append(f"sheet {t.sheet!r} looks like a repeat group: ignored")
            else:
                warnings.append(f"sheet {t.sheet!r} ignored (only the first data sheet is read)")
    if main is None:
        raise ImportFailed(
            [Problem(Path(path).name, 1, "", "", "no sheet with a header row found")], warnings
        )
    unit_att = inst.attribute("unit")
    if units is None and unit_att is not None and main.lists.get(unit_att.name) and not unit_att.values:
        units = main.lists[unit_att.name]
    return import_table(main, inst, units=units, skip_invalid=skip_invalid, warnings=warnings)


def import_table(
    table: Table,
    inst: Instrument,
    *,
    units: Sequence[str] | None = None,
    skip_invalid: bool = False,
    warnings: list[str] | None = None,
) -> ImportResult:
    from cchc.core.names import normalize_unit_name

    warnings = list(warnings or [])
    problems: list[Problem] = []
    sheet = table.sheet
    matcher = _Matcher(inst)
    mapped: list[tuple[int, _Col]] = []
    columns: dict[str, str] = {}
    seen_keys: dict[tuple[str, str, int], str] = {}
    ignored: list[str] = []
    repeat_cols: list[str] = []
    for ci, h in enumerate(table.header):
        if not h:
            continue
        if h.upper().startswith("SET-OF-") or re.search(r"\[\d+\]", h):
            repeat_cols.append(h)
            continue
        col = matcher.match(h)
        if col is None:
            if not _is_meta(h):
                ignored.append(h)
            continue
        k = (col.kind if col.kind != "option" else "option", col.key, col.option)
        if k in seen_keys:
            problems.append(
                Problem(
                    sheet, 1, h, h, f"column matches {col.key!r} already given by column {seen_keys[k]!r}"
                )
            )
            continue
        seen_keys[k] = h
        mapped.append((ci, col))
        columns[h] = (
            col.key
            if col.kind != "option"
            else f"{col.key}={inst.question(col.key).scale.options[col.option].value}"
        )
    if repeat_cols:
        warnings.append(
            f"repeat-group columns ignored: {', '.join(repeat_cols[:10])}"
            + (" …" if len(repeat_cols) > 10 else "")
        )
    if ignored:
        warnings.append(
            f"columns not in the instrument, ignored: {', '.join(ignored[:20])}"
            + (" …" if len(ignored) > 20 else "")
        )

    present_attrs = {c.key for _, c in mapped if c.kind == "attr"}
    present_q = {c.key for _, c in mapped if c.kind in ("single", "multi", "option")}
    for att in inst.attributes:
        if att.required and att.name not in present_attrs:
            problems.append(
                Problem(sheet, 1, att.name, "", f"required column {att.name!r} ({att.vi}) is missing")
            )
    for rq in inst.resolved():
        if rq.q.required and rq.code not in present_q:
            problems.append(
                Problem(sheet, 1, rq.code, "", f"required question column {rq.code!r} is missing")
            )
    if problems:
        raise ImportFailed(problems, warnings)

    # drop blank rows (the template has empty, pre-validated rows)
    ncols = len(table.header)
    data_rows: list[tuple[int, list[str]]] = []
    for i, r in enumerate(table.rows):
        if any(r):
            data_rows.append(
                (table.first_row + i, (r + [""] * (ncols - len(r)))[:ncols] if len(r) != ncols else r)
            )
    grid = np.empty((len(data_rows), ncols), dtype=object)
    for i, (_, r) in enumerate(data_rows):
        grid[i] = r
    n = len(data_rows)
    rownums = np.array([rn for rn, _ in data_rows], dtype=np.int64)
    bad = np.zeros(n, dtype=bool)
    reasons: dict[int, list[str]] = {}

    def flag(i: int, column: str, value: str, reason: str) -> None:
        problems.append(Problem(sheet, int(rownums[i]), column, value, reason))
        bad[i] = True
        reasons.setdefault(i, []).append(f"{column}: {reason}" + (f" ({value!r})" if value else ""))

    header = table.header
    col_of: dict[str, int] = {c.key: ci for ci, c in mapped if c.kind in ("attr", "single", "multi")}

    # attributes
    attrs: dict[str, np.ndarray] = {}
    ids = np.array([f"r{rn}" for rn in rownums], dtype=object)
    weight: np.ndarray | None = None
    unit_lookup: dict[str, str] | None = None
    if units:
        unit_lookup = {normalize_unit_name(u): u for u in units}
    for att in inst.attributes:
        ci = col_of.get(att.name)
        if ci is None:
            if att.role not in ("id", "weight"):
                attrs[att.name] = np.full(n, "", dtype=object)
            continue
        hname = header[ci]
        vals = [r[ci] for _, r in data_rows]
        if att.role == "weight":
            w = np.ones(n)
            any_w = False
            for i, v in enumerate(vals):
                if v == "":
                    continue
                try:
                    x = float(v.replace(",", ".")) if v.count(",") == 1 and "." not in v else float(v)
                except ValueError:
                    flag(i, hname, v, "weight is not a number")
                    continue
                if not math.isfinite(x) or x <= 0:
                    flag(i, hname, v, "weight must be a positive number")
                    continue
                w[i] = x
                any_w = True
            weight = w if any_w else None
            continue
        if att.role == "id":
            first: dict[str, int] = {}
            for i, v in enumerate(vals):
                if v == "":
                    continue
                if v in first:
                    flag(i, hname, v, f"duplicate respondent id (first at row {rownums[first[v]]})")
                else:
                    first[v] = i
                    ids[i] = v
            continue
        out = np.empty(n, dtype=object)
        allowed = _attribute_lookup(att)
        unit_cache: dict[str, str | None] = {}
        for i, v in enumerate(vals):
            if v == "":
                out[i] = ""
                if att.required:
                    flag(i, hname, v, f"{att.name} is required")
                continue
            if att.role == "unit" and unit_lookup is not None:
                if v not in unit_cache:
                    # XLSForm choice names carry "_" for spaces (see template.write_xlsform)
                    unit_cache[v] = unit_lookup.get(normalize_unit_name(v)) or unit_lookup.get(
                        normalize_unit_name(v.replace("_", " "))
                    )
                canon = unit_cache[v]
                if canon is None:
                    flag(i, hname, v, "unknown unit (not in the unit list)")
                    out[i] = v
                else:
                    out[i] = canon
                continue
            if allowed is not None:
                canon = allowed.get(v)
                if canon is None:
                    canon = allowed.get(v.casefold(), allowed.get(norm_text(v)))
                if canon is None:
                    flag(
                        i,
                        hname,
                        v,
                        f"impossible value for {att.name} (allowed: {', '.join(att.values or [])})",
                    )
                    out[i] = v
                else:
                    out[i] = canon
                continue
            out[i] = v
        attrs[att.name] = out

    # questions
    resolved = inst.resolved()
    single = [rq for rq in resolved if rq.scale.type != "multiple"]
    codes = np.full((n, len(single)), MISSING, dtype=np.int8)
    for j, rq in enumerate(single):
        ci = col_of.get(rq.code)
        if ci is None:
            continue
        hname = header[ci]
        lookup = dict(_option_keys(rq))
        for k in _na_keys(rq):
            lookup.setdefault(k, NOT_APPLICABLE)
        fcodes, uniq = pd.factorize(grid[:, ci])
        lut = np.array(
            [MISSING if u == "" else lookup.get(u.casefold(), lookup.get(norm_text(u), -99)) for u in uniq]
            + [MISSING],
            dtype=np.int16,
        )
        pos = lut[fcodes]
        if rq.q.required:
            for i in np.flatnonzero(pos == MISSING):
                flag(int(i), hname, "", "missing required answer")
        bad_pos = pos == -99
        if bad_pos.any():
            allowed_text = _allowed_text(rq)
            for i in np.flatnonzero(bad_pos):
                flag(int(i), hname, grid[i, ci], f"answer outside the scale (allowed: {allowed_text})")
        codes[:, j] = np.where(bad_pos, MISSING, pos).astype(np.int8)

    multi: dict[str, np.ndarray] = {}
    multi_missing: dict[str, np.ndarray] = {}
    option_cols: dict[str, list[tuple[int, int]]] = {}
    for ci, c in mapped:
        if c.kind == "option":
            option_cols.setdefault(c.key, []).append((ci, c.option))
    for rq in resolved:
        if rq.scale.type != "multiple":
            continue
        k = len(rq.scale.options)
        mat = np.zeros((n, k), dtype=bool)
        miss = np.ones(n, dtype=bool)
        ci = col_of.get(rq.code)
        if ci is not None:
            hname = header[ci]
            parsed: dict[str, tuple[list[int], list[str]]] = {}
            for i, (_, r) in enumerate(data_rows):
                v = r[ci]
                if v == "":
                    continue
                if v not in parsed:
                    parsed[v] = _parse_multi(rq, v)
                positions, bad_tokens = parsed[v]
                if bad_tokens:
                    flag(
                        i,
                        hname,
                        v,
                        f"choice(s) {', '.join(bad_tokens)} not in the options ({_allowed_text(rq)})",
                    )
                    continue
                miss[i] = False
                mat[i, positions] = True
        elif rq.code in option_cols:
            for cj, pos in option_cols[rq.code]:
                hname = header[cj]
                for i, (_, r) in enumerate(data_rows):
                    v = r[cj].casefold()
                    if v == "":
                        continue
                    if (
                        v in _TRUE
                        or v == norm_text(rq.scale.options[pos].vi)
                        or v == str(rq.scale.options[pos].value).casefold()
                    ):
                        mat[i, pos] = True
                        miss[i] = False
                    elif v in _FALSE:
                        miss[i] = False
                    else:
                        flag(i, hname, r[cj], "expected 1/0 (selected / not selected)")
        if rq.q.required:
            for i in np.flatnonzero(miss & ~bad):
                flag(int(i), rq.code, "", "missing required answer")
        multi[rq.code] = mat
        multi_missing[rq.code] = miss

    responses = Responses(
        instrument=inst,
        ids=ids,
        attrs=attrs,
        codes=codes,
        single_codes=[rq.code for rq in single],
        multi=multi,
        multi_missing=multi_missing,
        weight=weight,
        source_rows=rownums,
    )
    fmt = table.fmt
    if fmt in ("csv", "xlsx") and any(h.startswith("_") or "/" in h for h in header):
        fmt = f"{fmt} (KoBoToolbox/ODK export)"
    rejected = [
        RejectedRow(sheet, int(rownums[i]), dict(zip(header, data_rows[i][1], strict=False)), reasons[i])
        for i in sorted(reasons)
    ]
    order = {h: k for k, h in enumerate(header)}
    problems.sort(key=lambda pr: (pr.row, order.get(pr.column, len(order))))
    if problems and not skip_invalid:
        raise ImportFailed(problems, warnings)
    if problems:
        responses = responses.subset(~bad)
    return ImportResult(responses, problems, warnings, rejected, fmt, columns)


def _attribute_lookup(att: Attribute) -> dict[str, str] | None:
    if att.values is None:
        return None
    out: dict[str, str] = {}
    for v in att.values:
        out[v] = v
        out[v.casefold()] = v
        out[norm_text(v)] = v
    for v, lab in att.labels_vi.items():
        out[norm_text(lab)] = v
    return out


def _loose(text: str) -> str:
    return norm_text(re.sub(r"[;,]", " ", text))


def _parse_multi(rq: ResolvedQuestion, text: str) -> tuple[list[int], list[str]]:
    """Positions of the chosen options in a select_multiple cell: codes or labels, separated by spaces (KoBo
    and ODK), ``;`` or ``,``. Labels that contain spaces or commas are found by segmenting the words into
    known labels. Returns (positions, unmatched pieces)."""
    keys = _option_keys(rq)

    loose = {_loose(k): v for k, v in keys.items()}

    def look(t: str) -> int | None:
        hit = keys.get(t.casefold(), keys.get(norm_text(t)))
        return hit if hit is not None else loose.get(_loose(t))

    whole = look(text)
    if whole is not None:
        return [whole], []
    if re.search(r"[;,]", text):
        pieces = [t for t in re.split(r"\s*[;,]\s*", text) if t]
        found = [look(t) for t in pieces]
        if all(f is not None for f in found):
            return [f for f in found if f is not None], []
    words = re.sub(r"\s*[;,]\s*", " ", text).split()
    # segment the words into options (codes or multi-word labels), fewest pieces first
    n = len(words)
    best: list[list[int] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(end - 1, -1, -1):
            prev = best[start]
            if prev is None:
                continue
            pos = look(" ".join(words[start:end]))
            if pos is not None and (best[end] is None or len(prev) + 1 < len(best[end])):  # type: ignore[arg-type]
                best[end] = prev + [pos]
    if best[n] is not None:
        return best[n], []  # type: ignore[return-value]
    return [p for p in (look(w) for w in words) if p is not None], [w for w in words if look(w) is None]


# --------------------------------------------------------------------------------------------- writing
def write_rejected(rejected: Iterable[RejectedRow], out: str | Path) -> Path:
    """Write rejected rows, with their reasons, to CSV (UTF-8 with BOM, opens in Excel)."""
    rows = list(rejected)
    headers: list[str] = ["sheet", "row", "reasons"]
    for r in rows:
        for k in r.values:
            if k not in headers:
                headers.append(k)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for r in rows:
            w.writerow([r.sheet, r.row, "; ".join(r.reasons)] + [r.values.get(h, "") for h in headers[3:]])
    return out


def write_responses(responses: Responses, out: str | Path) -> Path:
    """Write normalised responses (codes as columns) atomically: to a temporary file, then renamed."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    df = responses.to_frame()
    if out.suffix.lower() == ".parquet":
        df.to_parquet(tmp, index=False)
    elif out.suffix.lower() == ".xlsx":
        df.to_excel(tmp, index=False, engine="openpyxl")
    else:
        df.to_csv(tmp, index=False, encoding="utf-8")
    tmp.replace(out)
    return out
