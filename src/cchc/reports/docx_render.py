"""DOCX rendering on a docxtpl template in the official format of Decree 30/2020/NĐ-CP.

The default template is built here with python-docx; ``cchc report template --out FILE`` writes it so a province
can restyle it in Word and pass it back with ``--template``. Placeholders (docxtpl / Jinja2):

``{{ issuer_parent }}``, ``{{ issuer }}``, ``{{ number }}``, ``{{ place }}``, ``{{ date_text }}``, ``{{ title }}``,
``{{ subtitle }}``, ``{{p body }}`` (the generated sections, alone in its paragraph), ``{{ recipients }}``
(lines), ``{{ signer_title }}``, ``{{ signer_name }}``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from cchc.core.numbers import format_number_vi
from cchc.reports.blocks import Chart, Paragraph, Report, Table

FONT = "Times New Roman"


def _font(run, size: float | None = None, bold: bool = False, italic: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold or None
    run.italic = italic or None


def default_template() -> bytes:
    """The default report template (A4, Times New Roman 14, national motto header, signature block)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)

    header = doc.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    for cell, lines in (
        (left, [("{{ issuer_parent }}", False), ("{{ issuer }}", True), ("{{ number }}", False)]),
        (right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True)]),
    ):
        cell.paragraphs[0].text = ""
        for i, (text, bold) in enumerate(lines):
            para = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(para.add_run(text), 13 if cell is left else 13, bold=bold)
    date = doc.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(date.add_run("{{ place }}, {{ date_text }}"), 14, italic=True)
    for text, bold in (("{{ title }}", True), ("{{ subtitle }}", True)):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(para.add_run(text), 14, bold=bold)
    doc.add_paragraph("{{p body }}")
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    left.paragraphs[0].text = ""
    _font(left.paragraphs[0].add_run("Nơi nhận:"), 12, bold=True, italic=True)
    _font(left.add_paragraph().add_run("{{ recipients }}"), 11)
    for i, (text, bold) in enumerate((("{{ signer_title }}", True), ("", False), ("", False), ("{{ signer_name }}", True))):
        para = right.paragraphs[0] if i == 0 else right.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(para.add_run(text), 14, bold=bold)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def format_cell(value: Any, fmt: str) -> str:
    if value is None or value == "":
        return ""
    if fmt == "num":
        return format_number_vi(float(value), 2)
    if fmt == "pct":
        return format_number_vi(float(value), 2) + "%"
    if fmt == "signed":
        return format_number_vi(float(value), 2, signed=True)
    if fmt == "signed_int":
        return f"{int(value):+d}"
    if fmt == "int":
        return str(int(value))
    return str(value)


def render_docx(report: Report, out: str | Path, chart_files: dict[str, Path] | None = None,
                template: str | Path | None = None) -> Path:
    """Render the report to DOCX on ``template`` (default: :func:`default_template`)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(template if template else io.BytesIO(default_template()))
    body = tpl.new_subdoc()
    for para in report.intro:
        _paragraph(body, para)
    for number, section in enumerate(report.sections, start=1):
        heading = body.add_paragraph()
        _font(heading.add_run(f"{_roman(number)}. {section.title.upper()}"), 14, bold=True)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                _paragraph(body, block)
            elif isinstance(block, Table):
                caption = body.add_paragraph()
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(caption.add_run(block.title), 13, bold=True)
                table = body.add_table(rows=1, cols=len(block.header))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                    cell.text = ""
                    _font(cell.paragraphs[0].add_run(text), 11, bold=True)
                for row in block.rows:
                    cells = table.add_row().cells
                    for cell, value, fmt in zip(cells, row, block.formats, strict=True):
                        cell.text = ""
                        para = cell.paragraphs[0]
                        if fmt != "text":
                            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                        _font(para.add_run(format_cell(value, fmt)), 11)
                _set_widths(table, block)
                if block.note:
                    _paragraph(body, Paragraph(block.note, "note"))
            elif isinstance(block, Chart) and chart_files and block.name in chart_files:
                para = body.add_paragraph()
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                para.add_run().add_picture(str(chart_files[block.name]), width=Cm(block.width_cm))
                cap = body.add_paragraph()
                cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(cap.add_run(block.caption), 12, italic=True)
    meta = report.meta
    context = {
        "issuer_parent": meta.issuer_parent, "issuer": meta.issuer, "number": meta.number, "place": meta.place,
        "date_text": meta.date_text, "title": meta.title, "subtitle": meta.subtitle, "body": body,
        "recipients": "\n".join(f"- {r}" for r in meta.recipients), "signer_title": meta.signer_title,
        "signer_name": meta.signer_name,
    }
    tpl.render(context)
    out = Path(out)
    tpl.save(out)
    return out


def _set_widths(table, block: Table, total_cm: float = 16.0) -> None:
    """Share the text width by content length, so names get room and numbers stay narrow."""
    from docx.shared import Cm

    lengths = []
    for i, head in enumerate(block.header):
        longest = max([len(str(r[i] or "")) for r in block.rows[:100]] + [min(len(head), 12)])
        lengths.append(min(max(longest, 4), 40))
    scale = total_cm / sum(lengths)
    table.autofit = False
    for row in table.rows:
        for cell, length in zip(row.cells, lengths, strict=True):
            cell.width = Cm(length * scale)


def _paragraph(doc, block: Paragraph) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    para.paragraph_format.first_line_indent = Cm(1)
    prefix = "- " if block.style == "bullet" else ""
    _font(para.add_run(prefix + block.text), 13 if block.style == "note" else 14, italic=block.style == "note")


def _roman(n: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1] if n <= 10 else str(n)
