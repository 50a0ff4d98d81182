"""Every named on-time rule (cchc.services.rules.RULES) with a hand-built dataset and its known answer."""

from __future__ import annotations

import sys

import duckdb
from tests.services.helpers import at, dossier, ind, make_store, province

from cchc.services.importer import Store
from cchc.services.rules import RULES, classify_py

AS_OF = at("2024-03-31T23:59:59")


def _ot(rec: dict) -> dict:
    return {k: v for k, v in rec["on_time"].items() if v and k != "late_with_apology"}


def _stored(store) -> dict:  # noqa: ANN001
    rows = duckdb.sql(
        f"SELECT dossier_id, due_effective_at, due_source FROM read_parquet('{Store(store).glob()}')"
    ).fetchall()
    return {r[0]: (str(r[1]) if r[1] else None, r[2]) for r in rows}


def test_rule_due_date_given(tmp_path) -> None:  # noqa: ANN001
    store = make_store(tmp_path, [dossier(1, status=10, due_at="2024-03-05 17:00:00",
                                          finished_at="2024-03-05 16:00:00")])
    assert _stored(store)["H1"] == ("2024-03-05 17:00:00", "given")
    assert _ot(province(store, as_of=AS_OF)["2024-03"]) == {"on_time": 1}


def test_rule_due_date_from_limit(tmp_path) -> None:  # noqa: ANN001
    rows = [
        dossier(1, procedure_code="WD5", received_at="2024-04-26 09:00:00"),  # spans 29/4–1/5 and make-up Sat 4/5
        dossier(2, procedure_code="WD2", received_at="2024-02-07 09:00:00"),  # spans Tết 8–14/2
        dossier(3, procedure_code="H8", received_at="2024-03-04 09:00:00"),
        dossier(4, procedure_code="D10", received_at="2024-03-04 09:00:00"),
        dossier(5, procedure_code="M1", received_at="2024-01-31 10:00:00"),  # → end of February (leap year)
        dossier(6, procedure_code="WD5", received_at="2024-04-26 09:00:00", status=10,
                finished_at="2024-05-07 10:00:00"),
        dossier(7, procedure_code="WD5", received_at="2024-04-26 09:00:00", status=10,
                finished_at="2024-05-08 08:00:00"),
    ]
    store = make_store(tmp_path, rows)
    due = _stored(store)
    assert due["H1"] == ("2024-05-07 23:59:59", "computed")
    assert due["H2"] == ("2024-02-16 23:59:59", "computed")
    assert due["H3"] == ("2024-03-04 17:00:00", "computed")
    assert due["H4"] == ("2024-03-14 23:59:59", "computed")
    assert due["H5"] == ("2024-02-29 23:59:59", "computed")
    may = province(store, as_of=at("2024-05-31T23:59:59"))["2024-05"]
    assert may["on_time"]["on_time"] == 1 and may["on_time"]["late"] == 1


def test_rule_end_of_processing(tmp_path) -> None:  # noqa: ANN001
    rows = [
        dossier(1, status=10, due_at="2024-03-08 17:00:00", returned_at="2024-03-06 10:00:00"),
        dossier(2, status=7, due_at="2024-03-08 17:00:00", finished_at="2024-03-05 10:00:00"),
        dossier(3, status=8, due_at="2024-03-08 17:00:00", finished_at="2024-03-11 10:00:00"),
    ]
    rec = province(make_store(tmp_path, rows), as_of=AS_OF)["2024-03"]
    assert _ot(rec) == {"early": 2, "late": 1}


def test_rule_single_supplement_pending(tmp_path) -> None:  # noqa: ANN001
    rows = [
        dossier(1, status=5, supplement_count=1, due_at="2024-03-08 17:00:00",
                supplement_requested_at="2024-03-05 10:00:00"),
        # the citizen came back: processing goes on, and at the end of March it is overdue
        dossier(2, status=5, supplement_count=1, due_at="2024-03-08 17:00:00",
                supplement_requested_at="2024-03-05 10:00:00", supplement_completed_at="2024-03-06 10:00:00"),
    ]
    rec = province(make_store(tmp_path, rows), as_of=AS_OF)["2024-03"]
    assert _ot(rec) == {"early": 1, "open_overdue": 1}


def test_rule_supplement_time_excluded(tmp_path) -> None:  # noqa: ANN001
    rows = [
        dossier(1, status=10, due_at="2024-03-08 17:00:00", finished_at="2024-03-12 10:00:00", supplement_count=1,
                supplement_requested_at="2024-03-05 09:00:00", supplement_completed_at="2024-03-09 09:00:00"),
        dossier(2, status=10, due_at="2024-03-08 17:00:00", finished_at="2024-03-12 10:00:00", supplement_count=1,
                supplement_wait_hours=24),
    ]
    rec = province(make_store(tmp_path, rows), as_of=AS_OF)["2024-03"]
    assert _ot(rec) == {"on_time": 1, "late": 1}


def test_rule_multiple_supplements_late(tmp_path) -> None:  # noqa: ANN001
    rows = [dossier(1, status=10, due_at="2024-03-08 17:00:00", finished_at="2024-03-05 10:00:00",
                    supplement_count=2, apology_issued=1)]
    rec = province(make_store(tmp_path, rows), as_of=AS_OF)["2024-03"]
    assert _ot(rec) == {"late": 1}
    assert rec["on_time"]["late_with_apology"] == 1


def test_rule_open_at_period_end(tmp_path) -> None:  # noqa: ANN001
    store = make_store(tmp_path, [dossier(1, received_at="2024-01-20 09:00:00", due_at="2024-02-05 17:00:00")])
    by_month = province(store, as_of=AS_OF)
    assert {p: _ot(r) for p, r in by_month.items()} == {
        "2024-01": {"open_in_time": 1}, "2024-02": {"open_overdue": 1}, "2024-03": {"open_overdue": 1}}
    # the as-of time falls inside February: February is measured at the as-of time, not at its end
    early_feb = province(store, as_of=at("2024-02-03T12:00:00"))
    assert _ot(early_feb["2024-02"]) == {"open_in_time": 1}


def test_rule_early_on_time_late(tmp_path) -> None:  # noqa: ANN001
    rows = [dossier(i, status=9, due_at="2024-03-08 17:00:00", finished_at=f)
            for i, f in enumerate(["2024-03-07 16:00:00", "2024-03-08 09:00:00", "2024-03-08 18:00:00"])]
    rec = province(make_store(tmp_path, rows), as_of=AS_OF)["2024-03"]
    assert _ot(rec) == {"early": 1, "on_time": 1, "late": 1}
    assert ind(rec, "2.1")["numerator"] == 2 and ind(rec, "2.1")["denominator"] == 3
    assert round(ind(rec, "2.1")["points"], 6) == round(20 * 2 / 3, 6)


def test_rule_not_received_excluded(tmp_path) -> None:  # noqa: ANN001
    rows = [
        dossier(1, status=1, received_at=None, submitted_at="2024-03-04 08:00:00", channel=2),
        dossier(2, status=3, received_at=None, submitted_at="2024-03-04 08:00:00"),
        dossier(3, status=4, due_at="2024-04-30 17:00:00"),
    ]
    rec = province(make_store(tmp_path, rows), as_of=AS_OF)["2024-03"]
    assert ind(rec, "3.3b")["denominator"] == 1
    assert _ot(rec) == {"open_in_time": 1}


def test_rule_no_due_unclassified(tmp_path) -> None:  # noqa: ANN001
    rows = [dossier(1, procedure_code="UNKNOWN"), dossier(2, due_at="2024-04-30 17:00:00")]
    rec = province(make_store(tmp_path, rows, catalogue=False), as_of=AS_OF)["2024-03"]
    assert _ot(rec) == {"no_due": 1, "open_in_time": 1}
    assert ind(rec, "2.1")["denominator"] == 1


def test_rule_period_membership(tmp_path) -> None:  # noqa: ANN001
    rows = [dossier(1, status=10, received_at="2024-01-25 09:00:00", due_at="2024-02-10 17:00:00",
                    finished_at="2024-02-05 10:00:00")]
    store = make_store(tmp_path, rows)
    active = province(store, as_of=AS_OF)
    assert _ot(active["2024-01"]) == {"open_in_time": 1} and _ot(active["2024-02"]) == {"early": 1}
    received = province(store, as_of=AS_OF, membership="received")
    assert set(received) == {"2024-01"} or all(not _ot(r) for p, r in received.items() if p != "2024-01")
    assert _ot(received["2024-01"]) == {"open_in_time": 1}
    quarter = province(store, period="quarter", as_of=AS_OF)
    assert _ot(quarter["2024-Q1"]) == {"early": 1}


def test_classify_py_matches_rule_statements() -> None:
    day = 86_400
    due = 10 * day + 17 * 3600
    assert classify_py(due - day, due, 0, False, True) == "early"
    assert classify_py(due - 3600, due, 0, False, True) == "on_time"
    assert classify_py(due + 1, due, 0, False, True) == "late"
    assert classify_py(due + 3600, due, 7200, False, True) == "on_time"
    assert classify_py(due - day, due, 0, True, True) == "late"
    assert classify_py(due, due, 0, False, False) == "open_in_time"
    assert classify_py(due + 1, due, 0, False, False) == "open_overdue"
    assert classify_py(due, None, 0, False, True) == "no_due"


def test_every_rule_has_a_test() -> None:
    names = {n for n in dir(sys.modules[__name__]) if n.startswith("test_rule_")}
    assert {f"test_rule_{r.name}" for r in RULES} <= names
