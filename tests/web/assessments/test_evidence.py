"""Evidence upload: type by content, size limit, double upload, storage by hash, download permission."""

import io
import zipfile

import pytest
from tests.web.helpers import set_state

from cchc.web.assessments import evidence
from cchc.web.assessments.models import Evidence, State
from cchc.web.assessments.services import get_leaf
from cchc.web.demo import tiny_pdf

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _leaf(world):
    return next(n for n in world.fw.leaves("department") if n.evidence == "required")


def test_types_are_checked_by_content(world):
    la = get_leaf(world.part("D1"), _leaf(world).code)
    assert evidence.store_bytes(la, "a.pdf", tiny_pdf("a")).content_type == "application/pdf"
    assert evidence.store_bytes(la, "b.docx", _docx()).content_type.endswith("wordprocessingml.document")
    assert evidence.store_bytes(la, "c.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50).content_type == "image/png"
    with pytest.raises(evidence.EvidenceError, match="không phải PDF"):
        evidence.store_bytes(la, "fake.pdf", b"MZ\x90\x00 this is an executable")
    with pytest.raises(evidence.EvidenceError, match="phần mở rộng"):
        evidence.store_bytes(la, "renamed.xlsx", tiny_pdf("x"))
    with pytest.raises(evidence.EvidenceError, match="rỗng"):
        evidence.store_bytes(la, "empty.pdf", b"")


def _zip(member: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(member, "<x/>")
    return buf.getvalue()


def test_kinds_come_from_the_one_table_and_refusals_are_upload_refusals(world):
    from cchc.web.uploads import UploadRefused

    la = get_leaf(world.part("D1"), _leaf(world).code)
    assert evidence.store_bytes(la, "d.xlsx", _zip("xl/workbook.xml")).content_type.endswith("spreadsheetml.sheet")
    assert evidence.store_bytes(la, "e.zip", _zip("other.txt")).content_type == "application/zip"
    assert evidence.store_bytes(la, "f.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20).content_type == "image/jpeg"
    with pytest.raises(UploadRefused, match="phần mở rộng"):  # a workbook is not a plain ZIP
        evidence.store_bytes(la, "g.zip", _zip("xl/workbook.xml"))
    with pytest.raises(evidence.EvidenceError, match="không phải PDF"):
        evidence.store_bytes(la, "h.zip", b"PK\x03\x04 not really a zip")


def test_too_large_is_refused(world, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    la = get_leaf(world.part("D1"), _leaf(world).code)
    with pytest.raises(evidence.EvidenceError, match="quá lớn"):
        evidence.store_bytes(la, "big.pdf", b"%PDF-1.4\n" + b"0" * 2000)
    assert not Evidence.objects.exists()
    assert not [p for p in evidence.evidence_root().rglob("*") if p.is_file()]


def test_double_upload_refused_and_stored_once(world):
    data = tiny_pdf("same")
    la1 = get_leaf(world.part("D1"), _leaf(world).code)
    e1 = evidence.store_bytes(la1, "x.pdf", data)
    with pytest.raises(evidence.EvidenceError, match="đã được đính kèm"):
        evidence.store_bytes(la1, "x-copy.pdf", data)
    other = [n for n in world.fw.leaves("department") if n.evidence == "required"][1]
    e2 = evidence.store_bytes(get_leaf(world.part("D1"), other.code), "x.pdf", data)
    assert e1.sha256 == e2.sha256
    files = [p for p in evidence.evidence_root().rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].name == e1.sha256


def test_upload_page_and_download_permissions(world, login):
    set_state(world.cycle, State.OPEN)
    leaf = _leaf(world)
    c = login(world.users["focal"])
    url = f"/cycles/{world.cycle.pk}/units/D1/self/leaf/{leaf.code}/evidence/"
    up = io.BytesIO(tiny_pdf("up"))
    up.name = "ke-hoach.pdf"
    r = c.post(url, {"file": up}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "ke-hoach.pdf" in r.content.decode()
    bad = io.BytesIO(b"not a pdf at all")
    bad.name = "bad.pdf"
    r = c.post(url, {"file": bad}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "không phải PDF" in r.content.decode()
    ev = Evidence.objects.get()
    assert c.get(f"/evidence/{ev.pk}/").status_code == 200
    assert login(world.users["focal2"]).get(f"/evidence/{ev.pk}/").status_code == 403
    assert login(world.users["leader"]).get(f"/evidence/{ev.pk}/").status_code == 200
    # Another unit's focal point cannot upload to D1.
    up2 = io.BytesIO(tiny_pdf("other"))
    up2.name = "o.pdf"
    assert login(world.users["focal2"]).post(url, {"file": up2}).status_code == 403
