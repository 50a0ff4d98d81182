"""Fixtures for the whole suite.

The SQLite test database is a file (in memory-backed ``/dev/shm`` where the machine has room there), not Django's
default shared-cache in-memory database. A shared-cache database answers "database table is locked" at once
when a background thread (an import or report job) writes while a request reads, where the real server's file
database waits (``timeout``) and lets readers through (WAL, see ``cchc.web.settings``). The tests then see the
locking the server sees.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest


def _roomy(folder: str, need: int = 1 << 30) -> bool:
    """Whether ``folder`` exists with at least ``need`` bytes free (a container's /dev/shm may have 64 MB)."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize >= need


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> Iterator[None]:
    from django.db import connections

    db = connections["default"].settings_dict
    if not db["ENGINE"].endswith("sqlite3"):
        yield
        return
    folder = tempfile.mkdtemp(prefix="cchc-test-db-", dir="/dev/shm" if _roomy("/dev/shm") else None)
    db.setdefault("TEST", {})["NAME"] = os.path.join(folder, "test.sqlite3")
    yield
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _language_back_to_default() -> Iterator[None]:
    """A request in English (the language cookie) leaves English active in the test's thread; the next test
    starts in the default language again, whatever ran before it."""
    yield
    from django.conf import settings

    if settings.configured:
        from django.utils import translation

        translation.activate(settings.LANGUAGE_CODE)
