"""Assemble the review report and the results-decision annex, and write DOCX, XLSX, charts and PDF."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cchc.reports.blocks import DocumentMeta, Paragraph, Report, Section
from cchc.reports.sections import (
    InternalIndex,
    NationalIndex,
    absent,
    decision_annex_tables,
    internal_section,
    national_section,
)

PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<half>H[12]))?$")


def parse_period(text: str) -> tuple[int, str | None]:
    """'2024' → (2024, None); '2024-H1' → (2024, 'H1'). ValueError with a clear message otherwise.

    >>> parse_period("2024-H1")
    (2024, 'H1')
    """
    match = PERIOD.match(text.strip())
    if not match:
        raise ValueError(f"--period: {text!r} is not a year (2024) or a half year (2024-H1, 2024-H2)")
    return int(match["year"]), match["half"]


def period_words(year: int, half: str | None) -> str:
    return f"6 tháng đầu năm {year}" if half == "H1" else (f"6 tháng cuối năm {year}" if half == "H2" else f"năm {year}")


@dataclass
class ReviewInputs:
    province: str
    year: int
    half: str | None = None
    national: list[NationalIndex] = field(default_factory=list)
    internal: list[InternalIndex] = field(default_factory=list)
    extra_sections: list[Section] = field(default_factory=list)  # surveys, services, tasks … when present
    kinds: Mapping[str, str] | None = None
    signer_name: str = ""
    date: dt.date | None = None


def build_review(inputs: ReviewInputs) -> Report:
    words = period_words(inputs.year, inputs.half)
    date = inputs.date or dt.date.today()
    meta = DocumentMeta(
        issuer_parent=f"UBND TỈNH {inputs.province.upper()}",
        number="Số:       /BC-BCĐ",
        place=inputs.province,
        date_text=f"ngày {date.day:02d} tháng {date.month:02d} năm {date.year}",
        title="BÁO CÁO",
        subtitle=f"{'Sơ kết' if inputs.half else 'Tổng kết'} công tác cải cách hành chính {words}",
        recipients=("Bộ Nội vụ;", "Thường trực Tỉnh ủy;", "Thường trực HĐND tỉnh;", "Chủ tịch, các PCT UBND tỉnh;",
                    "Các sở, ban, ngành; UBND các xã, phường;", "Lưu: VT, SNV."),
        signer_title="TRƯỞNG BAN\nCHỦ TỊCH UBND TỈNH",
        signer_name=inputs.signer_name,
    )
    sections = [national_section(inputs.national, inputs.province, inputs.year, inputs.kinds)]
    if inputs.internal:
        sections.extend(internal_section(item) for item in inputs.internal)
    else:
        sections.append(absent("Kết quả Chỉ số CCHC của các cơ quan, đơn vị", "Chỉ số CCHC nội bộ đã công bố"))
    titles = {s.title for s in inputs.extra_sections}
    sections.extend(inputs.extra_sections)
    for title, what in (
        ("Mức độ hài lòng của người dân, tổ chức", "khảo sát mức độ hài lòng"),
        ("Kết quả cung cấp dịch vụ công (Quyết định 766/QĐ-TTg)", "hồ sơ thủ tục hành chính"),
        ("Thực hiện nhiệm vụ, chỉ tiêu cải cách hành chính", "kế hoạch, nhiệm vụ và chỉ tiêu"),
        ("Đề xuất khen thưởng", "đề xuất khen thưởng"),
        ("Nhiệm vụ trọng tâm kỳ tới", "nhiệm vụ kỳ tới"),
    ):
        if title not in titles:
            sections.append(absent(title, what))
    intro = [Paragraph(
        f"Ban Chỉ đạo cải cách hành chính tỉnh {inputs.province} báo cáo kết quả công tác cải cách hành chính {words} "
        "như sau:"
    )]
    return Report(meta=meta, sections=sections, intro=intro)


def build_decision_annex(internal: Sequence[InternalIndex], province: str, date: dt.date | None = None) -> Report:
    date = date or dt.date.today()
    year = internal[0].year if internal else date.year
    section = Section(f"Kết quả Chỉ số cải cách hành chính năm {year}")
    for item in internal:
        section.blocks.extend(decision_annex_tables(item.framework, item.cycle, item.year))
    meta = DocumentMeta(
        issuer_parent=f"UBND TỈNH {province.upper()}", issuer="", number="", place=province,
        date_text=f"ngày {date.day:02d} tháng {date.month:02d} năm {date.year}",
        title="PHỤ LỤC",
        subtitle=f"Kết quả Chỉ số cải cách hành chính năm {year} của các cơ quan, đơn vị\n"
                 f"(Kèm theo Quyết định số      /QĐ-UBND ngày      của UBND tỉnh {province})",
        recipients=(), signer_title="", signer_name="",
    )
    return Report(meta=meta, sections=[section])


def write_report(report: Report, out_dir: str | Path, stem: str, *, template: str | Path | None = None,
                 pdf: bool = True, charts: bool = True) -> dict[str, object]:
    """Write ``stem.docx``, ``stem.xlsx``, charts as PNG and SVG, and ``stem.pdf`` when LibreOffice is present.

    Returns the paths written and, when the PDF could not be made, the reason under ``pdf_error``."""
    from cchc.reports.charts import render_png, render_svg
    from cchc.reports.docx_render import render_docx
    from cchc.reports.pdf import PdfUnavailable, to_pdf
    from cchc.reports.xlsx_render import render_xlsx

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, object] = {"charts": []}
    chart_files: dict[str, Path] = {}
    if charts:
        for chart in report.charts():
            png = out / f"{chart.name}.png"
            png.write_bytes(render_png(chart.spec))
            (out / f"{chart.name}.svg").write_text(render_svg(chart.spec), encoding="utf-8")
            chart_files[chart.name] = png
            written["charts"].append(png)  # type: ignore[union-attr]
    written["docx"] = render_docx(report, out / f"{stem}.docx", chart_files, template)
    written["xlsx"] = render_xlsx(report.tables(), out / f"{stem}.xlsx")
    if pdf:
        try:
            written["pdf"] = to_pdf(written["docx"], out)  # type: ignore[arg-type]
        except PdfUnavailable as error:
            written["pdf_error"] = str(error)
    return written
