"""Indicators: a hand-built dataset with known answers, roll-ups, per procedure, sets vs the shared data."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.services.helpers import at, dossier, ind, make_store

from cchc.services.indicators import compute, evaluate, late_dossiers, load_set, max_computable

DATA = Path(__file__).parent / "data"
AS_OF = at("2024-03-31T23:59:59")
DUE = "2024-03-20 17:00:00"


def _d(i, proc, **kw):  # noqa: ANN001, ANN003, ANN202
    kw.setdefault("due_at", DUE)
    return dossier(i, procedure_code=proc, **kw)


ROWS = [
    # U1 / D1
    _d(1, "WD5", channel=2, procedure_level="full", status=10, finished_at="2024-03-10 09:00:00", fee_required=1,
       paid_online=1, synced_to_portal=1, digitised_components=1, electronic_result=1, reused_digitised_data=1,
       data_store_linked=1, population_data_used=1, rating=1),
    _d(2, "WD5", channel=2, procedure_level="partial", status=9, finished_at="2024-03-20 10:00:00", fee_required=1,
       paid_online=0, synced_to_portal=1, digitised_components=1, electronic_result=0, rating=-1),
    _d(3, "WD5", channel=1, status=9, finished_at="2024-03-25 09:00:00", fee_required=1, paid_online=0,
       synced_to_portal=0, digitised_components=0, electronic_result=1, apology_issued=1),
    _d(4, "WD2", channel=3, status=4, due_at="2024-03-29 17:00:00", synced_to_portal=1, digitised_components=1,
       has_feedback=1),
    _d(5, "WD2", channel=2, procedure_level="partial", status=4, due_at="2024-04-10 17:00:00", synced_to_portal=1,
       population_data_used=1),
    _d(6, "D10", channel=2, procedure_level="full", status=10, finished_at="2024-03-15 09:00:00", fee_required=1,
       paid_online=2, synced_to_portal=1, electronic_result=1, digitised_components=1),
    _d(7, "H8", status=10, finished_at="2024-03-05 09:00:00", synced_to_portal=1, electronic_result=0,
       digitised_components=1),
    _d(8, "M1", channel=1, status=3, received_at=None, submitted_at="2024-03-04 08:00:00"),
    # U2 / D1
    _d(9, "WD5", unit_code="U2", channel=2, procedure_level="full", status=10, finished_at="2024-03-06 09:00:00",
       fee_required=1, paid_online=1, synced_to_portal=1),
    _d(10, "WD5", unit_code="U2", channel=1, status=4, due_at="2024-04-10 17:00:00", fee_required=1,
       synced_to_portal=1),
    # U3 / D2
    _d(11, "H8", unit_code="U3", parent_unit_code="D2", status=10, finished_at="2024-03-22 09:00:00",
       synced_to_portal=0),
    _d(12, "H8", unit_code="U3", parent_unit_code="D2", status=7, finished_at="2024-03-06 09:00:00",
       synced_to_portal=1),
]

# U1, March 2024: (numerator, denominator, points) by indicator, worked out by hand in the comments of ROWS
U1_EXPECTED = {
    "1.4": (6, 7, 6 * 6 / 7),
    "2.1": (5, 7, 20 * 5 / 7),  # early 1, 6, 7; on time 2; late 3; open overdue 4; open in time 5
    "2.2": ((6 + 16 + 1 / 24 + 21 + 11 + 1), 5, None),
    "3.x": (2, 4, 12 * 2 / 4),
    "3.3": (3, 7, None),
    "3.3b": (2, 7, None),
    "3.3c": (1, 7, None),
    "3.6A": (2, 4, 6 * 2 / 4),
    "3.6B": (2, 2, 2.0),
    "3.5C": (2, 2, 2.5),
    "4.1": (3, 5, 6 * 3 / 5),
    "4.2": (3, 7, 4 * 3 / 7),
    "4.3": (1, 7, 2 * (100 / 7) / 80),
    "4.4": (1, 7, 4 / 7),
    "4.5a": (2, 2, 2.0),
    "4.5b": (2, 7, 2 * 2 / 7),
    "5.4": (4, 7, 6 * (400 / 7) / 90),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_store(tmp_path_factory.mktemp("ind"), ROWS)


@pytest.fixture(scope="module")
def monthly(store: Path) -> dict:
    res = compute(store, period="month", as_of=AS_OF)
    return {(r["level"], r["unit"], r["period"]): r for r in res.records()}


def test_every_computable_indicator_of_unit_u1(monthly: dict) -> None:
    rec = monthly[("unit", "U1", "2024-03")]
    got = {i["id"]: i for i in rec["indicators"] if i["computable"]}
    assert set(got) == set(U1_EXPECTED)
    for k, (num, den, pts) in U1_EXPECTED.items():
        assert got[k]["numerator"] == pytest.approx(num), k
        assert got[k]["denominator"] == pytest.approx(den), k
        if pts is None:
            assert got[k]["points"] is None, k
        else:
            assert got[k]["points"] == pytest.approx(pts), k
    assert got["2.2"]["rate"] == pytest.approx((6 + 16 + 1 / 24 + 21 + 11 + 1) / 5)
    groups = {g["id"]: g["points"] for g in rec["groups"]}
    assert groups["payment"] == pytest.approx(3 + 2 + 2.5)
    assert groups["digitisation"] == pytest.approx(sum(U1_EXPECTED[k][2] for k in ("4.1", "4.2", "4.3", "4.4",
                                                                                  "4.5a", "4.5b")))
    assert rec["total_points"] == pytest.approx(sum(v for v in groups.values() if v is not None))
    assert rec["on_time"] == {"early": 3, "on_time": 1, "late": 1, "open_in_time": 1, "open_overdue": 1,
                              "no_due": 0, "late_with_apology": 1}
    assert rec["max_points_computable"] == 74


def test_not_computable_indicators_say_why(monthly: dict) -> None:
    rec = monthly[("province", "*", "2024-03")]
    nc = {i["id"]: i["reason"] for i in rec["indicators"] if not i["computable"]}
    assert set(nc) == {"1.1", "1.2", "1.3", "4.6", "5.1", "5.2", "5.3"}
    assert "PAKN" in nc["5.2"] and "national TTHC database" in nc["1.1"]
    vi = {i["id"]: i["reason_vi"] for i in rec["indicators"] if not i["computable"]}
    assert "phản ánh, kiến nghị" in vi["5.2"] and "Cơ sở dữ liệu quốc gia về TTHC" in vi["1.1"]


def test_every_not_computable_indicator_has_a_vietnamese_reason() -> None:
    for name in ("current", "2022"):
        for i in load_set(name).indicators:
            if i.not_computable:
                assert i.not_computable_vi and i.not_computable_vi != i.not_computable, (name, i.id)


def test_rollup_to_parents_and_province(monthly: dict) -> None:
    d1 = monthly[("parent", "D1", "2024-03")]
    prov = monthly[("province", "*", "2024-03")]
    assert (ind(d1, "2.1")["numerator"], ind(d1, "2.1")["denominator"]) == (7, 9)
    assert (ind(prov, "2.1")["numerator"], ind(prov, "2.1")["denominator"]) == (8, 11)
    assert (ind(prov, "1.4")["numerator"], ind(prov, "1.4")["denominator"]) == (9, 11)
    # distinct procedures do not add up across units: WD5 is counted once for D1
    assert ind(d1, "3.5C")["denominator"] == 2 and ind(prov, "4.5a")["denominator"] == 2
    units = [monthly[("unit", u, "2024-03")] for u in ("U1", "U2", "U3")]
    assert sum(ind(u, "1.4")["denominator"] for u in units) == ind(prov, "1.4")["denominator"]


def test_periods_quarter_half_year_agree_when_nothing_is_carried_over(store: Path) -> None:
    for period, label in (("quarter", "2024-Q1"), ("half", "2024-H1"), ("year", "2024")):
        rec = {r["period"]: r for r in compute(store, period=period, as_of=AS_OF, levels=("province",)).records()}
        assert ind(rec[label], "1.4")["denominator"] == 11
        assert ind(rec[label], "2.1")["denominator"] == 11


def test_per_procedure(store: Path) -> None:
    res = compute(store, period="month", as_of=AS_OF, unit="U1", by_procedure=True, levels=("unit",))
    recs = {r["procedure_code"]: r for r in res.records()}
    assert set(recs) == {"WD5", "WD2", "D10", "H8"}
    assert (ind(recs["WD5"], "2.1")["numerator"], ind(recs["WD5"], "2.1")["denominator"]) == (2, 3)
    assert ind(recs["H8"], "2.1")["rate"] == 100.0


def test_2022_set_reports_rates_and_no_points(store: Path) -> None:
    res = compute(store, period="month", as_of=AS_OF, indicator_set="2022", unit="U1", levels=("unit",))
    rec = res.records()[0]
    assert rec["total_points"] is None
    on = {i["id"]: i for i in rec["indicators"] if i["computable"]}
    # 3.1: WD5, WD2, D10 are offered online, H8 is not; M1 had no received dossier at U1
    assert on["3.1"]["numerator"] == 3 and on["3.1"]["denominator"] == 4
    # 3.3 (2022): the online share's denominator is scaled by the sync rate 1.4 (6/7)
    assert on["3.3"]["denominator"] == pytest.approx(7 * 6 / 7)
    assert on["3.3"]["rate"] == pytest.approx(3 / 6 * 100)


def test_late_list(store: Path) -> None:
    df = late_dossiers(store, as_of=AS_OF)
    got = {r["dossier_id"]: r for r in df.to_dict("records")}
    assert set(got) == {"H3", "H4", "H11"}
    assert got["H3"]["days_late"] == 5 and got["H3"]["working_days_late"] == 3 and got["H3"]["apology_issued"]
    assert got["H4"]["state"] == "open_overdue"
    assert list(late_dossiers(store, as_of=AS_OF, unit="D2")["dossier_id"]) == ["H11"]


def test_missing_column_makes_indicator_not_computable(tmp_path) -> None:  # noqa: ANN001
    store = make_store(tmp_path, [dossier(1, due_at=DUE)])
    rec = compute(store, as_of=AS_OF, levels=("province",)).records()[0]
    assert "synced_to_portal" in ind(rec, "1.4")["reason"]
    assert ind(rec, "1.4")["reason_vi"] == "dữ liệu hồ sơ không có giá trị ở cột: synced_to_portal"
    assert ind(rec, "2.1")["computable"]


def test_payment_group_is_capped() -> None:
    iset = load_set("current")
    m = pd.DataFrame({k: [10] for k in ("paid_online", "fee_dossiers", "proc_fee_paid", "proc_fee",
                                        "proc_fee_used")})
    reasons = {i.id: (None if i.id in ("3.6A", "3.6B", "3.5C") else "x") for i in iset.indicators}
    ev = evaluate(m, iset, reasons)
    assert ev["3.6A.points"][0] + ev["3.6B.points"][0] + ev["3.5C.points"][0] == pytest.approx(10.5)
    assert ev["group.payment"][0] == 10
    assert max_computable(iset, reasons)["payment"] == 10


# ---- the shipped sets against the shared reference data -------------------------------------------------------


def _csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_current_set_reproduces_portal_points_and_thresholds() -> None:
    iset = load_set("current")
    by_code = {i.code: i for i in iset.indicators}
    checked = 0
    for row in _csv("766_indicators.csv"):
        code = row["portal_metric_or_fields"].strip()
        pts = re.match(r"^(\d+(?:\.\d+)?)$", row["max_points_portal"].strip())
        if re.fullmatch(r"[A-Z_]+", code) and pts:
            assert by_code[code].max_points == float(pts.group(1)), code
            checked += 1
        m = re.search(r"rate\s*/\s*(0?\.\d+|\d+)", row["scoring_rule_observed_on_portal"])
        if re.fullmatch(r"[A-Z_]+", code) and m:
            v = float(m.group(1))
            assert by_code[code].full_at == (v * 100 if v < 1 else v), code
            checked += 1
    assert checked >= 18
    assert by_code["ON_TIME"].max_points == 20 and by_code["FULL_PROCESS_ONLINE"].max_points == 12
    groups = [int(r["max_points_portal_current"]) for r in _csv("766_groups.csv")[:-1]]
    assert [g.max_points for g in iset.groups] == groups
    assert sum(groups) == iset.total_points == 100


def test_2022_set_has_the_2022_thresholds_and_groups() -> None:
    iset = load_set("2022")
    by_id = {i.id: i for i in iset.indicators}
    for row in _csv("766_indicators.csv"):
        m = re.match(r">=(\d+)%", row["full_points_threshold"])
        if m and row["indicator_id_2022"] in by_id:
            assert by_id[row["indicator_id_2022"]].full_at == float(m.group(1)), row["indicator_id_2022"]
    expected = [int(re.match(r"\d+", r["max_points_2022_text"]).group()) for r in _csv("766_groups.csv")
                if re.match(r"\d+", r["max_points_2022_text"]) and r["group_en"] != "Total"]
    assert [g.max_points for g in iset.groups] == expected
    assert all(i.max_points is None for i in iset.indicators)


def test_bad_indicator_set_is_refused(tmp_path) -> None:  # noqa: ANN001
    from cchc.services.indicators import IndicatorSetError

    p = tmp_path / "s.yaml"
    p.write_text("id: x\ntitle_vi: x\ntitle_en: x\nsource: x\ngroups: [{id: g, name_vi: g, name_en: g, max_points: 1}]\n"
                 "indicators: [{id: a, code: A, group: g, name_vi: a, name_en: a, numerator: nope, denominator: received}]\n")
    with pytest.raises(IndicatorSetError, match="unknown measure 'nope'"):
        load_set(p)
    with pytest.raises(IndicatorSetError, match="not a shipped set"):
        load_set("2099")


def test_rates_are_nan_free_when_denominator_is_zero() -> None:
    iset = load_set("current")
    m = pd.DataFrame({k: [0] for k in ("received", "satisfied")})
    reasons = {i.id: (None if i.id == "5.4" else "x") for i in iset.indicators}
    ev = evaluate(m, iset, reasons)
    assert np.isnan(ev["5.4.rate"][0]) and ev["5.4.points"][0] == 0  # points_when_empty: 0 (portal)


def test_competence_list_replaces_the_handled_procedures_proxy(store: Path, tmp_path) -> None:  # noqa: ANN001
    comp = tmp_path / "competence.csv"
    comp.write_text("MaDonVi,MaTTHC\nU1,WD5\nU1,WD2\nU1,D10\nU1,H8\nU1,M1\nU2,WD5\nU2,D10\nU3,H8\n")
    res = compute(store, period="month", as_of=AS_OF, indicator_set="2022", competence=comp)
    recs = {(r["level"], r["unit"]): r for r in res.records() if r["period"] == "2024-03"}
    u1, u2, d1 = recs[("unit", "U1")], recs[("unit", "U2")], recs[("parent", "D1")]
    assert u1["procedure_scope"] == "competence"
    assert (ind(u1, "3.1")["numerator"], ind(u1, "3.1")["denominator"]) == (4, 5)  # M1 counts though unused
    assert (ind(u1, "4.5a")["numerator"], ind(u1, "4.5a")["denominator"]) == (2, 3)
    assert (ind(u2, "3.5")["numerator"], ind(u2, "3.5")["denominator"]) == (1, 2)  # D10 never used at U2
    assert ind(d1, "3.1")["denominator"] == 5
    proxy = {(r["level"], r["unit"]): r for r in compute(store, period="month", as_of=AS_OF, indicator_set="2022")
             .records() if r["period"] == "2024-03"}
    assert ind(proxy[("unit", "U2")], "3.5")["denominator"] == 1
    assert proxy[("unit", "U2")]["procedure_scope"] == "handled"


def test_unit_moved_between_parents_counts_each_procedure_once(tmp_path) -> None:  # noqa: ANN001
    """A unit whose records name two parents (e.g. moved in the 2025 merger) is one unit: its procedures are
    counted once at unit level (the re-grouping path), and under each parent for that parent's records."""
    rows = [_d(1, "WD5", channel=2, status=10, finished_at="2024-03-06 09:00:00"),
            _d(2, "WD5", parent_unit_code="D2", status=10, finished_at="2024-03-07 09:00:00"),
            _d(3, "H8", parent_unit_code="D2", status=10, finished_at="2024-03-08 09:00:00")]
    table = compute(make_store(tmp_path, rows), as_of=AS_OF).table
    active = {(r.level, r.unit): (r.received, r.proc_active, r.proc_online_used) for r in table.itertuples()}
    assert active[("unit", "U1")] == (3, 2, 1)  # WD5 and H8; WD5 once although under two parents
    assert active[("parent", "D1")] == (1, 1, 1)
    assert active[("parent", "D2")] == (2, 2, 0)
    assert active[("province", "*")] == (3, 2, 1)
