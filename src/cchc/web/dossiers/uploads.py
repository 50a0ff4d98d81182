"""Dossier uploads (page and API): streamed to ``DATA_DIR/uploads/<sha256><suffix>``, size- and type-checked on
the way (UTF-8 text without NUL bytes for CSV and JSON Lines, the ``PAR1`` magic at both ends for Parquet)."""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from cchc.web.uploads import kept_path, upload_dir

TEXT_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
BINARY_SUFFIXES = {".parquet": "parquet", ".pq": "parquet"}


def _max_bytes() -> int:
    return int(getattr(settings, "CCHC_DOSSIER_UPLOAD_MAX_BYTES", 200 * 1024 * 1024))


def store_upload(upload, allowed: dict[str, str] | None = None) -> tuple[Path | None, str | None]:
    """Stream an upload to ``DATA_DIR/uploads/<sha256><suffix>``, checking size and type on the way.
    Returns (path, None) or (None, problem)."""
    name = upload.name
    suffix = Path(name).suffix.lower()
    kinds = allowed or (TEXT_SUFFIXES | BINARY_SUFFIXES)
    if suffix not in kinds:
        return None, _("Tệp %(name)s: chỉ nhận %(kinds)s.") % {"name": name, "kinds": ", ".join(sorted(kinds))}
    limit = _max_bytes()
    if upload.size is not None and upload.size > limit:
        return None, _("Tệp %(name)s quá lớn (tối đa %(mb)s MB).") % {"name": name, "mb": limit // (1024 * 1024)}
    folder = upload_dir()
    kind = kinds[suffix]
    digest, size, head, tail = hashlib.sha256(), 0, b"", b""
    decoder = codecs.getincrementaldecoder("utf-8")() if kind != "parquet" else None
    fd, tmp_name = tempfile.mkstemp(dir=folder, suffix=".part")
    tmp = Path(tmp_name)
    problem = None
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > limit:
                    problem = _("Tệp %(name)s quá lớn (tối đa %(mb)s MB).") % {"name": name, "mb": limit // (1024 * 1024)}
                    break
                if len(head) < 64:
                    head += chunk[: 64 - len(head)]
                tail = (tail + chunk)[-4:]
                if decoder is not None:
                    try:
                        text = decoder.decode(chunk)
                    except UnicodeDecodeError:
                        problem = _("Tệp %(name)s không phải văn bản UTF-8.") % {"name": name}
                        break
                    if "\x00" in text:
                        problem = _("Tệp %(name)s không phải văn bản.") % {"name": name}
                        break
                digest.update(chunk)
                out.write(chunk)
        if problem is None:
            if size == 0:
                problem = _("Tệp %(name)s trống.") % {"name": name}
            elif kind == "parquet" and not (head.startswith(b"PAR1") and tail == b"PAR1"):
                problem = _("Tệp %(name)s không phải Parquet.") % {"name": name}
            elif kind == "jsonl" and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
                problem = _("Tệp %(name)s không phải JSON Lines (mỗi dòng một đối tượng JSON).") % {"name": name}
        if problem is not None:
            return None, problem
        path = kept_path(digest.hexdigest(), suffix)
        if path.exists():
            tmp.unlink()
        else:
            tmp.replace(path)
        return path, None
    finally:
        if tmp.exists():
            tmp.unlink()
