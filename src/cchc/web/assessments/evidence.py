"""Evidence files: type checked by content (not by name), size-limited, stored under their SHA-256 hash.

Accepted: PDF, DOCX, XLSX, JPEG, PNG and ZIP, recognised by the application's one table of kinds
(:mod:`cchc.web.uploads`); a refusal is its :class:`~cchc.web.uploads.UploadRefused` (here also named
:data:`EvidenceError`). A file is stored once under ``EVIDENCE_ROOT/ab/abcdef…``
however many leaves or units attach it; the same file attached twice to the same leaf is refused.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cchc.web.assessments.models import Evidence
from cchc.web.uploads import HEAD, KINDS, TAIL, UploadRefused, identify

EVIDENCE_KINDS = tuple(KINDS[k] for k in ("pdf", "png", "jpeg", "docx", "xlsx", "zip"))
"""The kinds of evidence file, from the application's one table (:data:`cchc.web.uploads.KINDS`), in the order
they are recognised (DOCX and XLSX before any other ZIP)."""

EvidenceError = UploadRefused
"""A refused evidence upload (the shared :class:`~cchc.web.uploads.UploadRefused`); the message says why, for
the person uploading."""


def sniff(head: bytes, fileobj) -> str | None:  # noqa: ANN001
    """The kind of a file from its content: ``pdf``, ``docx``, ``xlsx``, ``jpeg``, ``png``, ``zip`` or None."""
    fileobj.seek(0, os.SEEK_END)
    end = fileobj.tell()
    fileobj.seek(max(0, end - TAIL))
    tail = fileobj.read(TAIL)
    fileobj.seek(0)
    kind = identify(head, tail, fileobj, EVIDENCE_KINDS)
    return kind.name if kind else None


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
        kind = sniff(tmp.read(HEAD), tmp)
        ext = Path(name).suffix.lower()
        if kind is None:
            raise EvidenceError(
                _("Tệp “%(name)s” không phải PDF, DOCX, XLSX, JPG, PNG hoặc ZIP (kiểm tra theo nội dung).")
                % {"name": name}
            )
        mime, exts = KINDS[kind].content_type, KINDS[kind].suffixes
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
