"""Chart specifications (Vega-Lite, via Altair) and their rendering to PNG/SVG with vl-convert.

One spec serves the web page (vega-embed, vendored) and the documents (PNG). Each function takes plain rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"


def _config(spec: dict[str, Any]) -> dict[str, Any]:
    spec.setdefault("config", {})
    spec["config"].update({
        "font": FONT, "view": {"stroke": None},
        "title": {"font": FONT, "fontSize": 14}, "axis": {"labelFont": FONT, "titleFont": FONT, "labelAngle": 0},
        "legend": {"labelFont": FONT, "titleFont": FONT},
    })
    return spec


VEGA_LITE = "https://vega.github.io/schema/vega-lite/v6.json"


def indices_by_band(rows: Sequence[dict[str, Any]], index_title: str = "Chỉ số (%)",
                    band_title: str = "Xếp loại") -> dict[str, Any]:
    """Rows ``{"unit", "index", "band"}`` (the band's label) → one bar per unit on a 0–100 scale, highest on top,
    coloured by band (the results page of a cycle). Width follows the container, 14 px a bar."""
    return {
        "$schema": VEGA_LITE,
        "data": {"values": [{"unit": r["unit"], "index": r["index"], "band": r["band"]} for r in rows]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "unit", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "index", "type": "quantitative", "title": index_title, "scale": {"domain": [0, 100]}},
            "color": {"field": "band", "type": "nominal", "title": band_title},
            "tooltip": [{"field": "unit"}, {"field": "index", "format": ".2f"}, {"field": "band"}],
        },
        "width": "container",
        "height": {"step": 14},
    }


def unit_against_group(rows: Sequence[dict[str, Any]], unit: str, average: str,
                       index_title: str = "Chỉ số (%)") -> dict[str, Any]:
    """Rows ``{"field", "index", "group_mean"}`` (field names in the order shown) → per field two bars side by
    side on a 0–100 scale: the unit's index (series ``unit``) and its group's average (series ``average``); a
    missing value (``None``) has no bar. Width follows the container (the page of one unit's result)."""
    return {
        "$schema": VEGA_LITE,
        "data": {"values": [{"field": r["field"], "series": s, "index": v}
                            for r in rows for s, v in ((unit, r["index"]), (average, r["group_mean"]))
                            if v is not None]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "field", "type": "nominal", "title": None, "sort": [r["field"] for r in rows]},
            "yOffset": {"field": "series"},
            "x": {"field": "index", "type": "quantitative", "title": index_title, "scale": {"domain": [0, 100]}},
            "color": {"field": "series", "type": "nominal", "title": None},
        },
        "width": "container",
    }


def rank_trajectory(points: Sequence[dict[str, Any]], of: int | None = None, title: str = "Thứ hạng qua các năm") -> dict[str, Any]:
    """Rows ``{"unit", "year", "rank"}`` → a line chart with rank 1 on top."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame([p for p in points if p.get("rank")])
    scale = alt.Scale(reverse=True, domain=[1, of] if of else alt.Undefined, zero=False)
    chart = (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Năm"),
            y=alt.Y("rank:Q", title="Thứ hạng", scale=scale),
            color=alt.Color("unit:N", title="Đơn vị"),
            tooltip=["unit", "year", "rank"],
        )
        .properties(width=420, height=220)
    )
    return _config(chart.to_dict())


def fields_against_average(rows: Sequence[dict[str, Any]], title: str) -> dict[str, Any]:
    """Rows ``{"field", "index", "average"}`` → bars for the unit, ticks for the group average."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(rows)
    base = alt.Chart(data, title=title).encode(y=alt.Y("field:N", title=None, sort=None))
    bars = base.mark_bar(color="#2b6cb0").encode(x=alt.X("index:Q", title="Chỉ số (%)", scale=alt.Scale(domain=[0, 100])),
                                                   tooltip=["field", "index", "average"])
    ticks = base.mark_tick(color="#c53030", thickness=3, size=18).encode(x="average:Q")
    return _config((bars + ticks).properties(width=420, height=max(120, 26 * len(rows))).to_dict())


def regional_comparison(rows: Sequence[dict[str, Any]], highlight: str, title: str) -> dict[str, Any]:
    """Rows ``{"unit", "rank"}`` of one region → horizontal bars ordered by rank, the unit highlighted."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame([{**r, "is_unit": r["unit"] == highlight} for r in rows if r.get("rank")])
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", sort=alt.EncodingSortField("rank", order="ascending"), title=None),
            x=alt.X("rank:Q", title="Thứ hạng (thấp hơn là tốt hơn)"),
            color=alt.condition("datum.is_unit", alt.value("#c05621"), alt.value("#a0aec0")),
            tooltip=["unit", "rank"],
        )
        .properties(width=420, height=max(100, 28 * len(data)))
    )
    return _config(chart.to_dict())


def lost_points_heatmap(rows: Sequence[dict[str, Any]], title: str) -> dict[str, Any]:
    """Rows ``{"unit", "field", "lost_pct"}`` (share of the field's maximum lost) → units × fields heat map."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(rows)
    chart = (
        alt.Chart(data, title=title)
        .mark_rect()
        .encode(
            x=alt.X("field:N", title="Lĩnh vực", sort=None),
            y=alt.Y("unit:N", title=None, sort=None),
            color=alt.Color("lost_pct:Q", title="% điểm bị mất", scale=alt.Scale(scheme="orangered", domain=[0, 60])),
            tooltip=["unit", "field", "lost_pct"],
        )
        .properties(width=320, height=max(120, 14 * data["unit"].nunique() if len(data) else 120))
    )
    return _config(chart.to_dict())


def satisfaction_with_ci(rows: Sequence[dict[str, Any]], title: str) -> dict[str, Any]:
    """Rows ``{"element", "value", "low", "high"}`` → points with confidence bars."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(rows)
    base = alt.Chart(data, title=title).encode(y=alt.Y("element:N", title=None, sort=None))
    bars = base.mark_rule().encode(x=alt.X("low:Q", title="Tỷ lệ hài lòng (%)", scale=alt.Scale(zero=False)), x2="high:Q")
    dots = base.mark_point(filled=True, size=60).encode(x="value:Q", tooltip=["element", "value", "low", "high"])
    return _config((bars + dots).properties(width=420, height=max(100, 26 * len(rows))).to_dict())


def trend(rows: Sequence[dict[str, Any]], title: str, y_title: str = "%") -> dict[str, Any]:
    """Rows ``{"period", "series", "value"}`` → lines over periods (service-delivery trends)."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(rows)
    chart = (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(x=alt.X("period:O", title=None), y=alt.Y("value:Q", title=y_title), color=alt.Color("series:N", title=None),
                tooltip=["period", "series", "value"])
        .properties(width=420, height=220)
    )
    return _config(chart.to_dict())


def render_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(vl_spec=spec, scale=scale)


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(vl_spec=spec)


def importance_performance(rows: Sequence[dict[str, Any]], title: str) -> dict[str, Any]:
    """Rows ``{"name", "importance", "performance", "split_importance", "split_performance"}`` → the
    importance–performance matrix with its split lines. ``importance`` is a fraction (0.219 for 21.9 %)."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(rows)
    points = (
        alt.Chart(data, title=title)
        .mark_circle(size=90)
        .encode(
            x=alt.X("importance:Q", title="Mức độ quan trọng (tỷ trọng giải thích)", axis=alt.Axis(format="%")),
            y=alt.Y("performance:Q", title="Mức độ hài lòng (%)", scale=alt.Scale(zero=False)),
            tooltip=["name", "importance", "performance"],
        )
    )
    labels = points.mark_text(align="left", dx=7, fontSize=10).encode(text="name:N")
    vline = alt.Chart(data.head(1)).mark_rule(strokeDash=[4, 4], color="#718096").encode(x="split_importance:Q")
    hline = alt.Chart(data.head(1)).mark_rule(strokeDash=[4, 4], color="#718096").encode(y="split_performance:Q")
    return _config((points + labels + vline + hline).properties(width=420, height=280).to_dict())
