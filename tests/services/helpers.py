"""Helpers for the dossier tests: build small stores from hand-written rows."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from cchc.services.importer import Store, import_file, load_catalogue
from cchc.services.indicators import compute
from cchc.services.schema import COLUMNS

CATALOGUE_ROWS = [
    # code, name, limit, unit, fee, online level, result required, individual subjects
    ("WD5", "5 working days", 5, "working_days", 50000, "full", 1, 1),
    ("WD2", "2 working days", 2, "working_days", 0, "partial", 0, 1),
    ("H8", "8 hours", 8, "hours", 0, "none", 1, 0),
    ("D10", "10 calendar days", 10, "days", 20000, "full", 1, 0),
    ("M1", "1 month", 1, "months", 0, "partial", 1, 1),
]


def write_catalogue(path: Path, rows=CATALOGUE_ROWS) -> Path:  # noqa: ANN001
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["MaTTHC", "TenTTHC", "ThoiHanGiaiQuyet", "DonViTinh", "PhiLePhi", "MucDoDVC", "CoKetQua",
                    "DoiTuongCaNhan"])
        w.writerows(rows)
    return path


def dossier(i: int | str, **kw) -> dict:  # noqa: ANN003
    """A received, in-person dossier of procedure WD5 at unit U1 (parent D1), overridable by keyword."""
    base = {"dossier_id": f"H{i}", "unit_code": "U1", "parent_unit_code": "D1", "procedure_code": "WD5",
            "status": 4, "received_at": "2024-03-04 09:00:00"}
    base.update(kw)
    return base


def write_rows(path: Path, rows: list[dict], headers: list[str] | None = None) -> Path:
    headers = headers or [c.name for c in COLUMNS]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=headers)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return path


def make_store(tmp_path: Path, rows: list[dict], *, catalogue: bool = True, name: str = "store") -> Path:
    store = Store(tmp_path / name)
    cat = load_catalogue(write_catalogue(tmp_path / "cat.csv")) if catalogue else None
    if cat is not None:
        store.save_catalogue(cat)
    res = import_file(write_rows(tmp_path / f"{name}.csv", rows), store, catalogue=cat)
    assert res.rejected == 0, res.problems
    return store.root


def province(store: Path, period: str = "month", **kw) -> dict[str, dict]:  # noqa: ANN003
    """Province-level records by period label."""
    res = compute(store, period=period, levels=("province",), **kw)
    return {r["period"]: r for r in res.records()}


def ind(record: dict, ind_id: str) -> dict:
    return next(i for i in record["indicators"] if i["id"] == ind_id)


def at(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s)
