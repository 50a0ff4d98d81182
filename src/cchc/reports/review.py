"""Assemble the review report and the results-decision annex, and write DOCX, XLSX, charts and PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cchc.core.periods import Period
from cchc.reports import sections_services, sections_steering, sections_surveys
from cchc.reports.blocks import DocumentMeta, Paragraph, Report, Section
from cchc.reports.sections import (
    INTERNAL_KIND,
    InternalIndex,
    NationalIndex,
    absent,
    decision_annex_tables,
    internal_section,
    national_section,
)

# The sections a review always has: when the inputs bring none of a title, a "no data yet" note stands in.
EXPECTED_SECTIONS = (
    (sections_surveys.TITLE, "khảo sát mức độ hài lòng", sections_surveys.KIND),
    (sections_services.TITLE, "hồ sơ thủ tục hành chính", sections_services.KIND),
    (sections_steering.TASKS_TITLE, "kế hoạch, nhiệm vụ và chỉ tiêu", sections_steering.KIND),
    (sections_steering.REWARDS_TITLE, "đề xuất khen thưởng", sections_steering.KIND),
    (sections_steering.NEXT_TITLE, "nhiệm vụ kỳ tới", sections_steering.KIND),
)


def parse_period(text: str) -> tuple[int, str | None]:
    """``--period`` as (year, half): :meth:`cchc.core.periods.Period.parse` with the option named in the message.

    Kept for the web's report form and job (``cchc.web.reports``); new code calls ``Period.parse``.

    >>> parse_period("2024-H1")
    (2024, 'H1')
    """
    try:
        period = Period.parse(text)
    except ValueError as error:
        raise ValueError(f"--period: {error}") from None
    return period.year, period.half


def period_words(year: int, half: str | None) -> str:
    """``Period(year, half).words_vi()``; kept for ``cchc.web.reports.sources``, new code calls Period."""
    return Period(year, half).words_vi()


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
    words = Period(inputs.year, inputs.half).words_vi()
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
        sections.append(absent("Kết quả Chỉ số CCHC của các cơ quan, đơn vị", "Chỉ số CCHC nội bộ đã công bố",
                               INTERNAL_KIND))
    titles = {s.title for s in inputs.extra_sections}
    sections.extend(inputs.extra_sections)
    for title, what, kind in EXPECTED_SECTIONS:
        if title not in titles:
            sections.append(absent(title, what, kind))
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
