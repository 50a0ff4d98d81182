"""Where uploaded originals are kept: ``DATA_DIR/uploads``, each file named by the SHA-256 of its content and
its suffix (survey responses, dossier exports, report templates). ``cchc backup`` copies the folder."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings


def upload_dir() -> Path:
    """The uploads folder, created if missing."""
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def kept_path(sha256: str, suffix: str) -> Path:
    """Where the upload with this content hash is kept (``ORIGINAL_NAME``)."""
    return upload_dir() / f"{sha256}{suffix}"


ORIGINAL_NAME = re.compile(r"[0-9a-f]{64}\.[a-z0-9]+")
"""How a kept upload is named; temporary files of uploads in progress are not."""


def originals() -> list[Path]:
    """The kept uploads, by name."""
    return sorted(p for p in upload_dir().iterdir() if p.is_file() and ORIGINAL_NAME.fullmatch(p.name))
