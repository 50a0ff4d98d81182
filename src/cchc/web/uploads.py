"""Where uploaded originals are kept: ``DATA_DIR/uploads``, each file named by the SHA-256 of its content and
its suffix (survey responses, dossier exports, report templates). ``cchc backup`` copies the folder."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def upload_dir() -> Path:
    """The uploads folder, created if missing."""
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
