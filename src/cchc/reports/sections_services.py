"""Report section 4: service delivery from one-stop-shop dossiers (Decision 766 indicators) — on-time, online,
online payment, postal, digitisation per unit for the period, the province's monthly trends, and which
indicators the data cannot compute (and why). Numbers come from :func:`cchc.services.indicators.compute`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cchc.core.numbers import format_number_vi
from cchc.core.periods import Period
from cchc.reports import charts
from cchc.reports.blocks import Chart, Paragraph, Section, Table

TITLE = "Kết quả cung cấp dịch vụ công (Quyết định 766/QĐ-TTg)"
KIND = "services"
# (indicator id, column header, trend series name)
COLUMNS = (
    ("2.1", "Đúng hạn (%)", "Đúng hạn"),
    ("3.3", "Nộp trực tuyến (%)", "Trực tuyến"),
    ("3.6A", "Thanh toán trực tuyến (%)", "Thanh toán trực tuyến"),
    ("3.3c", "Bưu chính công ích (%)", "Bưu chính"),
    ("4.2", "Số hóa hồ sơ (%)", "Số hóa"),
)
PHRASES = {"2.1": "giải quyết đúng hạn", "3.3": "nộp trực tuyến", "3.6A": "thanh toán trực tuyến",
           "3.3c": "qua dịch vụ bưu chính công ích", "4.2": "số hóa hồ sơ"}


def _rate(record: dict[str, Any], indicator: str) -> float | None:
    for item in record["indicators"]:
        if item["id"] == indicator:
            return item.get("rate") if item.get("computable") else None
    return None


def services_section(store: str | Path, year: int, half: str | None, indicator_set: str = "current") -> Section:
    from cchc.services.indicators import compute

    period = Period(year, half)
    label = period.label
    records = [r for r in compute(store, period=period.granularity, indicator_set=indicator_set).records()
               if r["period"] == label]
    section = Section(TITLE, kind=KIND)
    if not records:
        section.blocks.append(Paragraph(f"Chưa có hồ sơ thủ tục hành chính của kỳ {label} trong kho dữ liệu.", "note"))
        section.available = False
        return section
    province = next((r for r in records if r["level"] == "province"), None)
    if province:
        parts = [f"{PHRASES[ind]} {format_number_vi(v, 2)}%" for ind, _h, _s in COLUMNS
                 if (v := _rate(province, ind)) is not None]
        section.blocks.append(Paragraph(
            f"Toàn tỉnh tiếp nhận {format_number_vi(province['received'], 0)} hồ sơ trong kỳ; tỷ lệ " + "; ".join(parts) + "."
            if parts else f"Toàn tỉnh tiếp nhận {format_number_vi(province['received'], 0)} hồ sơ trong kỳ."
        ))
    units = sorted((r for r in records if r["level"] == "unit"), key=lambda r: -(_rate(r, "2.1") or -1))
    rows = [[r["unit"], r["received"]] + [_rate(r, ind) for ind, _h, _s in COLUMNS]
            + [r["total_points"], r["max_points_computable"]] for r in units]
    section.blocks.append(Table(
        f"Chỉ số phục vụ người dân, doanh nghiệp theo đơn vị, kỳ {label}", "Dịch vụ công theo đơn vị",
        ["Đơn vị", "Hồ sơ tiếp nhận"] + [h for _i, h, _s in COLUMNS] + ["Điểm 766", "Điểm tối đa tính được"],
        rows, ["text", "int"] + ["num"] * len(COLUMNS) + ["num", "num"],
    ))
    first, last = (f"{day:%Y-%m}" for day in period.bounds())  # month labels "2024-05" compare as text
    monthly = [r for r in compute(store, period="month", indicator_set=indicator_set, levels=("province",)).records()
               if first <= r["period"] <= last]
    trend_rows = [{"period": r["period"], "series": series, "value": round(v, 2)}
                  for r in monthly for ind, _h, series in COLUMNS if (v := _rate(r, ind)) is not None]
    if trend_rows:
        section.blocks.append(Chart(f"services-trend-{label}", charts.trend(trend_rows, f"Xu hướng theo tháng, kỳ {label}"),
                                    f"Các tỷ lệ phục vụ theo tháng của toàn tỉnh, kỳ {label}"))
    missing = [f"{item['id']} {item['name_vi']} ({item.get('reason_vi') or item['reason']})" for item in (province or records[0])["indicators"]
               if not item.get("computable")]
    if missing:
        section.blocks.append(Paragraph("Chỉ số chưa tính được từ dữ liệu hồ sơ: " + "; ".join(missing) + ".", "note"))
    return section
