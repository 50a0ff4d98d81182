"""The dossier area's bridge to :mod:`cchc.services`: the store as the pages see it (indicator records, cached
per store state) and the import jobs that write to it.

The store changes only when something is imported or re-derived, so the cache key is the store directory plus
the modification time and size of the manifest and the catalogue and the count and latest modification time of
the Parquet files (:func:`store_state`); a stale entry is never served after an import. The cache lives in the
process (each gunicorn worker keeps its own) and holds at most :data:`CACHE_SIZE` results.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.web import background
from cchc.web.dossiers.models import DossierImport
from cchc.web.language import in_english
from cchc.web.org.models import Unit
from cchc.web.uploads import KINDS, TEXT, Accepted, UploadRefused, receive

SUMMARY = (  # the indicators of the dashboard table and the trend charts: (id, short label)
    ("2.1", gettext_lazy("Đúng hạn")),
    ("3.3", gettext_lazy("Nộp trực tuyến")),
    ("3.6A", gettext_lazy("Thanh toán trực tuyến")),
    ("3.3c", gettext_lazy("Bưu chính công ích")),
    ("4.2", gettext_lazy("Số hóa hồ sơ")),
)
LEVEL_ORDER = {"province": 0, "parent": 1, "unit": 2}
CACHE_SIZE = 64

_cache: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def store_root() -> Path:
    return Path(settings.CCHC_DOSSIER_STORE)


def store_state(root: Path | None = None) -> tuple:
    """What identifies the store's content: changes whenever an import adds, replaces or re-derives rows (also
    from the command line while the server runs: ``cchc dossiers rederive`` rewrites the Parquet files in place
    without touching the manifest, hence the files' count and latest modification time)."""
    from cchc.services.importer import Store  # start-up time: Ibis and DuckDB load on first use

    root = root or store_root()
    Store(root).finish_interrupted()  # an import cut short after its commit point: never show half of it
    parts: list[Any] = [str(root)]
    for name in ("manifest.json", "catalogue.parquet"):
        try:
            st = (root / name).stat()
            parts.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            parts.append(None)
    count, latest = 0, 0
    for f in (root / "dossiers").rglob("*.parquet"):
        try:
            latest = max(latest, f.stat().st_mtime_ns)
            count += 1
        except FileNotFoundError:  # replaced while scanning
            continue
    parts.append((count, latest))
    return tuple(parts)


def canonical_period(label: str) -> str | None:
    """The granularity of a canonical period label (``2025-05`` month, ``2025-Q2``, ``2025-H1``, ``2025``), or
    None for anything else (``2025-13``, ``2025-5``, ``abc``): what pages and API accept as a period."""
    from cchc.services.measures import (  # start-up time: Ibis and DuckDB load on first use
        parse_period_label,
        period_label,
    )

    try:
        gran, idx = parse_period_label(label)
    except (ValueError, IndexError):
        return None
    return gran if period_label(idx, gran) == label else None


def has_data(root: Path | None = None) -> bool:
    from cchc.services.importer import Store  # start-up time: Ibis and DuckDB load on first use

    return Store(root or store_root()).has_data()


def _cached(key: tuple, fn: Callable[[], Any]) -> Any:
    full = (store_state(),) + key
    with _lock:
        if full in _cache:
            _cache.move_to_end(full)
            return _cache[full]
    value = fn()
    with _lock:
        _cache[full] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def overview(period: str) -> list[dict]:
    """Every unit, parent unit and the province (unit ``*``) × period: ``compute(...).records()``."""
    from cchc.services.indicators import compute  # start-up time: Ibis and DuckDB load on first use

    return _cached(("overview", period), lambda: compute(
        store_root(), period=period, levels=("unit", "parent", "province")).records())


def procedures(period: str, unit: str) -> list[dict]:
    """The unit's records per procedure: ``compute(store, period=…, unit=unit, by_procedure=True)``, which runs the
    engine on the unit's own dossiers (and those of the units under it) with the whole store's span."""
    from cchc.services.indicators import compute  # start-up time: Ibis and DuckDB load on first use

    return _cached(("procedures", period, unit), lambda: compute(
        store_root(), period=period, unit=unit, by_procedure=True, levels=("unit", "parent", "province")).records())


def _plain(value: object) -> object:
    """A cell as JSON and templates want it: missing (NaN, NaT: a unit without a parent, an open dossier's end)
    → None, timestamps → datetime."""
    import pandas as pd  # start-up time: pandas loads on first use

    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def late(unit: str, period_label: str) -> list[dict]:
    """:func:`cchc.services.indicators.late_dossiers` of the unit (and the units under it) for the period."""
    from cchc.services.indicators import late_dossiers  # start-up time: Ibis and DuckDB load on first use

    def run() -> list[dict]:
        df = late_dossiers(store_root(), unit=None if unit == "*" else unit, period=period_label)
        return [{k: _plain(v) for k, v in r.items()} for r in df.to_dict("records")]

    return _cached(("late", unit, period_label), run)


def procedure_names() -> dict[str, str]:
    from cchc.services.importer import Store  # start-up time: Ibis and DuckDB load on first use

    def run() -> dict[str, str]:
        cat = Store(store_root()).catalogue()
        if cat is None or "procedure_name" not in cat.column_names:
            return {}
        return {c: n for c, n in zip(cat["procedure_code"].to_pylist(), cat["procedure_name"].to_pylist(), strict=True) if n}

    return _cached(("procedure_names",), run)


# --- shaping records for the templates (no arithmetic: every number is the library's) -----------------------


def indicator(rec: dict, ind_id: str) -> dict | None:
    return next((i for i in rec["indicators"] if i["id"] == ind_id), None)


def summary(rec: dict) -> dict:
    """The dashboard row of one record: received, the summary rates, the total points."""
    from cchc.services.indicators import late_count  # start-up time: Ibis and DuckDB load on first use

    out = {"level": rec["level"], "unit": rec["unit"], "period": rec["period"], "received": rec["received"],
           "total_points": rec["total_points"], "max_points": rec["max_points"],
           "late": late_count(rec), "rates": []}
    for ind_id, _label in SUMMARY:
        i = indicator(rec, ind_id)
        out["rates"].append(i.get("rate") if i and i.get("computable") else None)
    if rec.get("procedure_code") is not None:
        out["procedure_code"] = rec["procedure_code"]
    return out


def periods(records: list[dict]) -> list[str]:
    return sorted({r["period"] for r in records})


def trend_rows(records: list[dict], unit: str) -> list[dict]:
    """Rows ``{period, series, value}`` for :func:`cchc.reports.charts.trend`: the summary rates of one unit."""
    rows = []
    for rec in sorted((r for r in records if r["unit"] == unit), key=lambda r: r["period"]):
        for ind_id, label in SUMMARY:
            i = indicator(rec, ind_id)
            if i and i.get("computable") and i.get("rate") is not None:
                rows.append({"period": rec["period"], "series": f"{ind_id} {label}", "value": round(i["rate"], 2)})
    return rows


def sort_key(rec: dict) -> tuple:
    return (LEVEL_ORDER.get(rec["level"], 9), rec["unit"])


# ---- import jobs ------------------------------------------------------------------------------------------
# Import an uploaded dossier file into the store after the response, recording progress on its
# :class:`~cchc.web.dossiers.models.DossierImport`.
#
# The import itself is :func:`cchc.services.importer.import_file`: all or nothing, one writer at a time per store
# (a job waits, queued, while the command line or another job imports). A job whose worker died (a restart) is
# found by :func:`settle_stale`: it is not running in this process, the store's lock is free and it has not
# moved for :data:`STALE_AFTER`; the store itself is finished or left unchanged by the next reader or writer.

DOSSIER_FILES = Accepted((KINDS["csv"].worded(TEXT), KINDS["jsonl"], KINDS["parquet"]))
"""A dossier export or a procedure catalogue: CSV, JSON Lines or Parquet (the text refused as "văn bản UTF-8",
as the import page always said)."""
STALE_AFTER = dt.timedelta(seconds=30)
STALE_VI = ("Lần nhập bị dừng giữa chừng (máy chủ đã khởi động lại?). Kho dữ liệu không bị ghi dở: hãy nhập lại "
            "tệp; nếu lần nhập trước đã kịp hoàn tất, hệ thống sẽ báo tệp đã được nhập.")
STALE_EN = ("The import stopped part-way (was the server restarted?). The store was not left half-written: import "
            "the file again; if the earlier import had finished, you will be told the file was already imported.")


def run(job_id: int) -> None:
    from cchc.services.importer import (  # start-up time: Ibis and DuckDB load on first use
        ImportError_,
        Store,
        import_file,
        load_catalogue,
    )

    job = DossierImport.objects.get(pk=job_id)

    def progress(step: str) -> None:  # called holding the store's lock: from here on the job runs
        job.status, job.step = DossierImport.Status.RUNNING, step
        background.note_progress(job, ["status", "step"])

    try:
        catalogue = load_catalogue(job.catalogue_path) if job.catalogue_path else None
        store = Store(store_root())
        store.root.mkdir(parents=True, exist_ok=True)
        # a row of a unit that is not one of the province's is rejected, never shown as a new unit
        unit_codes = list(Unit.objects.values_list("code", flat=True))
        result = import_file(job.path, store, catalogue=catalogue, replace=job.replace, progress=progress,
                             unit_codes=unit_codes)
    except ImportError_ as error:
        _finish(job, DossierImport.Status.FAILED, message=_hide_paths(str(error), job),
                message_vi=_hide_paths(error.vi, job))
    except Exception as error:  # noqa: BLE001 - a failed job tells the person why, the server keeps running
        text = f"{type(error).__name__}: {_hide_paths(str(error), job)}"
        _finish(job, DossierImport.Status.FAILED, message=text, message_vi=f"Lỗi không lường trước: {text}")
    else:
        clear_cache()
        out = result.to_dict()
        out["file"] = job.file_name
        for p in out["problems"]:
            p["file"] = job.file_name
        _finish(job, DossierImport.Status.DONE, result=out)


def _hide_paths(text: str, job: DossierImport) -> str:
    """Messages name the file as the person uploaded it, not its content-hash path on the server."""
    text = text.replace(job.path, job.file_name)
    return text.replace(job.catalogue_path, job.catalogue_name) if job.catalogue_path else text


def _finish(job: DossierImport, status: str, *, result: dict | None = None, message: str = "",
            message_vi: str = "") -> None:
    job.status, job.result, job.message, job.message_vi = status, result or {}, message, message_vi
    job.step = ""
    job.save(update_fields=["status", "result", "message", "message_vi", "step", "updated_at"])


def submit(user, upload, catalogue_upload=None, *, replace: bool = False) -> tuple[DossierImport | None, list[str]]:  # noqa: ANN001
    """Check and store the uploaded files, then queue their import: (the started job, []) or (None, the problems,
    each naming the file as uploaded). Used by the page and the API alike."""
    from cchc.services.importer import (  # start-up time: Ibis and DuckDB load on first use
        ImportError_,
        load_catalogue,
    )

    errors: list[str] = []
    if upload is None:
        errors.append(_("Chọn tệp hồ sơ (CSV, Parquet hoặc JSON Lines)."))
    cat_path = None
    if catalogue_upload is not None:
        try:
            cat_path = receive(catalogue_upload, DOSSIER_FILES, settings.CCHC_DOSSIER_UPLOAD_MAX_BYTES)
        except UploadRefused as refused:
            errors.append(str(refused))
        else:
            try:
                load_catalogue(cat_path)
            except (ImportError_, ValueError) as exc:
                text = str(exc) if in_english() else getattr(exc, "vi", str(exc))
                errors.append(_("Danh mục TTHC: %(error)s")
                              % {"error": text.replace(str(cat_path), catalogue_upload.name)})
    path = None
    if upload is not None and not errors:
        try:
            path = receive(upload, DOSSIER_FILES, settings.CCHC_DOSSIER_UPLOAD_MAX_BYTES)
        except UploadRefused as refused:
            errors.append(str(refused))
    if path is None or errors:
        return None, errors
    job = DossierImport.objects.create(
        file_name=upload.name, path=str(path), replace=replace, created_by=user,
        catalogue_name=catalogue_upload.name if cat_path else "", catalogue_path=str(cat_path or ""))
    start(job)
    return job, []


def start(job: DossierImport) -> None:
    background.start(job.thread_name, lambda: run(job.pk), inline=settings.CCHC_IMPORTS_INLINE)


def recent(limit: int = 20) -> list[DossierImport]:
    """The latest imports, newest first, a dead job's status settled (:func:`settle_stale`)."""
    return [settle_stale(j) for j in DossierImport.objects.select_related("created_by")[:limit]]


def settle_stale(job: DossierImport) -> DossierImport:
    """Mark a queued or running job failed when nothing runs it any more (its worker was restarted); not while a
    writer holds the store (this job in another worker, or one it waits for)."""
    from cchc.services.importer import Store  # start-up time: Ibis and DuckDB load on first use

    return background.settle_orphan(job, STALE_AFTER, busy=lambda: Store(store_root()).busy(),
                                    message=STALE_EN, message_vi=STALE_VI)
