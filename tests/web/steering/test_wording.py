"""Issue 14, "Wording": the targets page names metrics (no ``par_index_rank``, ``field:3``), prints a rank target
as a rank and words each verdict as the review report does."""

from __future__ import annotations

import datetime as dt
import re

from cchc.reports.blocks import Table
from cchc.reports.sections_steering import tasks_section
from cchc.web.steering import services
from cchc.web.steering.models import Observation, Target

from .conftest import TODAY


def _setup():
    Target.objects.create(source="NQ 18-NQ/TU", metric="par_index_rank", comparator="top", value=40,
                          deadline=dt.date(2027, 12, 31))
    Target.objects.create(source="KH 12", metric="field:3", comparator=">=", value=85, deadline=dt.date(2027, 12, 31))
    for metric, year, value in [("par_index_rank", 2023, 55), ("par_index_rank", 2024, 43), ("field:3", 2024, 80.5)]:
        Observation.objects.create(metric=metric, year=year, value=value, observed_on=dt.date(year + 1, 4, 15))


def test_targets_page_names_metrics_and_prints_ranks(world, client):
    _setup()
    client.force_login(world.users["admin"])
    page = client.get("/steering/targets/").content.decode()
    body = re.sub(r"<(script|style|form)\b.*?</\1>", "", page, flags=re.S)  # the entry forms: see the report
    visible = re.sub(r"<[^>]+>", " ", body)
    for code in ("par_index_rank", "field:3"):
        assert code not in visible
    assert "Xếp hạng Chỉ số CCHC (PAR INDEX) của tỉnh" in visible and "trong nhóm 40 đứng đầu" in visible
    assert "Chỉ số thành phần lĩnh vực 3" in visible
    assert "43,00" not in visible and "40,00" not in visible


def test_page_and_report_word_the_verdict_alike(world, client):
    _setup()
    client.force_login(world.users["admin"])
    rows = services.target_rows(TODAY)
    section = tasks_section([], [], rows, "6 tháng đầu năm 2026")
    report = [r[-1] for r in next(b for b in section.blocks if isinstance(b, Table)).rows]
    page = client.get("/steering/targets/").content.decode()
    shown = re.findall(r'<span class="state a-[a-z_]+">([^<]+)</span>', page)
    assert shown == report
    assert report[0] == "Chưa đạt, xu hướng đạt"  # 55 → 43, trending into the top 40 by 2027
