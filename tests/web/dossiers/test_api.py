"""REST API for service delivery: the records are the library's (as on the pages), the same policy as the pages
(a focal point sees its own unit only, imports are the administrator's), dossier imports through the API end to
end. The schemathesis contract test in test_api.py covers these endpoints too."""

from __future__ import annotations

import pytest
from tests.web.dossiers.helpers import bad_csv, flat

from cchc.services.indicators import compute, late_dossiers

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def _all(call, url: str) -> list[dict]:
    out, page = [], call("get", url)
    while True:
        assert page.status_code == 200, page.content[:500]
        body = page.json()
        out += body["results"]
        if not body["next"]:
            return out
        page = call("get", body["next"])


def _strip(recs):
    import json

    return json.loads(json.dumps(recs))  # the API's JSON types (tuples → lists)


def test_indicator_records_are_the_library_records(svc, api, synth_store):  # noqa: F811
    call = api(svc.users["leader"])
    got = _all(call, "/api/services/indicators/?period=quarter&limit=7")  # several pages
    expected = compute(synth_store, period="quarter", levels=("unit", "parent", "province")).records()
    assert len(got) == len(expected) == call("get", "/api/services/indicators/?period=quarter").json()["count"]
    key = lambda r: (r["period"], r["unit"])  # noqa: E731
    for g, e in zip(sorted(got, key=key), sorted(_strip(expected), key=key), strict=True):
        fg, fe = dict(flat(g)), dict(flat(e))
        assert fg.keys() == fe.keys()
        for k, v in fe.items():  # floats equal up to summation order (parallel aggregation)
            assert fg[k] == (pytest.approx(v, rel=1e-9) if isinstance(v, float) else v), (key(e), k)
    one = next(r for r in got if r["unit"] == "U0002" and r["period"] == "2025-Q1")
    lib = next(r for r in expected if r["unit"] == "U0002" and r["period"] == "2025-Q1")
    assert one["total_points"] == pytest.approx(lib["total_points"]) and one["received"] == lib["received"]
    assert [i["id"] for i in one["indicators"]] == [i["id"] for i in lib["indicators"]]
    for a, b in zip(one["indicators"], lib["indicators"], strict=True):
        assert a.get("rate") == pytest.approx(b.get("rate")) and a["computable"] == b["computable"]
    only = call("get", "/api/services/indicators/?period=month&unit=U0001&p=2025-03").json()["results"]
    assert [(r["unit"], r["period"]) for r in only] == [("U0001", "2025-03")]


def test_focal_point_sees_its_own_unit_only(svc, api):  # noqa: F811
    call = api(svc.users["focal_u1"])
    got = _all(call, "/api/services/indicators/?period=half")
    assert got and {r["unit"] for r in got} == {"U0001"}
    assert call("get", "/api/services/indicators/?unit=U0002").status_code == 403
    assert call("get", "/api/services/indicators/?unit=*").status_code == 403
    assert call("get", "/api/services/late/?unit=U0002&p=2025-05").status_code == 403
    assert call("get", "/api/services/late/?unit=U0001&p=2025-05").status_code == 200
    assert api(svc.users["appraiser"])("get", "/api/services/indicators/").status_code == 403
    for url in ("/api/services/imports/", "/api/services/imports/1/"):
        assert call("get", url).status_code == 403


@pytest.mark.parametrize("query, field", [("period=week", "period"), ("period=month&p=2025-Q1", "p"),
                                          ("p=2025-13", "p"), ("p=abc", "p")])
def test_bad_queries_name_the_parameter(svc, api, query, field):  # noqa: F811
    r = api(svc.users["leader"])("get", f"/api/services/indicators/?{query}")
    assert r.status_code == 400 and field in r.json()["errors"]


def test_late_dossiers_are_the_library_list(svc, api, synth_store):  # noqa: F811
    call = api(svc.users["leader"])
    got = _all(call, "/api/services/late/?unit=U0001&p=2025-Q2")
    lib = late_dossiers(synth_store, unit="U0001", period="2025-Q2")
    assert got and {r["dossier_id"] for r in got} == set(lib["dossier_id"])
    row = next(r for r in got if r["dossier_id"] == lib["dossier_id"].iloc[0])
    assert row["days_late"] == pytest.approx(float(lib["days_late"].iloc[0]))
    assert call("get", "/api/services/late/?unit=U0001").json()["errors"] == {"p": ["required"]}
    assert call("get", "/api/services/late/?p=2025-Q2").status_code == 400


def test_late_dossiers_of_a_unit_without_a_parent(svc, api, settings, tmp_path):  # noqa: F811
    """Departments and communes under the two-level local government have no parent unit: the missing parent is
    JSON null, not NaN (which is not JSON and made the endpoint fail)."""
    import datetime as dt

    from cchc.services.synth import SynthSpec, write_synth
    from cchc.web.dossiers import services as data

    write_synth(SynthSpec(rows=1500, procedures=8, seed=2, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30),
                          unit_codes=("U0001", "U0002"), parent_codes=(None, None)), tmp_path / "store")
    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    data.clear_cache()
    got = _all(api(svc.users["leader"]), "/api/services/late/?unit=U0001&p=2025")
    assert got and all(r["parent_unit_code"] is None for r in got)
    assert len(got) == len(late_dossiers(tmp_path / "store", unit="U0001", period="2025"))


def test_import_through_the_api(svc, api, settings, tmp_path):  # noqa: F811
    from cchc.services.importer import Store

    settings.CCHC_DOSSIER_STORE = tmp_path / "store"
    records, catalogue = bad_csv(tmp_path)
    call = api(svc.users["admin"])
    with records.open("rb") as f, catalogue.open("rb") as c:
        r = call("post", "/api/services/imports/", {"file": f, "catalogue": c}, multipart=True)
    assert r.status_code == 202, r.content
    job = r.json()
    assert job["status"] == "done" and job["file_name"] == "records.csv"  # inline in the tests
    assert job["result"]["accepted"] == 39 and job["result"]["rejected"] == 2 and job["result"]["has_rejected_file"]
    assert "rejected_path" not in job["result"] and str(settings.DATA_DIR) not in r.content.decode()
    assert job["result"]["problems"][0]["reason_vi"].startswith("mã không hợp lệ")
    assert call("get", f"/api/services/imports/{job['id']}/").json() == job
    assert [j["id"] for j in call("get", "/api/services/imports/").json()["results"]] == [job["id"]]
    assert Store(tmp_path / "store").manifest()[-1]["accepted"] == 39
    # the indicators see it at once
    got = call("get", "/api/services/indicators/?period=month&unit=*&p=2025-03").json()["results"]
    assert got[0]["received"] == 39
    # refused at the door: named, nothing queued
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"PK\x03\x04")
    with bad.open("rb") as f:
        r = call("post", "/api/services/imports/", {"file": f}, multipart=True)
    assert r.status_code == 400 and "x.xlsx" in r.json()["errors"][0]
    assert call("post", "/api/services/imports/", {}, multipart=True).status_code == 400
    assert call("get", "/api/services/imports/999999/").status_code == 404
    with records.open("rb") as f:
        assert api(svc.users["leader"])("post", "/api/services/imports/", {"file": f}, multipart=True).status_code == 403


def test_no_store_gives_empty_lists(svc, api, settings, tmp_path):  # noqa: F811
    settings.CCHC_DOSSIER_STORE = tmp_path / "empty"
    call = api(svc.users["leader"])
    assert call("get", "/api/services/indicators/").json()["count"] == 0
    assert call("get", "/api/services/late/?unit=U0001&p=2025-05").json()["count"] == 0

