"""The charts of the pages (issue 14): band colours by band order, the same in Vietnamese and English (the
labels shown are the domain), and the period axis of the service trends set not to overlap."""

from __future__ import annotations

import json
import re

import pytest
from tests.web.dossiers.conftest import svc, synth_store  # noqa: F401 — fixtures of the dossier pages
from tests.web.helpers import fill_all

from cchc.reports import charts
from cchc.web.results import services as results_services

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _spec(page: str, script_id: str) -> dict:
    found = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_results_chart_colours_bands_by_their_order_in_both_languages(world, login):
    fill_all(world, "D1", 0.95)
    fill_all(world, "D2", 0.55)
    cycle = world.cycle  # the preview before publication: the same chart
    bands = world.fw.bands
    c = login(world.users["admin"])
    vi = _spec(c.get(f"/cycles/{cycle.pk}/results/").content.decode(), "chart-results-spec")
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = _spec(c.get(f"/cycles/{cycle.pk}/results/").content.decode(), "chart-results-spec")
    scale_vi, scale_en = vi["encoding"]["color"]["scale"], en["encoding"]["color"]["scale"]
    assert scale_vi["domain"] == charts.band_labels(bands, "vi")
    assert scale_en["domain"] == charts.band_labels(bands, "en")
    assert scale_vi["range"] == scale_en["range"] == charts.band_colours(len(bands))
    # the labels shown are the scale's: every bar's band is in the domain, in the page's language
    assert {v["band"] for v in vi["data"]["values"]} <= set(scale_vi["domain"])
    assert {v["band"] for v in en["data"]["values"]} <= set(scale_en["domain"])
    assert set(scale_en["domain"]).isdisjoint({b.label_vi for b in bands if b.label_en and b.label_en != b.label_vi})
    # a filter that leaves one band: the same colours
    code = next(u["band"]["code"] for u in results_services.results_for(cycle)["units"] if u["band"])
    one = _spec(c.get(f"/cycles/{cycle.pk}/results/?band={code}").content.decode(), "chart-results-spec")
    assert one["encoding"]["color"]["scale"] == scale_en


def test_service_trend_month_labels_are_slanted_and_thinned(svc, login):  # noqa: F811
    c = login(svc.users["leader"])
    for url, script in (("/services/?period=month", "chart-services-spec"),):
        spec = _spec(c.get(url).content.decode(), script)
        axis = spec["encoding"]["x"]["axis"]
        assert axis == charts.PERIOD_AXIS and axis["labelAngle"] != 0 and axis["labelOverlap"] == "greedy"
        assert spec["encoding"]["color"]["legend"]["labelLimit"] >= 300
