"""Charts that cannot mislead (issue 14): a band's colour follows its place in the framework's band order, never
the alphabet, in every band-coloured spec; axis and legend labels are neither cut nor overlapping."""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import pytest

from cchc.frameworks import load_framework
from cchc.reports import charts

BANDS_VI = ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
BANDS_EN = ["Excellent", "Good", "Fair", "Average", "Weak"]
FIELDS = [
    "1. Công tác chỉ đạo, điều hành cải cách hành chính — Sở, ban, ngành",
    "2. Cải cách thể chế — Sở, ban, ngành",
    "3. Cải cách thủ tục hành chính và hiện đại hóa nền hành chính, chuyển đổi số — Ủy ban nhân dân các xã, phường",
    "4. Cải cách tổ chức bộ máy hành chính nhà nước",
]


def _band_rows(labels):
    return [{"unit": f"Đơn vị {i}", "index": 95 - 10 * i, "band": label} for i, label in enumerate(labels)]


BAND_BUILDERS = {  # every spec builder of cchc.reports.charts that colours by band: name → (bands, rows) → spec
    "indices_by_band": lambda bands, rows: charts.indices_by_band(rows, bands=bands),
}


def _band_scales(spec):
    """Every colour scale of a spec (layers included) whose field or datum is a band."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            colour = (node.get("encoding") or {}).get("color")
            if colour and "scale" in colour:
                found.append(colour["scale"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return found


def test_every_band_coloured_builder_is_checked_here():
    with_bands = {name for name, fn in inspect.getmembers(charts, inspect.isfunction)
                  if fn.__module__ == charts.__name__ and "bands" in inspect.signature(fn).parameters
                  and inspect.signature(fn).return_annotation == "dict[str, Any]"}  # a spec, not a helper
    assert with_bands == set(BAND_BUILDERS)


@pytest.mark.parametrize("name", sorted(BAND_BUILDERS))
@pytest.mark.parametrize("bands", [BANDS_VI, BANDS_EN, ["Nhóm A", "Nhóm B", "Nhóm C", "Dưới 70%"]])
def test_a_band_takes_the_colour_of_its_place_in_the_band_order(name, bands):
    build = BAND_BUILDERS[name]
    expected = charts.band_colours(len(bands))
    full = _band_scales(build(bands, _band_rows(bands)))
    assert full == [{"domain": bands, "range": expected}]
    # only some bands present (a filter, a small group): the scale, hence every colour, stays the same
    assert _band_scales(build(bands, _band_rows(bands[1:2] + bands[-1:]))) == full
    # the rows in another order: same
    assert _band_scales(build(bands, list(reversed(_band_rows(bands))))) == full


@pytest.mark.parametrize("name", sorted(BAND_BUILDERS))
def test_colours_do_not_follow_the_alphabet(name):
    build = BAND_BUILDERS[name]
    alphabetical = ["A", "B", "C", "D", "E"]
    backwards = ["E", "D", "C", "B", "A"]
    ranges = [s["range"] for bands in (alphabetical, backwards, BANDS_VI, BANDS_EN)
              for s in _band_scales(build(bands, _band_rows(bands)))]
    assert len(ranges) == 4 and all(r == ranges[0] for r in ranges)
    # best band green-ish (first palette colour), worst the last, whatever the labels
    assert ranges[0][0] == charts.BAND_PALETTE[0] and ranges[0][-1] == charts.BAND_PALETTE[-1]
    # Vietnamese and English labels of the same band: the same colour
    vi = dict(zip(BANDS_VI, _band_scales(build(BANDS_VI, _band_rows(BANDS_VI)))[0]["range"], strict=True))
    en = dict(zip(BANDS_EN, _band_scales(build(BANDS_EN, _band_rows(BANDS_EN)))[0]["range"], strict=True))
    assert [vi[v] for v in BANDS_VI] == [en[e] for e in BANDS_EN]


def test_band_colours_are_fixed_and_spread_from_best_to_worst():
    assert len(set(charts.BAND_PALETTE)) == len(charts.BAND_PALETTE)
    for n in range(2, len(charts.BAND_PALETTE) + 1):
        colours = charts.band_colours(n)
        assert len(colours) == len(set(colours)) == n
        assert colours[0] == charts.BAND_PALETTE[0] and colours[-1] == charts.BAND_PALETTE[-1]
        assert [charts.BAND_PALETTE.index(c) for c in colours] == sorted(charts.BAND_PALETTE.index(c) for c in colours)
        assert charts.band_colours(n) == colours  # no state, no randomness
    assert charts.band_colours(1) == [charts.BAND_PALETTE[0]]
    assert len(charts.band_colours(12)) == 12


def test_a_value_that_is_no_band_is_grey_after_the_bands():
    scale = charts.band_scale(BANDS_VI, ["Tốt", "—", "Yếu", "—"])
    assert scale["domain"] == BANDS_VI + ["—"]
    assert scale["range"] == charts.band_colours(5) + [charts.NO_BAND_COLOUR]


def test_band_labels_in_band_order_and_language():
    fw = load_framework("example-department")
    assert charts.band_labels(fw.bands) == BANDS_VI
    assert charts.band_labels(fw.bands, "en") == BANDS_EN
    assert charts.band_labels(fw.bands, "en-us") == BANDS_EN
    # listed worst first: still best to worst (by the band's lower bound)
    assert charts.band_labels(list(reversed(fw.bands))) == BANDS_VI
    as_dicts = [{"label_vi": b.label_vi, "label_en": None, "min": b.min} for b in fw.bands]
    assert charts.band_labels(as_dicts, "en") == BANDS_VI  # no English label: the Vietnamese one


def test_every_band_coloured_chart_has_a_legend():
    spec = charts.indices_by_band(_band_rows(BANDS_VI), bands=BANDS_VI)
    assert spec["encoding"]["color"]["legend"] is not None
    assert spec["encoding"]["color"]["legend"]["labelLimit"] >= 300


# ---- axis and legend options ----------------------------------------------------------------------------------

def _months(n=22):
    return [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(n)]


def _trend_rows():
    series = ("2.1 Tỷ lệ hồ sơ giải quyết đúng hạn", "2.2 Tỷ lệ hồ sơ trực tuyến toàn trình")
    return [{"period": p, "series": s, "value": 50 + i + 10 * j}
            for i, p in enumerate(_months()) for j, s in enumerate(series)]


def test_trend_period_labels_are_slanted_and_thinned_and_series_have_a_legend():
    spec = charts.trend(_trend_rows(), "Xu hướng")
    axis = spec["encoding"]["x"]["axis"]
    assert axis["labelAngle"] not in (0, None) and axis["labelOverlap"] in ("greedy", "parity", True)
    assert axis["labelLimit"] >= 100
    colour = spec["encoding"]["color"]
    assert colour["legend"]["labelLimit"] >= 300  # "2.1 Tỷ lệ hồ sơ giải quyết đúng hạn" whole
    # series keep the colour of their order, not of the alphabet
    assert colour["scale"]["domain"] == ["2.1 Tỷ lệ hồ sơ giải quyết đúng hạn", "2.2 Tỷ lệ hồ sơ trực tuyến toàn trình"]


def test_field_chart_wraps_long_names_gives_each_bar_room_and_a_legend():
    rows = [{"field": f, "index": 70 + i, "average": 65} for i, f in enumerate(FIELDS)]
    spec = charts.fields_against_average(rows, "Chỉ số theo lĩnh vực")
    axis = spec["encoding"]["y"]["axis"]
    assert axis["labelLimit"] >= 300
    expr, lines = charts.wrapped_labels(FIELDS)
    assert axis["labelExpr"] == expr and lines == 3
    assert spec["height"]["step"] >= lines * axis["labelLineHeight"]
    colours = [layer["encoding"]["color"] for layer in spec["layer"]]
    assert colours[0]["scale"] == {"domain": ["Bình quân của nhóm đơn vị", "Bình quân chung"],
                                   "range": [charts.UNIT_COLOUR, charts.AVERAGE_COLOUR]}
    assert colours[0]["legend"] is not None and [c["datum"] for c in colours] == colours[0]["scale"]["domain"]
    unit = charts.unit_against_group([{"field": f, "index": 70, "group_mean": 60} for f in FIELDS], "Sở Một", "Trung bình nhóm")
    assert unit["encoding"]["y"]["axis"]["labelExpr"] == expr and unit["height"]["step"] >= lines * charts.LINE_PX


def test_wrapped_labels_keep_every_word_and_short_names_as_they_are():
    assert charts.wrapped_labels(["Cải cách thể chế", "2"]) == (None, 1)
    expr, lines = charts.wrapped_labels(FIELDS, 40)
    for name in FIELDS:
        if len(name) > 40:
            assert all(len(line) <= 40 for line in re.findall(r'"([^"]*)"', expr.split(name, 1)[1].split(":")[0]))


def test_highlight_and_trajectory_charts_have_legends_and_whole_names():
    region = charts.regional_comparison([{"unit": "Kon Tum", "rank": 2}, {"unit": "Đắk Lắk", "rank": 1}], "Kon Tum", "Khu vực")
    colour = region["encoding"]["color"]
    assert colour["scale"]["domain"] == ["Kon Tum", "Các tỉnh khác trong khu vực"] and "legend" in colour
    assert region["encoding"]["y"]["axis"]["labelLimit"] >= 300
    sat = charts.satisfaction_with_ci([{"element": f, "value": 80, "low": 75, "high": 85} for f in FIELDS], "CI")
    assert sat["layer"][0]["encoding"]["y"]["axis"]["labelLimit"] >= 300


# ---- rendered: labels neither cut nor overlapping ----------------------------------------------------------

def _axis_labels(svg: str) -> list[list[dict]]:
    """Per axis: its visible labels (x, y, rotation, lines, text)."""
    out = []
    for group in re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg, re.S):
        labels = []
        for attrs, body in re.findall(r"<text([^>]*)>(.*?)</text>", group, re.S):
            if 'opacity="0"' in attrs:
                continue
            x, y = (float(v) for v in re.search(r"translate\(([-\d.e]+),([-\d.e]+)\)", attrs).groups())
            rot = re.search(r"rotate\(([-\d.]+)\)", attrs)
            lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", body) or [body]
            size = float(re.search(r'font-size="([\d.]+)px"', attrs).group(1))
            labels.append({"x": x, "y": y, "rot": float(rot.group(1)) if rot else 0.0, "lines": lines, "size": size})
        out.append(labels)
    return out


@pytest.fixture(scope="module")
def vl():
    return pytest.importorskip("vl_convert")


def test_rendered_month_labels_do_not_overlap(vl, tmp_path: Path):
    svg = charts.render_svg(charts.trend(_trend_rows(), "Xu hướng"))
    assert "…" not in svg
    x_axis = next(a for a in _axis_labels(svg) if a and a[0]["rot"])
    assert len(x_axis) >= 4  # enough months are named
    for a, b in zip(x_axis, x_axis[1:], strict=False):
        # slanted labels: the distance between neighbours across the text direction exceeds the font size
        gap = (b["x"] - a["x"]) * abs(math.sin(math.radians(a["rot"])))
        assert gap >= a["size"], (a, b)


def test_rendered_field_names_are_whole_and_do_not_overlap(vl):
    rows = [{"field": f, "index": 70 + i, "average": 65} for i, f in enumerate(FIELDS)]
    svg = charts.render_svg(charts.fields_against_average(rows, "Chỉ số theo lĩnh vực"))
    assert "…" not in svg
    y_axis = next(a for a in _axis_labels(svg) if len(a) == len(FIELDS) and len(a[0]["lines"][0]) > 10)
    assert [" ".join(label["lines"]) for label in y_axis] == FIELDS
    spans = sorted((label["y"] - label["size"], label["y"] + 13 * (len(label["lines"]) - 1) + 3) for label in y_axis)
    for (_top, bottom), (top, _bottom) in zip(spans, spans[1:], strict=False):
        assert bottom <= top, spans


def test_rendered_band_legend_lists_the_bands_in_order_with_their_colours(vl):
    spec = charts.indices_by_band(_band_rows(["Yếu", "Tốt"]), bands=BANDS_VI)
    svg = charts.render_svg({**spec, "width": 400})
    legend = re.search(r'<g class="mark-group role-legend".*', svg, re.S).group(0)
    labels = re.findall(r'role-legend-label"[^>]*><text[^>]*>([^<]+)</text>', legend)
    fills = re.findall(r'role-legend-symbol"[^>]*><path[^>]*fill="(#[0-9a-fA-F]{6})"', legend)
    assert labels == BANDS_VI  # every band, best first, also those no unit has
    assert fills == charts.band_colours(5)
