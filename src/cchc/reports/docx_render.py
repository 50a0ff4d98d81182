"""DOCX rendering on a docxtpl template in the official format of Decree 30/2020/NĐ-CP.

The default template is built here with python-docx; ``cchc report template --out FILE`` writes it so a province
can restyle it in Word and pass it back with ``--template``. Placeholders (docxtpl / Jinja2):

``{{ issuer_parent }}``, ``{{ issuer }}``, ``{{ number }}``, ``{{ place }}``, ``{{ date_text }}``, ``{{ title }}``,
``{{ subtitle }}``, ``{{p body }}`` (the generated sections, alone in its paragraph), ``{{ recipients }}``
(lines), ``{{ signer_title }}``, ``{{ signer_name }}``.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
from dataclasses import dataclass
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
    run._element.rPr.rFonts.set(qn("w:cs"), FONT)
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
    normal.element.rPr.rFonts.set(qn("w:cs"), FONT)
    _default_fonts(doc)

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
    tpl.init_docx()
    page = _Page.of(tpl.docx.sections[-1])
    tables = [b for sec in report.sections for b in sec.blocks if isinstance(b, Table)]
    layouts = {id(b): layout_table(b, page) for b in tables}
    has_charts = any(isinstance(b, Chart) for sec in report.sections for b in sec.blocks)
    # A document made only of tables that all need landscape (the results-decision annex) is landscape as a whole;
    # otherwise each wide table (with its caption and note) gets a landscape section of its own.
    whole_landscape = bool(tables) and not has_charts and all(layouts[id(b)].landscape for b in tables)
    base_sect = tpl.docx.sections[-1]._sectPr
    if whole_landscape:
        _orient(base_sect, landscape=True)
        _widen_frame(tpl.docx, page)
    body = tpl.new_subdoc()
    state = {"landscape": whole_landscape}

    def switch(landscape: bool) -> None:
        if state["landscape"] != landscape:
            _end_section(body, base_sect, landscape=state["landscape"])
            state["landscape"] = landscape

    for para in report.intro:
        _paragraph(body, para)
    for number, section in enumerate(report.sections, start=1):
        first = section.blocks[0] if section.blocks else None
        switch(whole_landscape or (isinstance(first, Table) and layouts[id(first)].landscape))
        heading = body.add_paragraph()
        heading.paragraph_format.keep_with_next = True
        _font(heading.add_run(f"{_roman(number)}. {section.title.upper()}"), 14, bold=True)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                switch(whole_landscape)
                _paragraph(body, block)
            elif isinstance(block, Table):
                layout = layouts[id(block)]
                switch(whole_landscape or layout.landscape)
                _table(body, block, layout)
            elif isinstance(block, Chart) and chart_files and block.name in chart_files:
                switch(whole_landscape)
                para = body.add_paragraph()
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                para.paragraph_format.keep_with_next = True
                para.add_run().add_picture(str(chart_files[block.name]), width=Cm(block.width_cm))
                cap = body.add_paragraph()
                cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(cap.add_run(block.caption), 12, italic=True)
    switch(whole_landscape)
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


# Advance widths of Times New Roman regular (Liberation Serif has the same metrics), in 1/1000 em. A letter with
# Vietnamese diacritics measures as its base letter; any other character counts as a full em (conservative).
_TNR = {
    " ": 250, "!": 333, '"': 408, "#": 500, "$": 500, "%": 833, "&": 778, "'": 180, "(": 333, ")": 333, "*": 500,
    "+": 564, ",": 250, "-": 333, ".": 250, "/": 278, ":": 278, ";": 278, "<": 564, "=": 564, ">": 564, "?": 444,
    "@": 921, "[": 333, "\\": 278, "]": 333, "_": 500, "–": 500, "—": 1000, "…": 1000,
    **dict.fromkeys("0123456789", 500),
    "A": 722, "B": 667, "C": 667, "D": 722, "E": 611, "F": 556, "G": 722, "H": 722, "I": 333, "J": 389, "K": 722,
    "L": 611, "M": 889, "N": 722, "O": 722, "P": 556, "Q": 722, "R": 667, "S": 556, "T": 611, "U": 722, "V": 722,
    "W": 944, "X": 722, "Y": 722, "Z": 611,
    "a": 444, "b": 500, "c": 444, "d": 500, "e": 444, "f": 333, "g": 500, "h": 500, "i": 278, "j": 278, "k": 500,
    "l": 278, "m": 778, "n": 500, "o": 500, "p": 500, "q": 500, "r": 333, "s": 389, "t": 278, "u": 500, "v": 500,
    "w": 722, "x": 500, "y": 500, "z": 444, "Đ": 722, "đ": 500,
}
BOLD_FACTOR = 1.12  # Times bold is at most about 10 % wider than regular
SAFETY = 1.05
CELL_PAD = 85  # twips left and right of the text in every cell (0.15 cm)
TEXT_COMFORT = 2835  # twips (5 cm): a text column this wide keeps most unit names on one or two lines
FONT_SIZES = (11.0, 10.0, 9.0, 8.0)


def char_width(ch: str) -> int:
    width = _TNR.get(ch)
    if width is None:
        width = _TNR.get(unicodedata.normalize("NFD", ch)[:1], 1000)
    return width


def text_width_twips(text: str, size: float, bold: bool = False) -> float:
    """A conservative width of ``text`` in Times New Roman at ``size`` pt, in twips (1/20 pt)."""
    em = sum(char_width(ch) for ch in text)
    return em / 1000 * size * 20 * (BOLD_FACTOR if bold else 1.0) * SAFETY


def longest_token_twips(text: str, size: float, bold: bool = False) -> float:
    """The width of the longest run of characters a line cannot be broken in (spaces and hyphens break)."""
    tokens = [t for t in re.split(r"\s+|(?<=-)", text) if t]
    return max((text_width_twips(t, size, bold) for t in tokens), default=0.0)


@dataclass(frozen=True)
class _Page:
    """The template's page, in twips: text widths in portrait and in landscape (same margins)."""

    portrait_text: int
    landscape_text: int

    @classmethod
    def of(cls, section) -> _Page:
        def tw(emu) -> int:
            return int(emu) // 635

        width, height = tw(section.page_width), tw(section.page_height)
        side = tw(section.left_margin) + tw(section.right_margin)
        return cls(min(width, height) - side, max(width, height) - side)


@dataclass(frozen=True)
class TableLayout:
    landscape: bool
    widths: list[int]  # twips, per column
    font_size: float
    fits: bool = True  # False: even landscape at the smallest size cannot hold every unbreakable token


def _cells(block: Table) -> list[list[str]]:
    return [[format_cell(v, f) for v, f in zip(row, block.formats, strict=True)] for row in block.rows]


def _needs(block: Table, size: float) -> tuple[list[float], list[float]]:
    """Per column: the width its longest unbreakable token needs, and the width its longest text wants."""
    rows = _cells(block)
    need, want = [], []
    for i, head in enumerate(block.header):
        values = [r[i] for r in rows]
        n = max([longest_token_twips(head, size, bold=True)] + [longest_token_twips(v, size) for v in values])
        w = max([n] + [text_width_twips(v, size) for v in values])
        need.append(n + 2 * CELL_PAD + 10)
        want.append(w + 2 * CELL_PAD + 10)
    return need, want


def _share(need: list[float], want: list[float], text_cols: list[bool], avail: int) -> list[int]:
    """Give every column what it needs, then spread the rest toward what text columns want, filling ``avail``."""
    widths = list(need)
    extra = avail - sum(widths)
    gaps = [w - n for n, w in zip(need, want, strict=True)]
    if sum(gaps) > 0:
        take = min(1.0, extra / sum(gaps))
        widths = [n + g * take for n, g in zip(need, gaps, strict=True)]
    extra = avail - sum(widths)
    if extra > 0:
        grow = [w if t else 0.0 for w, t in zip(widths, text_cols, strict=True)]
        if not sum(grow):
            grow = widths
        total = sum(grow)
        widths = [w + extra * g / total for w, g in zip(widths, grow, strict=True)]
    return [int(w) for w in widths]


def layout_table(block: Table, page: _Page) -> TableLayout:
    """Orientation, column widths and font size of a table: portrait when its columns fit comfortably in the
    portrait text width, otherwise landscape; the largest size (11 pt down to 8 pt) whose tokens all fit."""
    text_cols = [f == "text" for f in block.formats]
    for size in FONT_SIZES:
        need, want = _needs(block, size)
        comfort = [min(w, max(n, TEXT_COMFORT)) if t else n for n, w, t in zip(need, want, text_cols, strict=True)]
        if sum(comfort) <= page.portrait_text:
            return TableLayout(False, _share(need, want, text_cols, page.portrait_text), size)
        if sum(need) <= page.landscape_text:
            return TableLayout(True, _share(need, want, text_cols, page.landscape_text), size)
    size = FONT_SIZES[-1]
    need, _ = _needs(block, size)
    scale = page.landscape_text / sum(need)
    return TableLayout(True, [int(n * scale) for n in need], size, fits=False)


def _table(body, block: Table, layout: TableLayout) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    caption = body.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True  # the title never ends a page without its table
    caption.paragraph_format.space_before = Pt(6)
    _font(caption.add_run(block.title), 13, bold=True)
    table = body.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    size = layout.font_size
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        cell.text = ""
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), size, bold=True)
    for row in _cells(block):
        cells = table.add_row().cells
        for cell, text, fmt in zip(cells, row, block.formats, strict=True):
            cell.text = ""
            para = cell.paragraphs[0]
            if fmt != "text":
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(para.add_run(text), size)
    # fixed layout: the grid, the table width and every cell width as computed; cell margins as measured
    tbl_pr = table._tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout", "w:tblCellMar"):
        for old in tbl_pr.findall(qn(tag)):
            tbl_pr.remove(old)
    tbl_w = OxmlElement("w:tblW")
    tbl_w.set(qn("w:w"), str(sum(layout.widths)))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_layout = OxmlElement("w:tblLayout")
    tbl_layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(CELL_PAD))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.append(tbl_w)
    tbl_pr.append(tbl_layout)
    tbl_pr.append(margins)
    _sort_children(tbl_pr, _TBLPR_ORDER)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), layout.widths, strict=True):
        col.set(qn("w:w"), str(width))
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
        if index == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))  # the header row repeats on every page
        for cell, width in zip(row.cells, layout.widths, strict=True):
            tc_w = cell._tc.get_or_add_tcPr().get_or_add_tcW()
            tc_w.set(qn("w:w"), str(width))
            tc_w.set(qn("w:type"), "dxa")
    if block.note:
        _paragraph(body, Paragraph(block.note, "note"))


_TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
                "tblCaption", "tblDescription"]


def _sort_children(element, order: list[str]) -> None:
    rank = {name: i for i, name in enumerate(order)}
    children = list(element)
    children.sort(key=lambda c: rank.get(c.tag.rsplit("}", 1)[-1], len(order)))
    for child in children:
        element.remove(child)
        element.append(child)


def _orient(sect_pr, landscape: bool) -> None:
    from docx.oxml.ns import qn

    size = sect_pr.find(qn("w:pgSz"))
    w, h = int(size.get(qn("w:w"))), int(size.get(qn("w:h")))
    size.set(qn("w:w"), str(max(w, h) if landscape else min(w, h)))
    size.set(qn("w:h"), str(min(w, h) if landscape else max(w, h)))
    if landscape:
        size.set(qn("w:orient"), "landscape")
    elif size.get(qn("w:orient")) is not None:
        del size.attrib[qn("w:orient")]


def _end_section(body, base_sect, landscape: bool) -> None:
    """End the running section (portrait or landscape) at the last paragraph written, a new page following."""
    from docx.oxml.ns import qn

    sect = copy.deepcopy(base_sect)
    for tag in ("w:headerReference", "w:footerReference", "w:type"):
        for old in sect.findall(qn(tag)):
            sect.remove(old)  # headers and footers carry over from the section before
    for num in sect.findall(qn("w:pgNumType")):
        num.attrib.pop(qn("w:start"), None)  # page numbers run on
    _orient(sect, landscape)
    doc_body = body.subdocx.element.body
    last = [c for c in doc_body if c.tag != qn("w:sectPr")]
    if not last or last[-1].tag != qn("w:p") or last[-1].find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None:
        body.add_paragraph()
        last = [c for c in doc_body if c.tag != qn("w:sectPr")]
    para = last[-1]
    p_pr = para.get_or_add_pPr()
    p_pr.append(sect)


def _widen_frame(doc, page: _Page) -> None:
    """On a landscape document, the template's own tables (motto header, signature) take the landscape width."""
    from docx.oxml.ns import qn

    scale = page.landscape_text / page.portrait_text
    for table in doc.tables:
        cols = table._tbl.tblGrid.findall(qn("w:gridCol"))
        if not cols or any(c.get(qn("w:w")) is None for c in cols):
            continue
        for col in cols:
            col.set(qn("w:w"), str(int(int(col.get(qn("w:w"))) * scale)))
        for width in table._tbl.iter(qn("w:tcW")):
            if width.get(qn("w:type")) == "dxa":
                width.set(qn("w:w"), str(int(int(width.get(qn("w:w"))) * scale)))


def _default_fonts(doc) -> None:
    """Times New Roman as the document default for every script (no theme fonts)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


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
