"""Import dossier records (CSV, Parquet, JSON Lines) into a Parquet store, validating every row.

Store layout (a directory)::

    STORE/dossiers/year=YYYY/month=M/part-<hash>_<i>.parquet   accepted rows, partitioned by reception month
    STORE/catalogue.parquet                                      the procedure catalogue last imported
    STORE/manifest.json                                          one entry per imported file (content hash)
    STORE/rejected/<hash>-<name>.csv                             rejected rows with their reasons

Re-importing a file whose content (SHA-256) is already in the manifest changes nothing. A dossier id that is
already in the store is rejected as a duplicate, or, with ``replace=True``, replaces the stored record (a later
export carrying the dossier's new status).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from cchc.services.calendar import WorkingCalendar
from cchc.services.rules import derive_due, derive_rules
from cchc.services.schema import (
    CATALOGUE_COLUMNS,
    COLUMN_BY_NAME,
    COLUMNS,
    Column,
    canonical_name,
    catalogue_name,
    normalise_time_unit,
)

TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f",
    "%d-%m-%Y %H:%M:%S", "%d-%m-%Y",
]
"""Accepted date-time formats (ISO and the Vietnamese day/month/year), naive local time. ISO date-times with a
zone (``2024-03-15T01:30:00Z``, ``…+07:00``) are also accepted and converted to local time."""
LOCAL_TZ = "Asia/Ho_Chi_Minh"

TRUE_WORDS = ("1", "true", "t", "yes", "y", "x", "có", "co", "c")
FALSE_WORDS = ("0", "false", "f", "no", "n", "không", "khong", "k")
LEVEL_WORDS = {
    "full": "full", "toàn trình": "full", "toan trinh": "full", "toantrinh": "full",
    "partial": "partial", "một phần": "partial", "mot phan": "partial", "motphan": "partial",
    "none": "none", "không": "none", "khong": "none",
}
LINK_HEADERS = {"duongdanteptinketqua"}


class ImportError_(ValueError):
    """The file cannot be imported at all (unreadable, unknown format, missing required columns). ``str()`` is
    the English message; ``vi`` the Vietnamese one (the same when none was given)."""

    def __init__(self, message: str, vi: str | None = None):
        super().__init__(message)
        self.vi = vi or message


REASONS_VI = {
    "unparseable date": "ngày giờ không đọc được",
    "not a number": "không phải là số",
    "not an integer": "không phải là số nguyên",
    "not a yes/no flag": "không phải giá trị có/không",
    "invalid value": "giá trị không hợp lệ",
    "missing value": "thiếu giá trị",
    "unknown level (full / partial / none)": "mức độ không xác định (full / partial / none: toàn trình / một phần / không)",
    "unknown procedure code (not in the catalogue)": "mã thủ tục không có trong danh mục thủ tục",
    "unknown unit code (not a unit of the province)": "mã đơn vị không phải đơn vị của tỉnh",
    "dossier id already in the store (imported from another file)": "mã hồ sơ đã có trong kho (đã nhập từ tệp khác)",
    "finished before received": "ngày kết thúc xử lý trước ngày tiếp nhận",
    "returned before received": "ngày trả kết quả trước ngày tiếp nhận",
    "completed status without finished_at or returned_at":
        "trạng thái đã hoàn thành nhưng thiếu cả ngày kết thúc xử lý và ngày trả kết quả",
    "neither received_at nor submitted_at": "thiếu cả ngày tiếp nhận và ngày nộp hồ sơ",
    "supplement completed before requested": "ngày bổ sung xong trước ngày yêu cầu bổ sung",
    "negative supplement count or time": "số lần hoặc thời gian bổ sung âm",
}
"""Vietnamese wording of every per-row reason the import gives (the reasons themselves stay English in the
rejected-rows file and the JSON, as stable machine-readable text)."""
_REASON_PATTERNS_VI = (
    (re.compile(r"unknown code \(allowed: (.*)\)$"), "mã không hợp lệ (cho phép: {0})"),
    (re.compile(r"duplicate dossier id in the file \(first at row (\d+)\)$"), "mã hồ sơ trùng trong tệp (lần đầu ở dòng {0})"),
)


def reason_vi(reason: str) -> str:
    """The Vietnamese wording of an import reason (:data:`REASONS_VI`); an unknown reason is returned as is."""
    from cchc.core.reasons import translate

    return translate(reason, REASONS_VI, _REASON_PATTERNS_VI)


@dataclass
class Problem:
    file: str
    row: int
    column: str
    value: str | None
    reason: str

    @property
    def reason_vi(self) -> str:
        return reason_vi(self.reason)


@dataclass
class ImportResult:
    file: str
    content_hash: str
    accepted: int = 0
    rejected: int = 0
    skipped: bool = False
    replaced: int = 0
    rejected_path: str | None = None
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["problems"] = [asdict(p) | {"reason_vi": p.reason_vi} for p in self.problems]
        return d


def file_hash(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fmt(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        return "csv"
    if name.endswith(".parquet") or name.endswith(".pq"):
        return "parquet"
    if name.endswith(".jsonl") or name.endswith(".ndjson") or name.endswith(".json"):
        return "jsonl"
    raise ImportError_(f"{path}: unknown format (expected .csv, .parquet or .jsonl)",
                       f"{path}: định dạng không nhận (cần .csv, .parquet hoặc .jsonl)")


def read_raw(path: str | Path) -> pa.Table:
    """Read a file as an Arrow table of strings, in file order."""
    import pyarrow.csv as pcsv
    import pyarrow.json as pjson
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise ImportError_(f"{path}: no such file", f"{path}: không có tệp này")
    kind = _fmt(path)
    try:
        if kind == "csv":
            with open(path, "rb") as f:
                header = f.readline().decode("utf-8-sig").rstrip("\r\n")
            names = next(iter(__import__("csv").reader([header])))
            table = pcsv.read_csv(
                path,
                read_options=pcsv.ReadOptions(encoding="utf-8"),
                convert_options=pcsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=False
                ),
            )
            table = table.rename_columns([n.lstrip("\ufeff") for n in table.column_names])
        elif kind == "parquet":
            table = pq.read_table(path)
        else:
            table = pjson.read_json(path)
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError) as exc:
        raise ImportError_(f"{path}: cannot read {kind}: {exc}", f"{path}: không đọc được tệp {kind}: {exc}") from exc
    cols = []
    for name in table.column_names:
        col = table[name]
        if pa.types.is_timestamp(col.type):
            col = pc.strftime(col, format="%Y-%m-%d %H:%M:%S")
        elif pa.types.is_boolean(col.type):
            col = pc.if_else(col, "1", "0")
        elif not pa.types.is_string(col.type):
            col = col.cast(pa.string())
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _parse_expr(col: Column, src: str, header: str) -> tuple[str, str | None]:
    """(parsed SQL expression, SQL condition that the raw value is invalid) for one column."""
    raw = f"NULLIF(TRIM({src}), '')"
    if col.kind == "str":
        return raw, None
    if col.kind == "timestamp":
        fmts = "[" + ", ".join(_sql_str(f) for f in TIMESTAMP_FORMATS) + "]"
        # ISO times with a zone (Z, +07:00) are converted to local time (Asia/Ho_Chi_Minh)
        zoned = f"regexp_matches({raw}, '[0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}}([.][0-9]+)?)?(Z|[+-][0-9]{{2}}:?[0-9]{{2}})$')"
        parsed = (f"(CASE WHEN {zoned} THEN CAST(timezone('{LOCAL_TZ}', TRY_CAST({raw} AS TIMESTAMPTZ)) AS TIMESTAMP) "
                  f"ELSE try_strptime({raw}, {fmts}) END)")
        return parsed, f"({raw} IS NOT NULL AND {parsed} IS NULL)"
    if col.kind == "float":
        parsed = f"TRY_CAST(REPLACE({raw}, ',', '.') AS DOUBLE)"
        return parsed, f"({raw} IS NOT NULL AND {parsed} IS NULL)"
    if col.kind == "int":
        num = f"TRY_CAST({raw} AS DOUBLE)"
        bad = f"({raw} IS NOT NULL AND ({num} IS NULL OR {num} <> ROUND({num})))"
        parsed = f"CAST({num} AS BIGINT)"
        return parsed, bad
    if col.kind == "bool":
        low = f"LOWER({raw})"
        if header.replace("_", "").lower() in LINK_HEADERS:
            return f"({raw} IS NOT NULL)", None
        t = ", ".join(_sql_str(w) for w in TRUE_WORDS)
        f = ", ".join(_sql_str(w) for w in FALSE_WORDS)
        parsed = f"(CASE WHEN {low} IN ({t}) THEN TRUE WHEN {low} IN ({f}) THEN FALSE END)"
        return parsed, f"({raw} IS NOT NULL AND {parsed} IS NULL)"
    raise AssertionError(col.kind)


def _reason(kind: str) -> str:
    return {"timestamp": "unparseable date", "float": "not a number", "int": "not an integer",
            "bool": "not a yes/no flag"}.get(kind, "invalid value")


def _map_headers(names: Iterable[str], resolver: Callable[[str], str | None]) -> tuple[dict[str, str], list[str]]:
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for h in names:
        if h.startswith("_"):
            continue
        c = resolver(h)
        if c is None or c in mapping.values():
            ignored.append(h)
        else:
            mapping[h] = c
    return mapping, ignored


# --------------------------------------------------------------------------------------------------------------
# catalogue


def load_catalogue(path: str | Path) -> pa.Table:
    """Read a procedure catalogue (CSV / Parquet / JSONL, canonical or Vietnamese headers) to a typed table.

    Raises :class:`ImportError_` listing every invalid row (a catalogue is small and must be right).
    """
    raw = read_raw(path)
    mapping, _ = _map_headers(raw.column_names, catalogue_name)
    if "procedure_code" not in mapping.values():
        raise ImportError_(f"{path}: the catalogue needs a procedure_code column (MaTTHC)",
                           f"{path}: danh mục TTHC cần cột procedure_code (MaTTHC)")
    out: dict[str, list] = {c.name: [] for c in CATALOGUE_COLUMNS}
    inv = {v: k for k, v in mapping.items()}
    rows = raw.to_pylist()
    problems: list[str] = []
    seen: set[str] = set()
    for i, r in enumerate(rows, start=1):
        vals = {c.name: (r.get(inv[c.name]) if c.name in inv else None) for c in CATALOGUE_COLUMNS}
        vals = {k: (v.strip() if isinstance(v, str) and v.strip() else None) for k, v in vals.items()}
        code = vals["procedure_code"]
        if code is None:
            problems.append(f"row {i}: missing procedure_code")
            continue
        if code in seen:
            problems.append(f"row {i}: duplicate procedure_code {code}")
            continue
        seen.add(code)
        rec: dict[str, object] = {"procedure_code": code, "procedure_name": vals["procedure_name"]}
        for name in ("time_limit", "fee"):
            v = vals[name]
            try:
                rec[name] = float(v.replace(",", ".")) if v is not None else None
            except ValueError:
                problems.append(f"row {i}: {name} {v!r} is not a number")
                rec[name] = None
        unit = vals["time_unit"]
        rec["time_unit"] = normalise_time_unit(unit) if unit is not None else None
        if unit is not None and rec["time_unit"] is None:
            problems.append(f"row {i}: time_unit {unit!r} is not hours / days / working_days / months")
        if rec["time_limit"] is not None and rec["time_unit"] is None:
            problems.append(f"row {i}: time_limit without time_unit")
        lvl = vals["online_level"]
        rec["online_level"] = LEVEL_WORDS.get(lvl.casefold()) if lvl is not None else None
        if lvl is not None and rec["online_level"] is None:
            problems.append(f"row {i}: online_level {lvl!r} is not full / partial / none")
        for name in ("result_required", "individual_subjects"):
            v = vals[name]
            if v is None:
                rec[name] = None
            elif v.casefold() in TRUE_WORDS:
                rec[name] = True
            elif v.casefold() in FALSE_WORDS:
                rec[name] = False
            else:
                problems.append(f"row {i}: {name} {v!r} is not a yes/no flag")
                rec[name] = None
        for k in out:
            out[k].append(rec.get(k))
    if problems:
        listed = "\n  ".join(problems[:50])
        raise ImportError_(f"{path}: invalid catalogue:\n  {listed}", f"{path}: danh mục TTHC có lỗi:\n  {listed}")
    schema = pa.schema([
        ("procedure_code", pa.string()), ("procedure_name", pa.string()), ("time_limit", pa.float64()),
        ("time_unit", pa.string()), ("fee", pa.float64()), ("online_level", pa.string()),
        ("result_required", pa.bool_()), ("individual_subjects", pa.bool_()),
    ])
    return pa.table(out, schema=schema)


def load_competence(path: str | Path):  # noqa: ANN201
    """A list of the procedures under each unit's competence: columns unit_code (MaDonVi) and procedure_code
    (MaTTHC), CSV / Parquet / JSONL. Returns a pandas DataFrame; raises :class:`ImportError_` when invalid."""
    import pandas as pd

    raw = read_raw(path)
    mapping, _ = _map_headers(raw.column_names, canonical_name)
    inv = {v: k for k, v in mapping.items()}
    missing = [c for c in ("unit_code", "procedure_code") if c not in inv]
    if missing:
        raise ImportError_(f"{path}: the competence list needs columns {', '.join(missing)} (MaDonVi, MaTTHC)")
    df = pd.DataFrame({c: raw[inv[c]].to_pylist() for c in ("unit_code", "procedure_code")})
    df = df.apply(lambda s: s.str.strip())
    empty = df[(df["unit_code"] == "") | (df["procedure_code"] == "") | df.isna().any(axis=1)]
    if len(empty):
        raise ImportError_(f"{path}: rows {', '.join(str(i + 1) for i in empty.index[:20])} lack a unit or procedure code")
    return df.drop_duplicates().reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------------
# store


class Store:
    """A directory holding imported dossiers as partitioned Parquet."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    @property
    def dossiers_dir(self) -> Path:
        return self.root / "dossiers"

    @property
    def catalogue_path(self) -> Path:
        return self.root / "catalogue.parquet"

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def glob(self) -> str:
        return str(self.dossiers_dir / "**" / "*.parquet")

    def has_data(self) -> bool:
        return self.dossiers_dir.exists() and any(self.dossiers_dir.rglob("*.parquet"))

    def manifest(self) -> list[dict]:
        if not self.manifest_path.exists():
            return []
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def _write_json(self, path: Path, data: object) -> None:
        """Write JSON atomically: to a temporary file, then renamed over the old one."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)

    def add_manifest(self, entry: dict) -> None:
        self._write_json(self.manifest_path, self.manifest() + [entry])

    def catalogue(self) -> pa.Table | None:
        import pyarrow.parquet as pq

        return pq.read_table(self.catalogue_path) if self.catalogue_path.exists() else None

    def save_catalogue(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.catalogue_path.with_suffix(".tmp")
        pq.write_table(table, tmp)
        tmp.replace(self.catalogue_path)

    # Writing is two-phase, so that an import is all or nothing even if the process dies half-way: new and
    # rewritten files go to a staging directory first (invisible to readers, which read dossiers/**), then a
    # journal listing every move and the manifest entry is written atomically, then the files are moved into
    # place. Before the journal exists, recovery discards the staging directory (nothing happened); once it
    # exists, recovery finishes the moves (everything happened). Writers call recover() first.

    @property
    def staging_dir(self) -> Path:
        return self.root / ".staging"

    @property
    def journal_path(self) -> Path:
        return self.root / "commit.json"

    def stage_rows(self, table: pa.Table, tag: str, con: duckdb.DuckDBPyConnection | None = None,
                   ) -> list[tuple[Path, Path]]:
        """Write typed, derived rows (with ``year`` and ``month``) as partitioned Parquet under the staging
        directory; returns (staged file, final place) pairs for :meth:`commit`."""
        con = con or duckdb.connect()
        area = self.staging_dir / tag / "new"
        area.mkdir(parents=True, exist_ok=True)
        con.register("_accepted", table)
        con.execute(
            f"COPY _accepted TO {_sql_str(str(area))} (FORMAT parquet, PARTITION_BY (year, month), "
            f"OVERWRITE_OR_IGNORE true, FILENAME_PATTERN {_sql_str('part-' + tag + '_{i}')}, COMPRESSION zstd)"
        )
        con.unregister("_accepted")
        return [(f, self.dossiers_dir / f.relative_to(area)) for f in sorted(area.rglob("*.parquet"))]

    def stage_removal(self, ids: pa.Array | pa.ChunkedArray, tag: str) -> tuple[list[tuple[Path, Path]], int]:
        """Staged copies of the stored files that hold any of these dossier ids, without those records:
        ((staged copy, file it replaces) pairs for :meth:`commit`, number of records removed)."""
        if not self.has_data():
            return [], 0
        con = duckdb.connect()
        con.register("new_ids", pa.table({"dossier_id": ids}))
        hits = con.execute(
            f"SELECT filename, count(*) FROM read_parquet({_sql_str(self.glob())}, filename = true) "
            "WHERE dossier_id IN (SELECT dossier_id FROM new_ids) GROUP BY filename ORDER BY filename"
        ).fetchall()
        moves, removed = [], 0
        for filename, n in hits:
            src = Path(filename)
            staged = self.staging_dir / tag / "rm" / src.relative_to(self.dossiers_dir)
            staged.parent.mkdir(parents=True, exist_ok=True)
            con.execute(
                f"COPY (SELECT * FROM read_parquet({_sql_str(str(src))}) WHERE dossier_id NOT IN "
                f"(SELECT dossier_id FROM new_ids)) TO {_sql_str(str(staged))} (FORMAT parquet, COMPRESSION zstd)"
            )
            moves.append((staged, src))
            removed += int(n)
        return moves, removed

    def commit(self, moves: list[tuple[Path, Path]], manifest_entry: dict | None = None,
               catalogue: pa.Table | None = None) -> None:
        """Make staged files (and a new catalogue, and the manifest entry) visible, all or nothing."""
        import pyarrow.parquet as pq

        moves = list(moves)
        if catalogue is not None:
            staged = self.staging_dir / "catalogue.parquet"
            staged.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(catalogue, staged)
            moves.append((staged, self.catalogue_path))
        journal = {"moves": [[str(a.relative_to(self.root)), str(b.relative_to(self.root))] for a, b in moves],
                   "manifest": manifest_entry}
        self._write_json(self.journal_path, journal)  # the commit point
        self._finish(journal)

    def _finish(self, journal: dict) -> None:
        import os
        import shutil

        for a, b in journal["moves"]:
            src, dst = self.root / a, self.root / b
            if src.exists():  # already moved when finishing an interrupted commit
                dst.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(FileNotFoundError):  # moved meanwhile by another process
                    os.replace(src, dst)
        entry = journal.get("manifest")
        if entry and not any(e.get("content_hash") == entry.get("content_hash") for e in self.manifest()):
            self.add_manifest(entry)
        self.journal_path.unlink(missing_ok=True)
        shutil.rmtree(self.staging_dir, ignore_errors=True)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One writer at a time, across processes (CLI, web workers): an exclusive lock on ``.import.lock``."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".import.lock", "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def busy(self) -> bool:
        """Whether a writer holds :meth:`locked` now, in this process or another (does not wait)."""
        import fcntl

        path = self.root / ".import.lock"
        if not path.exists():
            return False
        with open(path, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f, fcntl.LOCK_UN)
            return False

    def content(self) -> list[Path]:
        """The store's files (relative paths, sorted) — records, catalogue, manifest, rejected rows — without the
        lock and staging entries (names starting with a dot). Call it holding :meth:`locked` for a consistent set."""
        if not self.root.exists():
            return []
        return sorted(p.relative_to(self.root) for p in self.root.rglob("*")
                      if p.is_file() and not any(part.startswith(".") for part in p.relative_to(self.root).parts))

    def replace_content(self, source: Path) -> int:
        """Replace everything in the store with the files under ``source`` (a restored backup; moved, not
        copied), one writer at a time. Returns the number of files."""
        import shutil

        with self.locked():
            self.recover()
            for entry in self.root.iterdir():
                if not entry.name.startswith("."):
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            n = 0
            for entry in sorted(Path(source).iterdir()):
                if not entry.name.startswith("."):
                    n += sum(1 for p in entry.rglob("*") if p.is_file()) if entry.is_dir() else 1
                    shutil.move(str(entry), self.root / entry.name)
            return n

    def interrupted(self) -> bool:
        """Whether an interrupted commit is waiting to be finished (readers may see part of it until then)."""
        return self.journal_path.exists()

    def finish_interrupted(self) -> None:
        """For readers: finish a commit cut short (one stat when there is none), so that nobody reads half an
        import."""
        if self.interrupted():
            with self.locked():
                self.recover()

    def recover(self) -> str | None:
        """Finish a commit that was interrupted after its journal was written ("finished"), or discard what an
        interrupted import had staged before it ("discarded"); None when there was nothing to do. Call it
        holding :meth:`locked` (writers do)."""
        import shutil

        if self.journal_path.exists():
            self._finish(json.loads(self.journal_path.read_text(encoding="utf-8")))
            return "finished"
        if self.staging_dir.exists():
            shutil.rmtree(self.staging_dir, ignore_errors=True)
            return "discarded"
        return None

    def write(self, table: pa.Table, tag: str, con: duckdb.DuckDBPyConnection | None = None) -> None:
        """Append typed, derived rows (with ``year`` and ``month``) to the partitioned store, all or nothing."""
        with self.locked():
            self.recover()
            self.commit(self.stage_rows(table, tag, con))

    def rederive(self, catalogue: pa.Table | None = None, calendar: WorkingCalendar | None = None) -> int:
        """Recompute the catalogue columns and the derived due date of every stored record (after a catalogue
        or calendar change), rewriting each Parquet file in place; returns the number of records."""
        with self.locked():
            self.recover()
            return self._rederive(catalogue, calendar)

    def _rederive(self, catalogue: pa.Table | None, calendar: WorkingCalendar | None) -> int:
        import pyarrow.parquet as pq

        from cchc.services.schema import DERIVED_COLUMNS

        if catalogue is None:
            catalogue = self.catalogue()
        else:
            self.save_catalogue(catalogue)
        if catalogue is None:  # no catalogue kept: rebuild it from the columns copied onto the records
            catalogue = _arrow(duckdb.connect().sql(
                "SELECT DISTINCT procedure_code, NULL::VARCHAR AS procedure_name, limit_value AS time_limit, "
                "limit_unit AS time_unit, catalogue_fee AS fee, catalogue_online_level AS online_level, "
                "result_required, individual_subjects "
                f"FROM read_parquet({_sql_str(self.glob())}) WHERE limit_value IS NOT NULL OR limit_unit IS NOT NULL "
                "OR catalogue_fee IS NOT NULL OR catalogue_online_level IS NOT NULL"))
        derived = {name for name, _, _ in DERIVED_COLUMNS} - {"source_file_hash", "source_row"}
        total = 0
        for src in sorted(self.dossiers_dir.rglob("*.parquet")):
            table = pq.read_table(src, partitioning=None)
            base = table.select([c for c in table.column_names if c not in derived])
            out = enrich(normalise_types(base), catalogue, calendar)
            kept = [c for c in table.column_names if c in out.column_names]  # stored order, then new columns
            out = out.select(kept + [c for c in out.column_names if c not in kept])
            tmp = src.with_name(src.name + ".tmp")
            pq.write_table(out, tmp, compression="zstd")
            tmp.replace(src)
            total += out.num_rows
        return total

    def existing_ids(self, con: duckdb.DuckDBPyConnection) -> str | None:
        if not self.has_data():
            return None
        return f"(SELECT dossier_id FROM read_parquet({_sql_str(self.glob())}, hive_partitioning = true))"


def enrich(typed: pa.Table, catalogue: pa.Table | None, calendar: WorkingCalendar | None) -> pa.Table:
    """Add catalogue columns, the derived due date and the year/month partition keys (see schema.DERIVED_COLUMNS)."""
    con = duckdb.connect()
    con.register("d", typed)
    if catalogue is not None:
        con.register("c", catalogue)
        joined = con.sql(
            "SELECT d.*, c.time_limit AS limit_value, c.time_unit AS limit_unit, "
            "c.online_level AS catalogue_online_level, c.fee AS catalogue_fee, c.result_required, "
            "c.individual_subjects FROM d LEFT JOIN c ON d.procedure_code = c.procedure_code ORDER BY d.source_row"
        )
    else:
        joined = con.sql(
            "SELECT d.*, CAST(NULL AS DOUBLE) AS limit_value, CAST(NULL AS VARCHAR) AS limit_unit, "
            "CAST(NULL AS VARCHAR) AS catalogue_online_level, CAST(NULL AS DOUBLE) AS catalogue_fee, "
            "CAST(NULL AS BOOLEAN) AS result_required, CAST(NULL AS BOOLEAN) AS individual_subjects FROM d "
            "ORDER BY d.source_row"
        )
    joined = _arrow(joined)
    if calendar is None:
        years = pc.year(pc.fill_null(joined["received_at"], pa.scalar(dt.datetime(2024, 1, 1), pa.timestamp("us"))))
        lo = pc.min(years).as_py() or 2024
        hi = pc.max(years).as_py() or 2024
        calendar = WorkingCalendar.for_years(lo, hi)
    due, source = derive_due(joined["received_at"], joined["due_at"], joined["limit_value"], joined["limit_unit"],
                             calendar)
    joined = joined.append_column("due_effective_at", due).append_column("due_source", source)
    key = pc.coalesce(joined["received_at"], joined["submitted_at"])
    joined = joined.append_column("year", pc.year(key).cast(pa.int32()))
    joined = joined.append_column("month", pc.month(key).cast(pa.int32()))
    return derive_rules(joined)


def import_file(
    path: str | Path,
    store: Store,
    *,
    catalogue: pa.Table | None = None,
    calendar: WorkingCalendar | None = None,
    progress: Callable[[str], None] | None = None,
    max_problems: int = 1000,
    replace: bool = False,
    unit_codes: Iterable[str] | None = None,
) -> ImportResult:
    """Validate one file and append its accepted rows to the store. Idempotent by file content hash.

    With ``unit_codes`` (the province's units, as the web application knows them), a row whose unit code is not
    one of them is rejected ("unknown unit code"): it never appears as a new unit. Without it (the command line),
    any unit code is accepted.

    With ``replace``, a dossier id already in the store is not rejected: the stored record is replaced by the
    new one (a later export carrying the dossier's new status). Without it, such rows are rejected. One import
    at a time per store (:meth:`Store.locked`), all or nothing (:meth:`Store.commit`)."""
    with store.locked():
        return _import_locked(Path(path), store, catalogue, calendar, progress, max_problems, replace,
                              None if unit_codes is None else sorted(set(unit_codes)))


def _import_locked(path: Path, store: Store, catalogue: pa.Table | None, calendar: WorkingCalendar | None,
                   progress: Callable[[str], None] | None, max_problems: int, replace: bool,
                   unit_codes: list[str] | None = None) -> ImportResult:
    step = progress or (lambda _msg: None)
    digest = file_hash(path) if path.exists() else ""
    if not path.exists():
        raise ImportError_(f"{path}: no such file", f"{path}: không có tệp này")
    result = ImportResult(file=str(path), content_hash=digest)
    store.recover()  # an import interrupted earlier is finished or discarded before anything else
    if any(e.get("content_hash") == digest for e in store.manifest()):
        result.skipped = True
        return result
    tag = digest[:16]
    step("read")
    raw = read_raw(path)
    mapping, ignored = _map_headers(raw.column_names, canonical_name)
    result.ignored_columns = ignored
    present = set(mapping.values())
    missing = [c for c in COLUMNS if c.required and c.name not in present]
    if missing:
        raise ImportError_(
            f"{path}: missing required column(s): "
            + "; ".join(f"{c.name} (or {' / '.join(c.aliases)})" for c in missing),
            f"{path}: thiếu cột bắt buộc: " + "; ".join(f"{c.name} (hoặc {' / '.join(c.aliases)})" for c in missing),
        )
    new_catalogue = None  # saved with the records, in the same commit
    if catalogue is None:
        catalogue = store.catalogue()
    elif store.catalogue() is None or not store.catalogue().equals(catalogue):
        new_catalogue = catalogue
    step("validate")
    con = duckdb.connect()
    raw = raw.append_column("_row", pa.array(range(1, raw.num_rows + 1), type=pa.int64()))
    con.register("raw", raw)
    inv = {v: k for k, v in mapping.items()}
    select: list[str] = []
    checks: list[str] = []
    for col in COLUMNS:
        if col.name not in inv:
            select.append(f"NULL::{_duck_type(col)} AS {col.name}")
            continue
        header = inv[col.name]
        src = f'"{header}"'
        parsed, bad = _parse_expr(col, src, header)
        raw_val = f"COALESCE({src}, '')"
        if col.name == "channel":
            parsed = f"COALESCE({parsed}, 1)"  # missing channel = in person
        if col.name == "procedure_level":
            cases = " ".join(f"WHEN LOWER({parsed}) = {_sql_str(k)} THEN {_sql_str(v)}" for k, v in LEVEL_WORDS.items())
            lvl = f"(CASE {cases} END)"
            checks.append(f"CASE WHEN {parsed} IS NOT NULL AND {lvl} IS NULL THEN concat_ws(chr(31), "
                          f"'{col.name}', {raw_val}, 'unknown level (full / partial / none)') END")
            parsed = lvl
        select.append(f"{parsed} AS {col.name}")
        if bad is not None:
            checks.append(f"CASE WHEN {bad} THEN concat_ws(chr(31), '{col.name}', {raw_val}, '{_reason(col.kind)}') END")
        if col.required:
            checks.append(f"CASE WHEN NULLIF(TRIM({src}), '') IS NULL THEN concat_ws(chr(31), '{col.name}', '', "
                          "'missing value') END")
        if col.allowed is not None:
            allowed = ", ".join(str(a) for a in col.allowed)
            checks.append(f"CASE WHEN {parsed} IS NOT NULL AND {parsed} NOT IN ({allowed}) THEN concat_ws(chr(31), "
                          f"'{col.name}', {raw_val}, 'unknown code (allowed: {allowed})') END")
    typed_sql = "SELECT _row, " + ", ".join(select) + ", list_filter([" + ", ".join(checks or ["NULL"]) + \
        "], lambda x: x IS NOT NULL) AS _problems FROM raw"
    con.execute(f"CREATE TEMP TABLE typed AS {typed_sql}")
    # cross-column and cross-row checks
    cat_check = ""
    if catalogue is not None:
        con.register("cat", catalogue.select(["procedure_code"]))
        cat_check = (", CASE WHEN t.procedure_code IS NOT NULL AND t.procedure_code NOT IN (SELECT procedure_code "
                     "FROM cat) THEN concat_ws(chr(31), 'procedure_code', t.procedure_code, "
                     "'unknown procedure code (not in the catalogue)') END")
    unit_check = ""
    if unit_codes is not None:
        con.register("known_units", pa.table({"unit_code": pa.array(unit_codes, type=pa.string())}))
        unit_check = (", CASE WHEN t.unit_code IS NOT NULL AND t.unit_code NOT IN (SELECT unit_code FROM known_units) "
                      "THEN concat_ws(chr(31), 'unit_code', t.unit_code, "
                      "'unknown unit code (not a unit of the province)') END")
    existing = None if replace else store.existing_ids(con)
    store_check = ""
    if existing:
        store_check = (f", CASE WHEN t.dossier_id IN {existing} THEN concat_ws(chr(31), 'dossier_id', t.dossier_id, "
                       "'dossier id already in the store (imported from another file)') END")
    con.execute(f"""
        CREATE TEMP TABLE checked AS
        SELECT t.* EXCLUDE (_problems), list_filter(list_concat(t._problems, [
            CASE WHEN t.finished_at < t.received_at THEN concat_ws(chr(31), 'finished_at',
                 strftime(t.finished_at, '%Y-%m-%d %H:%M:%S'), 'finished before received') END,
            CASE WHEN t.returned_at < t.received_at THEN concat_ws(chr(31), 'returned_at',
                 strftime(t.returned_at, '%Y-%m-%d %H:%M:%S'), 'returned before received') END,
            CASE WHEN t.status IN (9, 10) AND t.finished_at IS NULL AND t.returned_at IS NULL THEN
                 concat_ws(chr(31), 'finished_at', '', 'completed status without finished_at or returned_at') END,
            CASE WHEN t.received_at IS NULL AND t.submitted_at IS NULL THEN
                 concat_ws(chr(31), 'received_at', '', 'neither received_at nor submitted_at') END,
            CASE WHEN t.supplement_completed_at < t.supplement_requested_at THEN concat_ws(chr(31),
                 'supplement_completed_at', strftime(t.supplement_completed_at, '%Y-%m-%d %H:%M:%S'),
                 'supplement completed before requested') END,
            CASE WHEN t.supplement_count < 0 OR t.supplement_wait_hours < 0 THEN concat_ws(chr(31),
                 'supplement_count', CAST(t.supplement_count AS VARCHAR), 'negative supplement count or time') END,
            CASE WHEN t.dossier_id IS NOT NULL AND row_number() OVER (PARTITION BY t.dossier_id ORDER BY t._row) > 1
                 THEN concat_ws(chr(31), 'dossier_id', t.dossier_id, 'duplicate dossier id in the file (first at row '
                 || CAST(min(t._row) OVER (PARTITION BY t.dossier_id) AS VARCHAR) || ')') END
            {cat_check}{unit_check}{store_check}
        ]), lambda x: x IS NOT NULL) AS _problems
        FROM typed t
    """)
    n_bad = con.execute("SELECT count(*) FROM checked WHERE len(_problems) > 0").fetchall()[0][0]
    result.rejected = int(n_bad)
    result.accepted = raw.num_rows - result.rejected
    if n_bad:
        # one list per row, read as a list: a row's reasons keep the order of the checks (unnest + ORDER BY _row
        # left the reasons of one row in no fixed order)
        bad_rows = con.execute(
            f"SELECT _row, _problems FROM checked WHERE len(_problems) > 0 ORDER BY _row LIMIT {max_problems}"
        ).fetchall()
        probs = [(row, text) for row, texts in bad_rows for text in texts][:max_problems]
        for row, text in probs:
            column, value, reason = text.split("\x1f")
            result.problems.append(Problem(str(path), int(row), column, value or None, reason))
        rej_dir = store.root / "rejected"
        rej_dir.mkdir(parents=True, exist_ok=True)
        rej_path = rej_dir / f"{tag}-{path.stem}.csv"
        con.register("rawv", raw)
        con.execute(
            f"COPY (SELECT r.*, array_to_string(list_transform(c._problems, lambda x: replace(x, chr(31), ' | ')), ' ; ') "
            f"AS _reasons FROM rawv r JOIN checked c USING (_row) WHERE len(c._problems) > 0 ORDER BY _row) "
            f"TO {_sql_str(str(rej_path))} (HEADER, DELIMITER ',')"
        )
        result.rejected_path = str(rej_path)
    step("derive")
    accepted = _arrow(con.sql(
        "SELECT * EXCLUDE (_problems, _row), _row AS source_row FROM checked WHERE len(_problems) = 0 ORDER BY _row"
    ))
    accepted = accepted.append_column("source_file_hash", pa.array([tag] * accepted.num_rows, type=pa.string()))
    moves: list[tuple[Path, Path]] = []
    if accepted.num_rows:
        accepted = normalise_types(accepted)
        enriched = enrich(accepted, catalogue, calendar)
        step("write")
        if replace:
            moves, result.replaced = store.stage_removal(accepted["dossier_id"], tag)
        moves += store.stage_rows(enriched, tag)
    store.commit(moves, {
        "content_hash": digest, "file": str(path), "imported_at": dt.datetime.now().isoformat(timespec="seconds"),
        "accepted": result.accepted, "rejected": result.rejected, "replaced": result.replaced,
    }, catalogue=new_catalogue)
    return result


def _arrow(rel: duckdb.DuckDBPyRelation) -> pa.Table:
    out = rel.arrow()
    return out.read_all() if isinstance(out, pa.RecordBatchReader) else out


def _duck_type(col: Column) -> str:
    return {"str": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN", "timestamp": "TIMESTAMP"}[col.kind]


ARROW_TYPES = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
               "timestamp": pa.timestamp("s")}


def normalise_types(table: pa.Table) -> pa.Table:
    """Cast record columns to the store's Arrow types (timestamps in seconds)."""
    cols, names = [], []
    for name in table.column_names:
        col = table[name]
        if name in COLUMN_BY_NAME:
            col = col.cast(ARROW_TYPES[COLUMN_BY_NAME[name].kind], safe=False)
        cols.append(col)
        names.append(name)
    return pa.table(cols, names=names)
