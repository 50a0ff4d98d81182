"""Unit import from XLSX: creates and updates by code, lineage, all-or-nothing, errors name row and column."""

import io

import pytest
from openpyxl import Workbook

from cchc.web.org.models import Unit, UnitLineage
from cchc.web.org.services import import_units

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


HEAD = ["mã", "tên", "loại", "đơn vị cấp trên", "khu vực", "từ năm", "đơn vị tiền thân", "hình thức", "ngày hiệu lực"]


def test_import_creates_units_and_lineage():
    rep = import_units(_xlsx([
        HEAD,
        ["TINH", "UBND tỉnh", "tỉnh", None, None, None, None, None, None],
        ["X1", "Xã A", "xã", "TINH", "Bắc", 2020, None, None, None],
        ["X2", "Xã B", "xã", "TINH", "Bắc", 2020, None, None, None],
        ["X3", "Xã A-B", "xã", "TINH", "Bắc", 2025, "X1; X2", "sáp nhập", "01/07/2025"],
        ["P1", "Phường Một", "phường", "TINH", "Nam", 2025, None, None, None],
    ]))
    assert rep.errors == [] and rep.created == 5
    assert Unit.objects.get(code="X3").parent.code == "TINH"
    assert Unit.objects.get(code="P1").unit_type == "ward"
    links = UnitLineage.objects.filter(successor__code="X3")
    assert {lk.predecessor.code for lk in links} == {"X1", "X2"} and links[0].kind == "merge"
    assert str(links[0].date) == "2025-07-01"
    rep = import_units(_xlsx([HEAD, ["X1", "Xã A (đổi tên)", "xã", "TINH", "Bắc", 2020]]))
    assert rep.updated == 1 and Unit.objects.get(code="X1").name == "Xã A (đổi tên)"


def test_errors_name_row_and_column_and_nothing_is_written():
    rep = import_units(_xlsx([
        HEAD,
        ["A1", "Đơn vị A", "sở", None, None, None],
        ["A2", "Đơn vị B", "hợp tác xã", None, None, None],
        ["A3", "Đơn vị C", "sở", "KHONGCO", None, "năm ngoái"],
        ["A1", "Trùng mã", "sở", None, None, None],
        ["A4", "Đơn vị D", "sở", None, None, None, None, None, "31/02/2025"],
    ]))
    text = "\n".join(rep.errors)
    assert "Dòng 3, cột C (loại)" in text and "hợp tác xã" in text
    assert "Dòng 4, cột F (từ năm)" in text
    assert "Dòng 4, cột D (đơn vị cấp trên)" in text and "KHONGCO" in text
    assert "mã A1 trùng ở các dòng 2, 5" in text
    assert "Dòng 6, cột I (ngày hiệu lực)" in text
    assert not Unit.objects.exists()


def test_missing_required_column():
    rep = import_units(_xlsx([["mã", "tên"], ["A", "B"]]))
    assert rep.errors == ["Thiếu cột bắt buộc: “loại” (hoặc “type”)."]  # the header's names, not an internal one


def test_errors_in_the_persons_language(world, login):
    """On the English page the problems are in English; a file that is not a workbook says so plainly."""
    from django.utils import translation

    with translation.override("en"):
        rep = import_units(_xlsx([HEAD, ["A2", "Đơn vị B", "hợp tác xã"], ["A3", "", "sở"]]))
        assert "Row 2, column C (loại): invalid unit type: 'hợp tác xã'" in rep.errors[0]
        assert rep.errors[1] == "Row 3, column B (tên): the unit name is missing."
        assert import_units(_xlsx([["code"], ["A"]])).errors == [
            "Missing required column: “name” (or “tên”).", "Missing required column: “type” (or “loại”)."]
    c = login(world.users["admin"])
    fake = io.BytesIO(b"ma,ten\nA,B\n")
    fake.name = "don-vi.xlsx"
    page = c.post("/units/import/", {"file": fake}, follow=True).content.decode()
    assert "Tệp don-vi.xlsx không phải tệp Excel (.xlsx); không có thay đổi nào được ghi." in page
    assert "zip" not in page


def test_import_page_admin_only(world, login):
    f = _xlsx([HEAD, ["N1", "Sở Mới", "sở"]])
    f.name = "units.xlsx"
    assert login(world.users["leader"]).post("/units/import/", {"file": f}).status_code == 403
    f.seek(0)
    r = login(world.users["admin"]).post("/units/import/", {"file": f}, follow=True)
    assert r.status_code == 200 and Unit.objects.filter(code="N1").exists()


def test_import_without_a_file_is_a_bad_request(world, login):
    r = login(world.users["admin"]).post("/units/import/", {})
    assert r.status_code == 400 and r.content == b"file missing"


@pytest.mark.parametrize("code", ["A/B", "SO:1", "Sở Một", "X?1", "..", "A#1"])
def test_a_unit_code_that_breaks_urls_sheets_or_file_names_is_refused(code):
    from django.utils import translation

    rep = import_units(_xlsx([HEAD, ["OK-1_a.b", "Đơn vị tốt", "sở"], [code, "Đơn vị xấu", "sở"]]))
    assert len(rep.errors) == 1 and rep.errors[0].startswith("Dòng 3, cột A (mã): mã đơn vị")
    assert repr(code) in rep.errors[0] and "chỉ dùng chữ, số" in rep.errors[0]
    assert not Unit.objects.exists()  # all or nothing
    with translation.override("en"):
        en = import_units(_xlsx([HEAD, [code, "Đơn vị xấu", "sở"]])).errors
    assert en == [f"Row 2, column A (mã): unit code {code!r} has characters that cannot be used "
                  "(letters, digits, “-”, “_” and “.” only)."]


def test_existing_bad_unit_codes_are_reported_on_the_units_page(world, login):
    from cchc.web.org.services import bad_unit_codes

    assert bad_unit_codes() == []
    html = login(world.users["admin"]).get("/units/").content.decode()
    assert 'id="bad-codes"' not in html
    Unit.objects.create(code="SO/2", name="Sở cũ", unit_type="department")  # stored before the import checked
    Unit.objects.create(code="Đ-1", name="Đơn vị tốt", unit_type="department")
    assert bad_unit_codes() == ["SO/2"]
    html = login(world.users["admin"]).get("/units/").content.decode()
    assert 'id="bad-codes"' in html and "SO/2" in html[html.index('id="bad-codes"'):].split("</p>")[0]
    assert "Đ-1" not in html[html.index('id="bad-codes"'):].split("</p>")[0]
