"""Run a job after the response: in a daemon thread of the worker (the page polls the job's progress), or
inline when a setting asks for it (tests, single-process scripts).

A thread is enough for a provincial office: one job at a time per user, minutes at most. A job's own record
says where it is (queued, running, done, failed); a job whose worker died is detected by its page
(see :func:`cchc.web.services_page.jobs.settle_stale`)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import close_old_connections


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
