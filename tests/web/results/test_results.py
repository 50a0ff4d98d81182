"""Results: published snapshot computed by the core, ranks and bands per unit type, comparison with last
year through lineage, pages and XLSX exports showing the same numbers."""

import io

import pytest
from openpyxl import load_workbook
from tests.web.helpers import complete, fill_all, set_state

from cchc.web.assessments import scoring, workflow
from cchc.web.assessments.models import Cycle, Participation, State
from cchc.web.org.models import Unit, UnitLineage
from cchc.web.results import services as results_services

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _publish(world, cycle=None):
    cycle = cycle or world.cycle
    set_state(cycle, State.APPROVED)
    complete(cycle)
    return workflow.transition(cycle, State.PUBLISHED, world.users["approver"], "QĐ số 1/QĐ-UBND")


def test_published_results_match_the_core(world, login):
    fill_all(world, "D1", 0.95)
    fill_all(world, "D2", 0.55)
    cycle = _publish(world)
    snap = cycle.snapshots.get(published=True)
    direct = scoring.score(world.fw, scoring.gather_inputs(cycle))
    for u in snap.results["units"]:
        core = direct.unit(u["code"])
        assert (u["index"], u["rank"], u["of"]) == (core.index, core.rank, core.of)
        assert (u["band"] or {}).get("code") == (core.band.code if core.band else None)
    d1 = next(u for u in snap.results["units"] if u["code"] == "D1")
    assert d1["rank"] == 1
    page = login(world.users["leader"]).get(f"/cycles/{cycle.pk}/results/").content.decode()
    assert "Sở Một" in page and d1["band"]["label_vi"] in page
    detail = login(world.users["focal"]).get(f"/cycles/{cycle.pk}/results/D1/").content.decode()
    assert 'id="unit-rank">1/2<' in detail
    api = login(world.users["focal"]).get(f"/api/cycles/{cycle.pk}/results/D1/").json()
    core = direct.unit("D1")
    assert api["unit"]["rank"] == 1 and api["leaf_points"] == pytest.approx(core.leaf_points)
    assert api["lost"] == pytest.approx(core.lost)
    # Published results are readable by every role (as on the pages), not by someone without a role.
    assert login(world.users["focal2"]).get(f"/api/cycles/{cycle.pk}/results/D1/").status_code == 200
    assert login(world.users["nobody"]).get(f"/api/cycles/{cycle.pk}/results/D1/").status_code == 403
    wb = load_workbook(io.BytesIO(login(world.users["admin"]).get(f"/cycles/{cycle.pk}/results.xlsx").content))
    rows = list(wb["Kết quả"].iter_rows(values_only=True))
    assert rows[0][:8] == ("Nhóm", "Hạng", "Trên", "Mã đơn vị", "Tên đơn vị", "Điểm", "Điểm tối đa", "Chỉ số (%)")
    assert {r[3]: r[7] for r in rows[1:]} == {u["code"]: u["index"] for u in snap.results["units"]}
    # field columns as on the page: the index (%) of a field with a maximum, the points of a bonus / penalty field
    units = {u["code"]: u for u in snap.results["units"]}
    for j, head in enumerate(rows[0][11:], start=11):
        code = head.split()[2]
        key = "index" if head.endswith("(%)") else "points"
        got = {r[3]: r[j] for r in rows[1:]}
        want = {c: (u["fields"].get(code) or {}).get(key) for c, u in units.items()}
        assert {c for c, v in got.items() if v is None} == {c for c, v in want.items() if v is None}, head
        assert {c: v for c, v in got.items() if v is not None} == pytest.approx(
            {c: v for c, v in want.items() if v is not None}, rel=1e-12), head
    bonus = [h for h in rows[0][11:] if h.endswith("(điểm thưởng/trừ)")]
    assert bonus == ["Lĩnh vực 9 (điểm thưởng/trừ)"] and all(r[rows[0].index(bonus[0])] is not None for r in rows[1:])


def test_published_snapshot_does_not_change_with_later_edits(world):
    fill_all(world, "D1", 0.95)
    fill_all(world, "D2", 0.55)
    cycle = _publish(world)
    before = results_services.results_for(cycle)["units"]
    Participation.objects.get(cycle=cycle, unit__code="D2").leaves.update(appraised_points=0)
    assert results_services.results_for(cycle)["units"] == before


def test_comparison_with_last_year_through_lineage(world):
    from cchc.web.org.models import LineageKind

    # Last year D2 existed under an old code; this year it is D2 (rename).
    old = Unit.objects.create(code="D2-OLD", name="Sở Hai (cũ)", unit_type="department")
    UnitLineage.objects.create(predecessor=old, successor=world.d2, kind=LineageKind.RENAME, date="2026-01-01")
    last = Cycle.objects.create(name="Kỳ 2025", year=2025, framework=world.record)
    for u in (world.d1, old):
        Participation.objects.create(cycle=last, unit=u)
    world.cycle.previous = last
    world.cycle.save()

    class W:  # reuse fill_all on last year's cycle
        fw = world.fw
        parts = {p.unit.code: p for p in last.participations.select_related("unit")}

        def part(self, code):
            return self.parts[code]

    fill_all(W(), "D1", 0.5)
    fill_all(W(), "D2-OLD", 0.9)
    _publish(world, last)
    fill_all(world, "D1", 0.95)
    fill_all(world, "D2", 0.55)
    world.cycle.refresh_from_db()
    data = results_services.results_for(world.cycle)
    by = {u["code"]: u for u in data["units"]}
    assert by["D1"]["change"]["delta_rank"] == 1  # from 2nd to 1st: positive = moved up
    assert by["D2"]["change"]["delta_rank"] == -1
    prev = {u["code"]: u for u in last.snapshots.get().results["units"]}
    assert by["D2"]["change"]["prev_index"] == pytest.approx(prev["D2-OLD"]["index"])
    assert by["D1"]["change"]["delta_points"] == pytest.approx(by["D1"]["index"] - prev["D1"]["index"], abs=0.011)
    # History over years follows the rename back to the old code.
    _publish(world)
    from django.test import Client

    c = Client()
    c.force_login(world.users["leader"])
    body = c.get(f"/cycles/{world.cycle.pk}/results/D2/").content.decode()
    assert "(D2-OLD)" in body and f"{prev['D2-OLD']['rank']}/2" in body


def test_score_sheet_export_lists_every_leaf(world, login):
    set_state(world.cycle, State.OPEN)
    fill_all(world, "D1", 0.8)
    r = login(world.users["focal"]).get(f"/cycles/{world.cycle.pk}/units/D1/sheet.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    codes = [row[0] for row in ws.iter_rows(min_row=2, values_only=True) if row[0]]
    assert codes == [n.code for n in world.fw.leaves("department")]


def test_dashboard_flags_overdue_units(world, login):
    import datetime

    set_state(world.cycle, State.OPEN)
    world.cycle.refresh_from_db()
    world.cycle.self_deadline = datetime.date(2020, 1, 1)
    world.cycle.save()
    body = login(world.users["admin"]).get(f"/cycles/{world.cycle.pk}/").content.decode()
    assert body.count("badge warn") == 2
    from django.core import mail

    login(world.users["admin"]).post(f"/cycles/{world.cycle.pk}/remind/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["d1@example.invalid"]


def _spec(page: str, script_id: str) -> dict:
    import json
    import re

    found = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_result_charts_show_the_indices_and_the_group_average(world, login):
    """The two charts of the results pages (specs from cchc.reports.charts): every unit's index coloured by its
    band, and a unit's field indices beside its group's average (the plain mean of the group's field indices)."""
    fill_all(world, "D1", 0.95)
    fill_all(world, "D2", 0.55)
    cycle = _publish(world)
    units = cycle.snapshots.get(published=True).results["units"]
    c = login(world.users["leader"])
    spec = _spec(c.get(f"/cycles/{cycle.pk}/results/").content.decode(), "chart-results-spec")
    assert spec["mark"] == "bar" and spec["width"] == "container" and spec["height"] == {"step": 14}
    from cchc.reports.charts import AVERAGE_COLOUR, BAND_PALETTE, LABEL_LIMIT, UNIT_COLOUR

    # the bands in the framework's order, best first, take the palette's colours by that order (not the alphabet)
    assert spec["encoding"] == {
        "y": {"field": "unit", "type": "nominal", "sort": "-x", "title": None, "axis": {"labelLimit": LABEL_LIMIT}},
        "x": {"field": "index", "type": "quantitative", "title": "Chỉ số (%)", "scale": {"domain": [0, 100]}},
        "color": {"field": "band", "type": "nominal", "title": "Xếp loại",
                  "scale": {"domain": ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"],
                            "range": [BAND_PALETTE[i] for i in (0, 2, 4, 6, 8)]},
                  "legend": {"labelLimit": LABEL_LIMIT}},
        "tooltip": [{"field": "unit"}, {"field": "index", "format": ".2f"}, {"field": "band"}],
    }
    assert sorted(spec["data"]["values"], key=lambda v: v["unit"]) == sorted(
        [{"unit": u["name"], "index": u["index"], "band": (u["band"] or {}).get("label_vi", "—")} for u in units],
        key=lambda v: v["unit"])

    d1 = next(u for u in units if u["code"] == "D1")
    peers = [u for u in units if u["group"] == d1["group"]]
    spec = _spec(c.get(f"/cycles/{cycle.pk}/results/D1/").content.decode(), "chart-unit-spec")
    assert spec["mark"] == "bar" and spec["width"] == "container"
    assert spec["encoding"]["yOffset"] == {"field": "series"}
    assert spec["encoding"]["x"] == {"field": "index", "type": "quantitative", "title": "Chỉ số (%)",
                                     "scale": {"domain": [0, 100]}}
    assert spec["encoding"]["color"] == {"field": "series", "type": "nominal", "title": None,
                                         "scale": {"domain": ["Sở Một", "Trung bình nhóm"],
                                                   "range": [UNIT_COLOUR, AVERAGE_COLOUR]},
                                         "legend": {"labelLimit": LABEL_LIMIT, "orient": "top"}}
    shown = [code for code, f in d1["fields"].items() if f and f["index"] is not None]
    assert len(spec["encoding"]["y"]["sort"]) == len(shown)
    mine = [v for v in spec["data"]["values"] if v["series"] == "Sở Một"]
    average = [v for v in spec["data"]["values"] if v["series"] == "Trung bình nhóm"]
    assert [v["index"] for v in mine] == [d1["fields"][code]["index"] for code in shown]
    means = [sum(vals) / len(vals) for vals in (
        [p["fields"][code]["index"] for p in peers if (p["fields"].get(code) or {}).get("index") is not None]
        for code in shown)]
    assert [v["index"] for v in average] == pytest.approx(means, rel=1e-12)


def test_a_snapshot_knows_its_framework_record(world):
    fill_all(world, "D1", 0.9)
    fill_all(world, "D2", 0.6)
    snap = _publish(world).snapshots.get(published=True)
    assert snap.framework_record() == world.record
    assert results_services.verify_snapshot(snap)
