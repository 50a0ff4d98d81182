"""Report section 3: satisfaction results per unit with confidence, and the importance–performance findings,
from a result of :func:`cchc.surveys.indices.compute` (with ``by=["unit"]``)."""

from __future__ import annotations

from typing import Any

from cchc.core.numbers import format_number_vi
from cchc.reports import charts
from cchc.reports.blocks import Chart, Paragraph, Section, Table

TITLE = "Mức độ hài lòng của người dân, tổ chức"
KIND = "surveys"
QUADRANT_VI = {
    "concentrate_here": "cần tập trung cải thiện",
    "keep_up": "cần duy trì",
    "low_priority": "ưu tiên thấp",
    "possible_overkill": "có thể đang đầu tư quá mức",
}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{format_number_vi(value, 2)}%"


def survey_section(result: dict[str, Any], instrument_title: str, period: str) -> Section:
    from cchc.surveys.report import ci_rows, ipa_chart_rows, ipa_rows

    section = Section(TITLE, kind=KIND)
    overall = result["overall"]
    section.blocks.append(Paragraph(
        f"Kết quả khảo sát ({instrument_title}) {period}: chỉ số hài lòng chung đạt {_pct(overall['index'])} "
        f"(khoảng tin cậy 95%: {_pct(overall['ci_low'])} – {_pct(overall['ci_high'])}), "
        f"trên {format_number_vi(result['n'], 0)} phiếu hợp lệ."
    ))
    units = result.get("units") or []
    if units:
        rows = [
            [u.get("rank"), u["label"], u["overall"]["index"], u["overall"]["ci_low"], u["overall"]["ci_high"], u["n"],
             "chưa đủ số phiếu" if u["low_n"] else ""]
            for u in sorted(units, key=lambda u: (u.get("rank") is None, u.get("rank") or 0, u["label"]))
        ]
        section.blocks.append(Table(
            "Chỉ số hài lòng theo đơn vị", "Hài lòng theo đơn vị",
            ["Hạng", "Đơn vị", "Chỉ số (%)", "Cận dưới (95%)", "Cận trên (95%)", "Số phiếu", "Ghi chú"],
            rows, ["int", "text", "num", "num", "num", "int", "text"],
        ))
        unit_rows = ci_rows(result, "units")
        if unit_rows:
            section.blocks.append(Chart("satisfaction-units", charts.satisfaction_with_ci(unit_rows, "Chỉ số hài lòng theo đơn vị (khoảng tin cậy 95%)"),
                                        "Chỉ số hài lòng theo đơn vị, với khoảng tin cậy 95%"))
    elements = result.get("elements") or []
    if elements:
        section.blocks.append(Table(
            "Chỉ số hài lòng theo yếu tố", "Hài lòng theo yếu tố",
            ["Mã", "Yếu tố", "Chỉ số (%)", "Cận dưới (95%)", "Cận trên (95%)", "Kỳ vọng (%)", "Chênh lệch"],
            [[e["code"], e["vi"], e["index"], e["ci_low"], e["ci_high"], e.get("expectation"), e.get("gap")] for e in elements],
            ["text", "text", "num", "num", "num", "num", "signed"],
        ))
        section.blocks.append(Chart("satisfaction-elements", charts.satisfaction_with_ci(ci_rows(result, "elements"), "Chỉ số hài lòng theo yếu tố"),
                                    "Chỉ số hài lòng theo yếu tố, với khoảng tin cậy 95%"))
    ipa = ipa_rows(result)
    if ipa:
        focus = [r["name"] for r in ipa if r["quadrant"] == "concentrate_here"]
        text = ("Phân tích mức độ quan trọng – mức độ hài lòng: "
                + (f"các yếu tố quan trọng nhưng mức hài lòng dưới trung bình, cần tập trung cải thiện: {', '.join(focus)}."
                   if focus else "không có yếu tố nào vừa quan trọng vừa có mức hài lòng dưới trung bình."))
        section.blocks.append(Paragraph(text))
        section.blocks.append(Table(
            "Ma trận mức độ quan trọng – mức độ hài lòng", "Quan trọng - hài lòng",
            ["Yếu tố", "Mức độ quan trọng (% giải thích)", "Mức độ hài lòng (%)", "Nhận định"],
            [[r["name"], r["importance"], r["performance"], QUADRANT_VI.get(r["quadrant"], r["quadrant"])] for r in ipa],
            ["text", "num", "num", "text"],
        ))
        section.blocks.append(Chart("importance-performance", charts.importance_performance(ipa_chart_rows(result), "Mức độ quan trọng – mức độ hài lòng"),
                                    "Ma trận mức độ quan trọng – mức độ hài lòng"))
    return section
