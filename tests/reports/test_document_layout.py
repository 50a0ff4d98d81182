"""Layout of the signed documents (Decree 30/2020/NĐ-CP): the DOCX of the results-decision annex and of the review
report, rendered to PDF with LibreOffice and checked mechanically — A4, landscape where a table is wide, column
widths that hold every unbreakable token, header rows repeated, rows unsplit, captions kept with their tables,
Times New Roman (or its metric twin Liberation Serif) throughout."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from typer.testing import CliRunner

from cchc.cli import app
from cchc.reports.blocks import DocumentMeta, Paragraph, Report, Section, Table
from cchc.reports.docx_render import render_docx
from cchc.reports.pdf import soffice, to_pdf

ROOT = Path(__file__).parents[2]
NATIONAL = ROOT / "examples" / "par_index_national_2022_2023.csv"
ASSESSMENT = ROOT / "examples" / "assessment_departments_2025.csv"
A4 = (595.3, 841.9)  # points
CELL_MARGINS = 2 * 85  # twips, the cell margins the renderer sets
# Times New Roman / Liberation Serif advance widths (em) of the characters of a formatted number
NUMBER_EM = {**dict.fromkeys("0123456789", 0.5), ",": 0.25, ".": 0.25, "-": 0.333, "+": 0.564, "%": 0.833}
runner = CliRunner()
needs_pdf = pytest.mark.skipif(soffice() is None or shutil.which("pdfinfo") is None,
                               reason="LibreOffice or poppler-utils not installed")


@pytest.fixture(scope="module")
def annex(tmp_path_factory):
    out = tmp_path_factory.mktemp("annex")
    args = ["report", "decision", "--year", "2025", "--province", "Kon Tum", "--out", str(out),
            "--framework", "example-department", "--assessment", str(ASSESSMENT)]
    result = runner.invoke(app, args + ([] if soffice() else ["--no-pdf"]))
    assert result.exit_code == 0, result.output
    return out / "phu-luc-chi-so-cchc-2025.docx"


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    out = tmp_path_factory.mktemp("review")
    result = runner.invoke(app, [
        "report", "review", "--period", "2023", "--province", "Kon Tum", "--out", str(out),
        "--national", str(NATIONAL), "--framework", "example-department", "--assessment", str(ASSESSMENT),
        *([] if soffice() else ["--no-pdf"]),
    ])
    assert result.exit_code == 0, result.output
    return out / "bao-cao-cchc-2023.docx"


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def is_a4(size) -> bool:
    return sorted(size) == pytest.approx(sorted(A4), abs=1)


def pdf_words(pdf: Path) -> set[str]:
    """The words on the pages. pdftotext cuts a word where the font changes (a glyph borrowed from a fallback
    font), so boxes that touch on one line are joined again; a space is far wider than the gap allowed."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words: set[str] = set()
    for page in html.split("<page")[1:]:
        boxes = [(round(float(y), 1), float(x0), float(x1), w.replace("&amp;", "&")) for x0, y, x1, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page)]
        boxes.sort()
        current, line, end = "", None, -1e9
        for y, x0, x1, text in boxes:
            if line == y and x0 - end < 0.8:
                current += text
            else:
                words.add(current)
                current = text
            line, end = y, x1
        words.add(current)
    return words - {""}


def pdf_fonts(pdf: Path) -> set[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0].split("+")[-1] for line in out.splitlines()[2:] if line.strip()}


def liberation_serif_has_vietnamese() -> bool:
    """fonts-liberation 1.x has no Vietnamese letters (LibreOffice then borrows them from another serif);
    fonts-liberation2 and Times New Roman have them."""
    out = subprocess.run(["fc-list", ":charset=1ea1", "family"], capture_output=True, text=True, check=False).stdout
    return "Liberation Serif" in out or "Times New Roman" in out


def data_tables(doc):
    """The generated tables (the template's motto header and signature block have no header row)."""
    return [t for t in doc.tables if t.rows[0]._tr.trPr is not None
            and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None]


def check_docx_tables(path: Path, text_width_twips: dict[bool, int]) -> list:
    doc = Document(path)
    tables = data_tables(doc)
    assert tables, "no generated table found"
    for table in tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None, "a row may split across pages"
        # the caption before every table keeps with it
        caption = table._tbl.getprevious()
        assert caption.tag == qn("w:p")
        assert caption.find(qn("w:pPr") + "/" + qn("w:keepNext")) is not None, "a table title may end a page"
        # numbers, measured with the Times New Roman advance widths of their characters, plus the cell margins
        for row in table.rows:
            for cell, width in zip(row.cells, grid, strict=True):
                for run in (r for p in cell.paragraphs for r in p.runs if r.text.strip()):
                    assert run.font.name == "Times New Roman", f"cell font {run.font.name!r}"
                    size = run.font.size.pt
                    for token in run.text.split():
                        if re.fullmatch(r"[-+]?[\d.,]+%?", token):
                            need = sum(NUMBER_EM[ch] for ch in token) * size * 20 + CELL_MARGINS
                            assert width >= need, f"{token!r} ({need:.0f} twips) in a {width}-twip column"
        assert sum(grid) <= max(text_width_twips.values()) + 5
    return tables


def check_pdf(pdf: Path, docx: Path) -> list[tuple[float, float]]:
    sizes = page_sizes(pdf)
    assert sizes and all(is_a4(s) for s in sizes), sizes
    # every unbreakable token of every table cell (unit names, numbers, headers) is one whole word on the page:
    # nothing is broken letter by letter or split across lines
    words = pdf_words(pdf)
    for table in data_tables(Document(docx)):
        for row in table.rows:
            for cell in row.cells:
                for token in cell.text.split():
                    assert token in words, f"{token!r} broken in the PDF"
    fonts = pdf_fonts(pdf)
    allowed = {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic", "LiberationSerif-BoldItalic",
               "TimesNewRomanPSMT", "TimesNewRomanPS-BoldMT", "TimesNewRomanPS-ItalicMT",
               "TimesNewRomanPS-BoldItalicMT"}
    if not liberation_serif_has_vietnamese():
        allowed |= {f for f in fonts if f.startswith("DejaVuSerif")}  # glyph fallback only, see above
    assert fonts and fonts <= allowed, fonts - allowed
    assert any(f.startswith(("LiberationSerif", "TimesNewRoman")) for f in fonts)
    return sizes


# Text widths of the default template: A4, left margin 3 cm, right 2 cm.
WIDTHS = {False: 11906 - 1701 - 1134, True: 16838 - 1701 - 1134}


def test_annex_docx_tables_are_laid_out(annex):
    tables = check_docx_tables(annex, WIDTHS)
    doc = Document(annex)
    # the annex has a column per field: too wide for portrait, so the document is landscape
    section = doc.sections[-1]
    assert section.page_width > section.page_height
    assert section._sectPr.find(qn("w:pgSz")).get(qn("w:orient")) == "landscape"
    for table in tables:
        header = [c.text for c in table.rows[0].cells]
        assert header[:2] == ["STT", "Đơn vị"] and header[-1] == "Xếp loại"
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) <= WIDTHS[True] + 5
        assert grid[1] == max(grid), "the unit-name column is the widest"
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs if r.text.strip()}
    assert fonts == {"Times New Roman"}


@needs_pdf
def test_annex_pdf_is_a4_landscape_with_whole_words_and_times(annex):
    sizes = check_pdf(annex.with_suffix(".pdf"), annex)
    assert all(w > h for w, h in sizes), "the annex pages are landscape"


def test_review_docx_tables_are_laid_out(review):
    check_docx_tables(review, WIDTHS)


@needs_pdf
def test_review_pdf_is_a4_with_whole_words_and_times(review):
    check_pdf(review.with_suffix(".pdf"), review)


def test_a_wide_table_gets_a_landscape_section_between_portrait_pages(tmp_path):
    units = ["Ban Quản lý các Khu kinh tế", "Sở Giáo dục và Đào tạo", "Sở Nông nghiệp và Phát triển nông thôn"]
    wide = Table("Bảng rộng", "Rộng", ["STT", "Đơn vị", *[f"LV {i}" for i in range(1, 15)], "Tổng điểm"],
                 [[i + 1, u, *[12.25 + i] * 14, 171.5] for i, u in enumerate(units)],
                 ["int", "text", *["num"] * 14, "num"])
    narrow = Table("Bảng hẹp", "Hẹp", ["STT", "Đơn vị", "Điểm"], [[1, units[0], 86.5]], ["int", "text", "num"])
    report = Report(DocumentMeta(place="Kon Tum", subtitle="Thử bố cục"), [
        Section("Trước", [Paragraph("Đoạn văn trước bảng rộng."), narrow]),
        Section("Bảng rộng", [wide, Paragraph("Đoạn văn sau bảng rộng.")]),
    ])
    docx = render_docx(report, tmp_path / "mixed.docx")
    doc = Document(docx)
    orientations = [s.page_width > s.page_height for s in doc.sections]
    assert orientations == [False, True, False]
    check_docx_tables(docx, WIDTHS)
    if soffice() is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice or poppler-utils not installed")
    sizes = check_pdf(to_pdf(docx, tmp_path), docx)
    landscape = [w > h for w, h in sizes]
    assert landscape[0] is False and landscape[-1] is False and True in landscape, sizes
