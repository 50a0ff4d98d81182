"""Read CSV or XLSX into rows with their file row numbers; parse numbers with located errors."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cchc.core.numbers import parse_number


class InputError(ValueError):
    """Bad input: ``problems`` are ``file:row:column: message`` lines, all of them at once."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Row:
    source: str
    number: int  # 1-based row number in the file, header = 1
    values: dict[str, str]

    def where(self, column: str | None = None) -> str:
        return f"{self.source}:{self.number}:{column}" if column else f"{self.source}:{self.number}"


def read_rows(path: str | Path, sheet: str | None = None) -> tuple[list[str], list[Row]]:
    """Header and rows of a CSV (UTF-8, with or without BOM; comma or semicolon) or XLSX file."""
    path = Path(path)
    if not path.exists():
        raise InputError([f"{path}: file not found"])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".csv", ".txt", ""):
        return _read_csv(path)
    raise InputError([f"{path}: unsupported file type {suffix!r} (use .csv or .xlsx)"])


def _read_csv(path: Path) -> tuple[list[str], list[Row]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError([f"{path}: not UTF-8 text (byte {error.start}); save the file as CSV UTF-8"]) from None
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append(Row(str(path), number, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}))
    return header, rows


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several types for damaged files
        raise InputError([f"{path}: cannot read as XLSX ({error})"]) from None
    if sheet is not None and sheet not in wb.sheetnames:
        raise InputError([f"{path}: no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})"])
    ws = wb[sheet] if sheet else wb.worksheets[0]
    it: Iterator = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(it, [])]
    rows = []
    for number, values in enumerate(it, start=2):
        cells = ["" if v is None else (repr(v) if isinstance(v, float) else str(v)).strip() for v in values]
        if not any(cells):
            continue
        rows.append(Row(f"{path}[{ws.title}]", number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}))
    wb.close()
    return header, rows


def optional_number(row: Row, column: str, problems: list[str]) -> float | None:
    """The cell's number (:func:`cchc.core.numbers.parse_number`), ``None`` when empty; a located problem
    when it is not a finite number."""
    text = row.values.get(column, "")
    if not text:
        return None
    try:
        return parse_number(text)
    except ValueError:
        problems.append(f"{row.where(column)}: {text!r} is not a number")
        return None


def optional_int(row: Row, column: str, problems: list[str]) -> int | None:
    value = optional_number(row, column, problems)
    if value is None:
        return None
    if value != int(value):
        problems.append(f"{row.where(column)}: {row.values[column]!r} is not a whole number")
        return None
    return int(value)
