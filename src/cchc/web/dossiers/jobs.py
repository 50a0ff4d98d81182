"""Import an uploaded dossier file into the store after the response, recording progress on its
:class:`~cchc.web.dossiers.models.DossierImport`.

The import itself is :func:`cchc.services.importer.import_file`: all or nothing, one writer at a time per store
(a job waits, queued, while the command line or another job imports). A job whose worker died (a restart) is
found by :func:`settle_stale`: it is not running in this process, the store's lock is free and it has not
moved for :data:`STALE_AFTER`; the store itself is finished or left unchanged by the next reader or writer."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _

from cchc.web import background
from cchc.web.dossiers import data
from cchc.web.dossiers.models import DossierImport
from cchc.web.language import in_english
from cchc.web.uploads import KINDS, TEXT, Accepted, UploadRefused, receive

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
        store = Store(data.store_root())
        store.root.mkdir(parents=True, exist_ok=True)
        result = import_file(job.path, store, catalogue=catalogue, replace=job.replace, progress=progress)
    except ImportError_ as error:
        _finish(job, DossierImport.Status.FAILED, message=_hide_paths(str(error), job),
                message_vi=_hide_paths(error.vi, job))
    except Exception as error:  # noqa: BLE001 - a failed job tells the person why, the server keeps running
        text = f"{type(error).__name__}: {_hide_paths(str(error), job)}"
        _finish(job, DossierImport.Status.FAILED, message=text, message_vi=f"Lỗi không lường trước: {text}")
    else:
        data.clear_cache()
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

    return background.settle_orphan(job, STALE_AFTER, busy=lambda: Store(data.store_root()).busy(),
                                    message=STALE_EN, message_vi=STALE_VI)
