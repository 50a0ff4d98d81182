"""The one upload checker (:mod:`cchc.web.uploads`) as the dossier import and the survey and report tables use
it: the kind of a suffix checked by content while streaming, the words of each caller, one kept copy per
content, nothing left behind by a refusal."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.web.dossiers.services import DOSSIER_FILES
from cchc.web.uploads import KINDS, TABLES, UploadRefused, checked, identify, kept_path, receive, upload_dir

MB = 1024 * 1024


def _workbook() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def _refusal(kinds, name: str, content: bytes, max_bytes: int = MB) -> str:
    with pytest.raises(UploadRefused) as refused:
        receive(SimpleUploadedFile(name, content), kinds, max_bytes)
    return str(refused.value)


@pytest.mark.parametrize(("kinds", "name", "content", "words"), [
    (DOSSIER_FILES, "a.xlsx", b"PK\x03\x04", "Tệp a.xlsx: chỉ nhận .csv, .jsonl, .ndjson, .parquet, .pq."),
    (DOSSIER_FILES, "a.csv", b"\xff", "Tệp a.csv không phải văn bản UTF-8."),
    (DOSSIER_FILES, "a.csv", b"a,\x00", "Tệp a.csv không phải văn bản."),
    (DOSSIER_FILES, "a.csv", "é".encode()[:1], "Tệp a.csv không phải văn bản UTF-8."),  # cut inside a character
    (DOSSIER_FILES, "a.jsonl", b"a,b\n", "Tệp a.jsonl không phải JSON Lines (mỗi dòng một đối tượng JSON)."),
    (DOSSIER_FILES, "a.pq", b"PAR1 but no end", "Tệp a.pq không phải Parquet."),
    (DOSSIER_FILES, "a.csv", b"", "Tệp a.csv trống."),
    (TABLES, "a.txt", b"a,b", "Tệp a.txt: chỉ nhận .csv hoặc .xlsx."),
    (TABLES, "a.csv", b"\xff", "Tệp a.csv không phải văn bản CSV UTF-8."),
    (TABLES, "a.csv", b"a,\x00", "Tệp a.csv không phải văn bản CSV."),
    (TABLES, "a.xlsx", b"PK\x03\x04 not a workbook", "Tệp a.xlsx không phải XLSX."),
    (TABLES, "a.xlsx", b"PK\x05\x06" + b"\x00" * 18, "Tệp a.xlsx không phải XLSX."),  # an empty ZIP
])
def test_refusals_in_each_callers_words(kinds, name, content, words):
    assert _refusal(kinds, name, content) == words
    assert not [p for p in upload_dir().iterdir() if p.name.startswith(".")]


def test_too_large_declared_or_counted():
    assert _refusal(TABLES, "big.csv", b"a" * (MB + 1)) == "Tệp big.csv quá lớn (tối đa 1 MB)."

    class Undeclared(SimpleUploadedFile):
        size = None

    with pytest.raises(UploadRefused, match="quá lớn"):
        receive(Undeclared("big.csv", b"a" * (MB + 1)), TABLES, MB)


def test_accepted_files_are_kept_once_under_their_hash():
    text = "\ufeffđơn vị,chỉ số\nSở Một,5\n".encode()
    first = receive(SimpleUploadedFile("a.csv", text), TABLES, MB)
    again = receive(SimpleUploadedFile("b.csv", text), TABLES, MB)
    assert first == again and first.read_bytes() == text and first.parent == Path(settings.DATA_DIR, "uploads")
    assert receive(SimpleUploadedFile("w.xlsx", _workbook()), TABLES, MB).suffix == ".xlsx"
    assert receive(SimpleUploadedFile("r.jsonl", b' {"a": 1}\n'), DOSSIER_FILES, MB).suffix == ".jsonl"
    assert receive(SimpleUploadedFile("r.pq", b"PAR1....PAR1"), DOSSIER_FILES, MB).suffix == ".pq"


def test_checked_gives_the_file_under_its_uploaded_name_and_keeps_nothing_unless_asked():
    with checked(SimpleUploadedFile("phiếu.csv", b"a,b;unkept\n"), TABLES, MB) as got:
        assert got.path.name == "phiếu.csv" and got.kind is KINDS["csv"] and got.size == 11
    assert not got.path.parent.exists() and not kept_path(got.sha256, ".csv").exists()


def test_identify_by_content():
    pdf = b"%PDF-1.4 ..."
    assert identify(pdf, pdf[-4:], io.BytesIO(pdf)).name == "pdf"
    book = _workbook()
    assert identify(book[:64], book[-4:], io.BytesIO(book)).name == "xlsx"
    assert identify(b"MZ", b"MZ", io.BytesIO(b"MZ")) is None
