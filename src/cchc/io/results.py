"""Result table files (CSV or XLSX): one row per unit and year.

Columns: ``year``, ``unit`` (required); ``code``, ``region``, ``unit_type``, ``index``, ``rank``, ``of``,
``band``, ``points``; field columns ``<field code>.index``, ``<field code>.rank``, ``<field code>.points``.
Other columns (``source``, ``note`` …) are kept out of the computation. ``cchc score --csv`` writes this
format, so computed and published results are read the same way.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

from cchc.core.results import FieldResult, ResultRow, ResultSet
from cchc.io.reference import region_of
from cchc.io.tables import InputError, optional_int, optional_number, read_rows

FIELD_COLUMN = re.compile(r"^(?P<code>[^.\s]+(?:\.[^.\s]+)*)\.(?P<what>index|rank|points)$")
# ``field_2`` (index of field 2), ``field_2_rank``, ``field_2_points``: the long form published tables use
FIELD_UNDERSCORE = re.compile(r"^field_(?P<code>[0-9A-Za-z.]+?)(?:_(?P<what>index|rank|points))?$")
BASE = ("year", "unit", "code", "region", "unit_type", "index", "rank", "of", "band", "points", "sipas")
ALIASES = {"unit_code": "code", "ma_don_vi": "code", "don_vi": "unit", "nam": "year", "chi_so": "index", "xep_hang": "rank"}


def read_results(paths: Sequence[str | Path], precision: int = 2, fill_regions: bool = True) -> ResultSet:
    rows: list[ResultRow] = []
    problems: list[str] = []
    seen: dict[tuple[int, str], str] = {}
    for path in paths:
        header, data = read_rows(path)
        header, data = _apply_aliases(header, data)
        missing = [c for c in ("year", "unit") if c not in header]
        if missing:
            raise InputError([f"{path}:1: missing column(s) {', '.join(missing)}"])
        field_cols = {}
        for h in header:
            if h in BASE:
                continue
            match = FIELD_COLUMN.match(h) or FIELD_UNDERSCORE.match(h)
            if match:
                field_cols[h] = (match["code"], match["what"] or "index")
        for row in data:
            year = optional_int(row, "year", problems)
            unit = row.values.get("unit", "")
            if year is None or not unit:
                if year is None and not row.values.get("year"):
                    problems.append(f"{row.where('year')}: empty year")
                if not unit:
                    problems.append(f"{row.where('unit')}: empty unit")
                continue
            from cchc.core.names import normalize_unit_name

            key = (year, normalize_unit_name(row.values.get("code") or unit))
            if key in seen:
                problems.append(f"{row.where('unit')}: {unit} {year} already given at {seen[key]}")
                continue
            seen[key] = row.where()
            index = optional_number(row, "index", problems)
            if index is not None and not 0 <= index <= 100:
                problems.append(f"{row.where('index')}: {index:g} is outside 0…100")
            rank = optional_int(row, "rank", problems)
            if rank is not None and rank < 1:
                problems.append(f"{row.where('rank')}: rank must be 1 or more")
            fields: dict[str, dict] = {}
            for column, (code, what) in field_cols.items():
                value = optional_int(row, column, problems) if what == "rank" else optional_number(row, column, problems)
                if value is not None:
                    fields.setdefault(code, {})[what] = value
            region = row.values.get("region") or (region_of(unit) if fill_regions else None)
            rows.append(
                ResultRow(
                    unit=unit,
                    code=row.values.get("code") or None,
                    year=year,
                    index=index,
                    rank=rank,
                    of=optional_int(row, "of", problems),
                    region=region,
                    unit_type=row.values.get("unit_type") or None,
                    band=row.values.get("band") or None,
                    points=optional_number(row, "points", problems),
                    sipas=optional_number(row, "sipas", problems),
                    fields={c: FieldResult(**v) for c, v in fields.items()},
                )
            )
    if problems:
        raise InputError(problems)
    return ResultSet(rows, precision)


def _apply_aliases(header: list[str], rows: list) -> tuple[list[str], list]:
    from cchc.io.tables import Row

    rename = {h: ALIASES[h] for h in header if h in ALIASES and ALIASES[h] not in header}
    if not rename:
        return header, rows
    new_header = [rename.get(h, h) for h in header]
    new_rows = [Row(r.source, r.number, {rename.get(k, k): v for k, v in r.values.items()}) for r in rows]
    return new_header, new_rows


def write_results_csv(rows: Sequence[ResultRow], path: str | Path, precision: int = 2) -> None:
    codes = sorted({c for r in rows for c in r.fields}, key=lambda c: [int(p) if p.isdigit() else p for p in c.split(".")])
    header = list(BASE) + [f"{c}.{w}" for c in codes for w in ("points", "index", "rank")]
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for r in rows:
            base = [r.year, r.unit, r.code or "", r.region or "", r.unit_type or "", _num(r.index, precision),
                    r.rank or "", r.of or "", r.band or "", _num(r.points, precision), _num(r.sipas, precision)]
            extra = []
            for c in codes:
                f = r.fields.get(c, FieldResult())
                extra += [_num(f.points, precision), _num(f.index, precision), f.rank or ""]
            writer.writerow(base + extra)


def _num(value: float | None, precision: int) -> str:
    from cchc.core.numbers import round_half_up

    return "" if value is None else f"{round_half_up(value, precision):.{precision}f}"
