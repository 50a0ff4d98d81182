"""Run a job after the response: in a daemon thread of the worker (the page polls the job's progress), or
inline when a setting asks for it (tests, single-process scripts).

A thread is enough for a provincial office: one job at a time per user, minutes at most. A job's own record
says where it is (queued, running, done, failed); a job whose worker died is detected by its page
(see :func:`cchc.web.dossiers.services.settle_stale`)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

log = logging.getLogger(__name__)


def start(name: str, run: Callable[[], None], *, inline: bool = False) -> None:
    """Call ``run`` now (``inline``) or in a daemon thread called ``name``; the thread closes its database
    connection when done."""
    if inline:
        run()
        return

    def target() -> None:
        try:
            run()
        finally:
            close_old_connections()

    threading.Thread(target=target, daemon=True, name=name).start()


def alive(name: str) -> bool:
    """Whether a thread called ``name`` runs in this process."""
    return any(t.name == name and t.is_alive() for t in threading.enumerate())


def note_progress(job: Any, fields: list[str]) -> None:
    """Save a job's progress ``fields`` (and ``updated_at``). A note the database refuses (busy) is not worth the
    job: it is logged and the job goes on; only its outcome must be written."""
    try:
        job.save(update_fields=[*fields, "updated_at"])
    except DatabaseError as error:
        log.warning("%s: progress not saved: %s", job.thread_name, error)


def settle_orphan(job: Any, stale_after: dt.timedelta, *, busy: Callable[[], bool] = lambda: False,
                  **failed: Any) -> Any:
    """Mark a queued or running job ``failed`` (with the ``failed`` fields) when nothing runs it any more: its
    thread is not in this process, it has not moved for ``stale_after`` and ``busy()`` (a lock it would hold)
    is false. Compare and set: a job that moved meanwhile (it finished in another worker) keeps its outcome."""

    if not job.active or alive(job.thread_name) or timezone.now() - job.updated_at < stale_after or busy():
        return job
    type(job).objects.filter(pk=job.pk, status=job.status, updated_at=job.updated_at).update(
        status="failed", updated_at=timezone.now(), **failed)
    job.refresh_from_db()
    return job
