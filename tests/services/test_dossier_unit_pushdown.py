"""``compute(..., unit=X)`` runs the engine on the unit's own dossiers (and those of the units under it) with the
whole store's span, and returns exactly the records of the unfiltered call whose unit is X.

The store is built so that a wrong push-down shows: the latest event of the store and the only ratings and
population-data flags are in a unit (``LAST``) that no other unit's filter keeps, so a span taken from the
filtered rows moves the as-of time (open dossiers change class, carried months disappear) and makes indicators
non-computable; the department ``SO1`` has dossiers of its own and units under it, so a filter on one of the
two code columns only loses a level."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from tests.services.helpers import dossier, make_store

from cchc.services import indicators
from cchc.services.indicators import (
    PROVINCE,
    compute,
    connect_store,
    data_span,
    evaluate_engine,
    footer_span,
    late_count,
    late_dossiers,
    load_set,
    run_engine,
    unit_rows,
)

# unit code → parent code ("" none): a department with its own dossiers and two units under it, a commune
# without parent, a unit under a parent that handles none itself, and the unit holding the store's last event
UNITS = {"SO1": "", "SO1.A": "SO1", "SO1.B": "SO1", "XA1": "", "U9": "D9", "LAST": ""}
PROCS = ("WD5", "WD2", "H8", "D10", "M1")
LEVELS = {"SO1": {"unit", "parent"}, "XA1": {"unit"}, "SO1.A": {"unit"}, "D9": {"parent"}, PROVINCE: {"province"}}


def _rows() -> list[dict]:
    rng = random.Random(13)
    rows = []
    units = [u for u in UNITS if u != "LAST"]
    for i in range(240):
        unit = units[i % len(units)]
        day = 2 + rng.randrange(88)  # January – March 2024
        received = pd.Timestamp("2024-01-01 08:00") + pd.Timedelta(days=day, hours=rng.randrange(9))
        kw = {"unit_code": unit, "parent_unit_code": UNITS[unit], "procedure_code": PROCS[rng.randrange(5)],
              "channel": rng.choice((1, 2, 2, 3)), "received_at": str(received),
              "synced_to_portal": rng.randrange(2), "digitised_components": rng.randrange(2),
              "fee_required": rng.randrange(2), "paid_online": rng.randrange(2)}
        fate = rng.random()
        if fate < 0.6:  # finished: early, on time or late
            kw.update(status=rng.choice((9, 10)), finished_at=str(received + pd.Timedelta(days=rng.randrange(1, 14))))
        else:  # still open at the end of the data: in time or overdue depending on the as-of time
            kw.update(status=4, due_at=str(received + pd.Timedelta(days=rng.randrange(5, 120))))
        rows.append(dossier(f"R{i}", **kw))
    rows.append(dossier("L1", unit_code="LAST", parent_unit_code="", received_at="2024-02-10 09:00:00",
                        status=10, finished_at="2024-06-20 09:00:00", rating=1, population_data_used=1))
    rows.append(dossier("L2", unit_code="LAST", parent_unit_code="", received_at="2024-06-18 09:00:00",
                        status=10, finished_at="2024-06-19 09:00:00", rating=-1))
    return rows


ROWS = _rows()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:  # noqa: ANN001
    return make_store(tmp_path_factory.mktemp("pushdown"), ROWS)


def _unfiltered(store: Path, unit: str, **kw) -> list[dict]:  # noqa: ANN003
    return [r for r in compute(store, **kw).records() if r["unit"] == unit]


@pytest.mark.parametrize("unit", list(LEVELS))
@pytest.mark.parametrize("period, by_procedure", [("month", True), ("quarter", False), ("month", False)])
def test_unit_records_equal_the_unfiltered_records(store: Path, unit: str, period: str, by_procedure: bool) -> None:
    expected = _unfiltered(store, unit, period=period, by_procedure=by_procedure)
    got = compute(store, period=period, unit=unit, by_procedure=by_procedure).records()
    assert expected and {r["level"] for r in expected} == LEVELS[unit]
    assert got == expected


@pytest.mark.parametrize("unit", ["SO1", "XA1", "SO1.A"])
def test_with_a_competence_list(store: Path, unit: str) -> None:
    comp = pd.DataFrame([(u, p) for u in UNITS for p in PROCS[:3 + len(u) % 3]],
                        columns=["unit_code", "procedure_code"])
    expected = _unfiltered(store, unit, competence=comp, by_procedure=True)
    got = compute(store, unit=unit, competence=comp, by_procedure=True).records()
    assert expected and got == expected
    assert {r["procedure_scope"] for r in got} == {"competence"}


@pytest.mark.parametrize("unit", ["SO1", "XA1", "SO1.A", PROVINCE])
def test_the_engine_reads_the_unit_rows_only(store: Path, unit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    real = indicators.run_engine

    def spy(t, *args, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append((int(t.count().execute()), kw["span"]))
        return real(t, *args, **kw)

    monkeypatch.setattr(indicators, "run_engine", spy)
    compute(store, unit=unit)
    n = len(ROWS) if unit == PROVINCE else sum(unit in (r["unit_code"], r["parent_unit_code"]) for r in ROWS)
    assert seen[0][0] == n and (n < len(ROWS) or unit == PROVINCE)
    _, t = connect_store(store)
    assert seen[0][1] == (footer_span(store) or data_span(t, with_counts=True))  # the whole store's span


@pytest.mark.parametrize("unit", ["SO1", "XA1", "SO1.A"])
def test_the_store_tells_a_wrong_push_down(store: Path, unit: str) -> None:
    """The parity above would fail with a span of the filtered rows, or with a filter on one column only."""
    expected = _unfiltered(store, unit, by_procedure=True)
    _, t = connect_store(store)
    iset = load_set("current")

    def records(rows) -> list[dict] | None:  # noqa: ANN001
        try:
            return evaluate_engine(run_engine(rows, "month", by_procedure=True), iset, unit=unit).records()
        except ValueError:  # no received dossiers in the rows
            return None

    assert records(unit_rows(t, unit)) != expected  # the span of the unit's rows, not of the store
    assert records(t.filter(t.unit_code == unit)) != expected or unit != "SO1"
    assert records(t.filter(t.parent_unit_code == unit)) != expected


def test_a_unit_without_dossiers_has_no_records(store: Path) -> None:
    assert compute(store, unit="NOPE", by_procedure=True).records() == []


def test_late_count_and_the_province_code(store: Path) -> None:
    recs = compute(store, period="quarter", levels=("province",)).records()
    assert [late_count(r) for r in recs] == [r["on_time"]["late"] + r["on_time"]["open_overdue"] for r in recs]
    assert any(late_count(r) for r in recs)
    # "*" is the province for late_dossiers too: every unit's late dossiers
    every, province = (late_dossiers(store, unit=u).sort_values("dossier_id", ignore_index=True) for u in (None, PROVINCE))
    assert len(every) > 0
    pd.testing.assert_frame_equal(province, every)
