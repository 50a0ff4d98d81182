"""Evidence files: type checked by content (not by name), size-limited, stored under their SHA-256 hash.

Accepted: PDF, DOCX, XLSX, JPEG, PNG and ZIP. A file is stored once under ``EVIDENCE_ROOT/ab/abcdef…``
however many leaves or units attach it; the same file attached twice to the same leaf is refused.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cchc.web.assessments.models import Evidence

ALLOWED = {
    "pdf": ("application/pdf", {".pdf"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
    "jpeg": ("image/jpeg", {".jpg", ".jpeg"}),
    "png": ("image/png", {".png"}),
    "zip": ("application/zip", {".zip"}),
}


class EvidenceError(ValueError):
    """An upload was refused; the message says why, for the person uploading."""


def sniff(head: bytes, fileobj) -> str | None:
    """The kind of a file from its content: ``pdf``, ``docx``, ``xlsx``, ``jpeg``, ``png``, ``zip`` or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            fileobj.seek(0)
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    return None


def evidence_root() -> Path:
    return Path(settings.EVIDENCE_ROOT)


def path_for(sha256: str) -> Path:
    return evidence_root() / sha256[:2] / sha256


@dataclass(frozen=True)
class Received:
    """A checked upload, stored once under its SHA-256 in the evidence store."""

    name: str
    sha256: str
    size: int
    content_type: str


def receive(upload) -> Received:
    """Check ``upload`` (a Django ``UploadedFile`` or any object with ``name``, ``size``, ``chunks()``/``read()``)
    by size and by content (not by its name), and store it under its SHA-256. Raises :class:`EvidenceError`.
    Used by every upload of evidence (assessment leaves, steering tasks)."""
    name = os.path.basename(getattr(upload, "name", "") or "tep")[:255]
    size = getattr(upload, "size", None)
    limit = settings.EVIDENCE_MAX_BYTES
    if size is not None and size > limit:
        raise EvidenceError(
            _("Tệp “%(name)s” quá lớn (%(size).1f MB; tối đa %(max).0f MB).")
            % {"name": name, "size": size / 1048576, "max": limit / 1048576}
        )
    digest = hashlib.sha256()
    evidence_root().mkdir(parents=True, exist_ok=True)
    tmp = tempfile.NamedTemporaryFile(dir=evidence_root(), delete=False, prefix=".upload-")  # noqa: SIM115
    total = 0
    try:
        chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
        for chunk in chunks:
            total += len(chunk)
            if total > limit:
                raise EvidenceError(
                    _("Tệp “%(name)s” quá lớn (tối đa %(max).0f MB).") % {"name": name, "max": limit / 1048576}
                )
            digest.update(chunk)
            tmp.write(chunk)
        tmp.flush()
        tmp.seek(0)
        if total == 0:
            raise EvidenceError(_("Tệp “%(name)s” rỗng.") % {"name": name})
        kind = sniff(tmp.read(16), tmp)
        ext = Path(name).suffix.lower()
        if kind is None:
            raise EvidenceError(
                _("Tệp “%(name)s” không phải PDF, DOCX, XLSX, JPG, PNG hoặc ZIP (kiểm tra theo nội dung).")
                % {"name": name}
            )
        mime, exts = ALLOWED[kind]
        if ext not in exts:
            raise EvidenceError(
                _("Nội dung tệp “%(name)s” là %(kind)s nhưng phần mở rộng là “%(ext)s”.")
                % {"name": name, "kind": kind.upper(), "ext": ext or "—"}
            )
        sha = digest.hexdigest()
        target = path_for(sha)
        tmp.close()
        if target.exists():
            os.unlink(tmp.name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp.name, target)
        return Received(name, sha, total, mime)
    finally:
        if not tmp.closed:
            tmp.close()
        if os.path.exists(tmp.name):
            os.unlink(tmp.name)


def store(assessment, upload, user, stage: str = "self") -> Evidence:
    """Check and store ``upload`` as evidence of ``assessment`` (see :func:`receive`). Raises :class:`EvidenceError`."""
    got = receive(upload)
    duplicate = _("Tệp “%(name)s” đã được đính kèm cho tiêu chí này.") % {"name": got.name}
    if assessment.evidence.filter(sha256=got.sha256).exists():
        raise EvidenceError(duplicate)
    who = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            ev = Evidence(assessment=assessment, sha256=got.sha256, name=got.name, size=got.size,
                          content_type=got.content_type, uploaded_by=who, stage=stage)
            if who is not None:
                ev._history_user = who
            ev.save()
            return ev
    except IntegrityError as exc:
        raise EvidenceError(duplicate) from exc


def store_bytes(assessment, name: str, data: bytes, user=None, stage: str = "self") -> Evidence:
    """Convenience for seeding and tests."""

    class _Upload(io.BytesIO):
        pass

    up = _Upload(data)
    up.name = name
    up.size = len(data)
    return store(assessment, up, user, stage)
