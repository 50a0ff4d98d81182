"""Uploads: what a file must be to be accepted, and where accepted originals are kept.

Every upload of the application is checked here, by one table of kinds (:data:`KINDS`): a file is accepted
for its name's suffix only when its content is that kind (CSV and JSON Lines: UTF-8 text without NUL bytes;
Parquet: ``PAR1`` at both ends; XLSX, DOCX: the ZIP magic and the part that names them; ZIP, PDF, PNG, JPEG:
their magic). A refusal is one :class:`UploadRefused`, its message the sentence the person reads.

:func:`receive` streams an upload to ``DATA_DIR/uploads/<sha256><suffix>`` (survey responses, dossier exports,
report inputs), checking size and type on the way; :func:`checked` gives the checked file before it is kept,
for a caller that keeps it only when what it holds is valid. Evidence files are kept elsewhere (``EVIDENCE_ROOT``)
but recognised by the same table (:func:`identify`). ``cchc backup`` copies the uploads folder."""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cchc.web.errors import Unacceptable

# ---- where originals are kept -----------------------------------------------------------------------------


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


# ---- the kinds of file ------------------------------------------------------------------------------------


class UploadRefused(Unacceptable):
    """An upload is not a file we accept (wrong type, too large, empty); nothing is kept. The message is the
    sentence shown to the person, naming the file as they uploaded it."""


@dataclass(frozen=True)
class TextWords:
    """How a text kind words its two refusals (msgids, formatted with ``name``)."""

    not_utf8: str
    not_text: str  # a NUL byte


TEXT = TextWords(gettext_noop("Tệp %(name)s không phải văn bản UTF-8."), gettext_noop("Tệp %(name)s không phải văn bản."))
CSV_TEXT = TextWords(gettext_noop("Tệp %(name)s không phải văn bản CSV UTF-8."),
                     gettext_noop("Tệp %(name)s không phải văn bản CSV."))

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
HEAD = 64  # bytes of the beginning kept for the content checks
TAIL = 4


@dataclass(frozen=True)
class Kind:
    """One type of file: its suffixes, its media type and how its content is recognised.

    ``text``: UTF-8 (a BOM allowed) without NUL bytes, checked while the file streams in, refused in these
    words; ``starts``: what the text begins with after a BOM and white space. ``magic``: the content begins
    with one of these; ``trailer``: and ends with this; ``part``: a ZIP that holds this member. ``refused``:
    the words for content that is not this kind (msgid, formatted with ``name``; a general sentence when
    empty)."""

    name: str
    suffixes: tuple[str, ...]
    content_type: str
    refused: str = ""
    text: TextWords | None = None
    starts: bytes = b""
    magic: tuple[bytes, ...] = ()
    trailer: bytes = b""
    part: str = ""

    def matches(self, head: bytes, tail: bytes, file: IO[bytes]) -> bool:
        """Is a file of this beginning and end (``file``, seekable, read for a ZIP's members) of this kind?
        The text checks are made while streaming (:func:`checked`), not here."""
        if self.starts and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(self.starts):
            return False
        if self.magic and not head.startswith(self.magic):
            return False
        if self.trailer and tail[-len(self.trailer):] != self.trailer:
            return False
        if self.magic == ZIP_MAGIC:
            names = _zip_members(file)
            if names is None or (self.part and self.part not in names):
                return False
        return True

    def worded(self, text: TextWords) -> Kind:
        """This kind, its text refusals in other words (a page that has always said them so)."""
        return dataclasses.replace(self, text=text)


def _zip_members(file: IO[bytes]) -> set[str] | None:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as zf:
            return set(zf.namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        file.seek(0)


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("csv", (".csv",), "text/csv", text=CSV_TEXT),
    Kind("jsonl", (".jsonl", ".ndjson"), "application/x-ndjson", text=TEXT, starts=b"{",
         refused=gettext_noop("Tệp %(name)s không phải JSON Lines (mỗi dòng một đối tượng JSON).")),
    Kind("parquet", (".parquet", ".pq"), "application/vnd.apache.parquet", magic=(b"PAR1",), trailer=b"PAR1",
         refused=gettext_noop("Tệp %(name)s không phải Parquet.")),
    Kind("pdf", (".pdf",), "application/pdf", magic=(b"%PDF-",)),
    Kind("png", (".png",), "image/png", magic=(b"\x89PNG\r\n\x1a\n",)),
    Kind("jpeg", (".jpg", ".jpeg"), "image/jpeg", magic=(b"\xff\xd8\xff",)),
    Kind("docx", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         magic=ZIP_MAGIC, part="word/document.xml"),
    Kind("xlsx", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         magic=ZIP_MAGIC, part="xl/workbook.xml", refused=gettext_noop("Tệp %(name)s không phải XLSX.")),
    Kind("zip", (".zip",), "application/zip", magic=ZIP_MAGIC),  # after docx and xlsx: any other ZIP
)}
"""Every kind of file the application accepts, in the order :func:`identify` tries them."""


@dataclass(frozen=True)
class Accepted:
    """What one upload field accepts: its kinds, and the words for a name with another suffix (msgid,
    formatted with ``name`` and ``kinds``, the accepted suffixes)."""

    kinds: tuple[Kind, ...]
    only: str = gettext_noop("Tệp %(name)s: chỉ nhận %(kinds)s.")

    def kind_for(self, suffix: str) -> Kind | None:
        return next((k for k in self.kinds if suffix in k.suffixes), None)

    @property
    def suffixes(self) -> list[str]:
        return sorted(s for k in self.kinds for s in k.suffixes)


TABLES = Accepted((KINDS["csv"], KINDS["xlsx"]), only=gettext_noop("Tệp %(name)s: chỉ nhận .csv hoặc .xlsx."))
"""A table of rows: CSV or XLSX (survey responses, the national PAR INDEX table of a report)."""


def identify(head: bytes, tail: bytes, file: IO[bytes], kinds: Iterable[Kind] = KINDS.values()) -> Kind | None:
    """The first of ``kinds`` whose content checks this file passes (the text kinds are not identified here)."""
    return next((k for k in kinds if k.text is None and k.matches(head, tail, file)), None)


# ---- receiving ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """An upload that passed the checks, in a temporary file named as uploaded (so that a reader's messages
    name the person's file) until :func:`keep` keeps it."""

    path: Path
    name: str
    suffix: str
    kind: Kind
    sha256: str
    size: int


def _refuse(words: str, name: str, **more) -> UploadRefused:
    return UploadRefused(_(words) % {"name": name, **more})


def _as_accepted(kinds: Accepted | Iterable[Kind]) -> Accepted:
    return kinds if isinstance(kinds, Accepted) else Accepted(tuple(kinds))


TOO_LARGE = gettext_noop("Tệp %(name)s quá lớn (tối đa %(mb)s MB).")


def check_size(upload, max_bytes: int) -> None:  # noqa: ANN001
    """Refuse an upload whose declared size is over ``max_bytes`` (before reading it; :func:`checked` also
    counts what it reads)."""
    if upload.size is not None and upload.size > max_bytes:
        raise _refuse(TOO_LARGE, upload.name, mb=max_bytes // (1024 * 1024))


@contextmanager
def checked(upload, kinds: Accepted | Iterable[Kind], max_bytes: int) -> Iterator[Checked]:  # noqa: ANN001
    """Stream ``upload`` (a Django ``UploadedFile``: ``name``, ``size``, ``chunks()``) to a temporary file in the
    uploads folder, checking on the way its suffix against ``kinds``, its size against ``max_bytes`` and its
    content against the kind of its suffix. Raises :class:`UploadRefused`; the temporary file is gone on leaving
    (unless kept)."""
    accepted = _as_accepted(kinds)
    name = upload.name
    suffix = Path(name).suffix.lower()
    kind = accepted.kind_for(suffix)
    if kind is None:
        raise _refuse(accepted.only, name, kinds=", ".join(accepted.suffixes))
    check_size(upload, max_bytes)
    folder = Path(tempfile.mkdtemp(dir=upload_dir(), prefix=".import-"))
    try:
        base = Path(name).name
        path = folder / (base if base not in ("", ".", "..") else f"upload{suffix}")
        digest, size, head, tail = hashlib.sha256(), 0, b"", b""
        decoder = codecs.getincrementaldecoder("utf-8")() if kind.text else None
        with path.open("w+b") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > max_bytes:
                    raise _refuse(TOO_LARGE, name, mb=max_bytes // (1024 * 1024))
                if len(head) < HEAD:
                    head += chunk[: HEAD - len(head)]
                tail = (tail + chunk)[-TAIL:]
                if decoder is not None:
                    _check_text(kind, decoder, chunk, name)
                digest.update(chunk)
                out.write(chunk)
            if decoder is not None:
                _check_text(kind, decoder, b"", name, final=True)
            if size == 0:
                raise _refuse(gettext_noop("Tệp %(name)s trống."), name)
            if not kind.matches(head, tail, out):
                raise _refuse(kind.refused or gettext_noop("Tệp %(name)s không phải %(kind)s."), name,
                              kind=kind.name.upper())
        yield Checked(path, name, suffix, kind, digest.hexdigest(), size)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_text(kind: Kind, decoder, chunk: bytes, name: str, final: bool = False) -> None:  # noqa: ANN001
    try:
        text = decoder.decode(chunk, final)
    except UnicodeDecodeError:
        raise _refuse(kind.text.not_utf8, name) from None
    if "\x00" in text:
        raise _refuse(kind.text.not_text, name)


def keep(got: Checked) -> Path:
    """Keep a checked upload as ``DATA_DIR/uploads/<sha256><suffix>`` (once: the same content is kept once)."""
    path = kept_path(got.sha256, got.suffix)
    if not path.exists():
        got.path.replace(path)
    return path


def receive(upload, kinds: Accepted | Iterable[Kind], max_bytes: int) -> Path:  # noqa: ANN001
    """Check ``upload`` (:func:`checked`) and keep it (:func:`keep`): its path in the uploads folder. Raises
    :class:`UploadRefused`, nothing kept."""
    with checked(upload, kinds, max_bytes) as got:
        return keep(got)


class UploadField(forms.FileField):
    """A form's file as it was uploaded, or None (optional unless ``required=True``): its name, size and content
    are checked by :func:`receive`, in its words, not by the form's."""

    widget = forms.FileInput

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, data):  # noqa: ANN001, ANN201
        return None if data in self.empty_values else data
