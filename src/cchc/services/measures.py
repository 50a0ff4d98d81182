"""The measures (counts and sums) the engine computes per unit × period, written once in Ibis.

Indicator definitions (YAML) refer to measures by name; :data:`MEASURES` documents each one and the record
columns it needs. Three kinds:

- ``reception``: dossiers received in the period (NgayTiepNhan), counted once, in their reception period;
- ``on_time``: indicator 2.1 rows (one per dossier and period it belongs to; see rule ``period_membership``);
- ``procedure``: numbers of distinct procedures, computed after aggregation (so they roll up correctly).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cchc.services.rules import CLASS_CODES, DAY_S, LATE_CODES, classify, dossier_frame


@dataclass(frozen=True)
class Measure:
    name: str
    kind: str  # reception | on_time | procedure
    description: str
    needs: tuple[str, ...] = ()  # record columns that must have at least one non-null value


MEASURES: tuple[Measure, ...] = (
    Measure("received", "reception", "Dossiers received in the period (status not new/refused, reception time set)"),
    Measure("synced", "reception", "… synchronised to the National Public Service Portal", ("synced_to_portal",)),
    Measure("ch_in_person", "reception", "… submitted in person (channel 1 or missing)"),
    Measure("ch_online", "reception", "… submitted online (channel 2)"),
    Measure("ch_postal", "reception", "… submitted by public postal service (channel 3)"),
    Measure("online_with_result", "reception",
            "… online, with an electronic result where the procedure requires a documentary result"),
    Measure("full_eligible", "reception", "… of procedures offered as full-process online services (catalogue)",
            ("catalogue_online_level",)),
    Measure("full_online", "reception", "… of those, submitted online as full-process (procedure_level = full)",
            ("catalogue_online_level", "procedure_level")),
    Measure("fee_dossiers", "reception", "… bearing a fee (fee_required, else catalogue fee > 0)", ("fee_flag",)),
    Measure("paid_online", "reception", "… of those, paid online (national portal or local gateway)",
            ("fee_flag", "paid_online")),
    Measure("result_required_done", "reception",
            "… completed, of procedures that issue a documentary result", ("result_required",)),
    Measure("eresult_done", "reception", "… of those, with an electronic result",
            ("result_required", "electronic_result")),
    Measure("digitised_ok", "reception",
            "… with digitised components and, where a result is required, an electronic result",
            ("digitised_components",)),
    Measure("reused", "reception", "… reusing already-digitised data", ("reused_digitised_data",)),
    Measure("store_linked", "reception", "… linked to the citizen's data store on the portal", ("data_store_linked",)),
    Measure("population", "reception", "… using the population database / VNeID", ("population_data_used",)),
    Measure("satisfied", "reception",
            "… not rated dissatisfied, without feedback (PAKN) and not late", ("rating_or_feedback",)),
    Measure("completed", "reception", "… completed (status 9 or 10)"),
    Measure("processing_days", "reception",
            "Sum over completed dossiers of (end − reception − supplement wait) in calendar days"),
    Measure("ot_early", "on_time", "2.1 rows finished before the due day", ("due_effective_at",)),
    Measure("ot_on_time", "on_time", "2.1 rows finished on the due day", ("due_effective_at",)),
    Measure("ot_late", "on_time", "2.1 rows finished late", ("due_effective_at",)),
    Measure("ot_open_in_time", "on_time", "2.1 rows still in process at the period end, not overdue",
            ("due_effective_at",)),
    Measure("ot_open_overdue", "on_time", "2.1 rows still in process at the period end and overdue",
            ("due_effective_at",)),
    Measure("ot_no_due", "on_time", "Rows with neither a due date nor a known time limit (not classified)"),
    Measure("ot_late_apology", "on_time", "Late or overdue rows with an apology slip issued", ("apology_issued",)),
    Measure("ot_ok", "on_time", "early + on time + open in time", ("due_effective_at",)),
    Measure("ot_total", "on_time", "early + on time + late + open in time + open overdue", ("due_effective_at",)),
    Measure("proc_active", "procedure", "Procedures with at least one received dossier at the unit (any period)"),
    Measure("proc_online_offered", "procedure", "… of those offered online (full or partial, catalogue)",
            ("catalogue_online_level",)),
    Measure("proc_online_used", "procedure", "… of those with at least one online dossier in the period",
            ("catalogue_online_level",)),
    Measure("proc_fee", "procedure", "Active procedures with a fee (catalogue fee > 0)", ("catalogue_fee",)),
    Measure("proc_fee_used", "procedure", "… with at least one fee-bearing dossier in the period", ("catalogue_fee",)),
    Measure("proc_fee_paid", "procedure", "… with at least one dossier paid online in the period",
            ("catalogue_fee", "paid_online")),
    Measure("proc_individual", "procedure", "Active procedures whose subjects are individuals (catalogue)",
            ("individual_subjects",)),
    Measure("proc_population", "procedure", "… with at least one dossier using population data in the period",
            ("individual_subjects", "population_data_used")),
)
MEASURE_BY_NAME = {m.name: m for m in MEASURES}
NN_COLUMNS = ("synced_to_portal", "catalogue_online_level", "procedure_level", "fee_flag", "paid_online",
              "result_required", "electronic_result", "digitised_components", "reused_digitised_data",
              "data_store_linked", "population_data_used", "rating_or_feedback", "due_effective_at",
              "apology_issued", "catalogue_fee", "individual_subjects")
"""Columns whose non-null counts (over all records) decide which indicators are computable."""

OT_CLASSES = ("early", "on_time", "late", "open_in_time", "open_overdue", "no_due")
GRANULARITIES = ("month", "quarter", "half", "year")


def period_index(ts, granularity: str):  # noqa: ANN001, ANN201
    """Integer period index of an Ibis timestamp: month y*12+m-1, quarter y*4+q-1, half y*2+h-1, year y."""
    y = ts.year().cast("int64")
    m = ts.month().cast("int64") - 1
    if granularity == "month":
        return y * 12 + m
    if granularity == "quarter":
        return y * 4 + m // 3
    if granularity == "half":
        return y * 2 + m // 6
    if granularity == "year":
        return y
    raise ValueError(f"unknown period {granularity!r} (month, quarter, half, year)")


def period_bounds(idx: int, granularity: str) -> tuple[np.datetime64, np.datetime64]:
    """First second and last second of a period index (naive local time)."""
    per_year = {"month": 12, "quarter": 4, "half": 2, "year": 1}[granularity]
    months = 12 // per_year
    y, k = divmod(idx, per_year)
    start = np.datetime64(f"{y:04d}-01", "M") + np.timedelta64(k * months, "M")
    end = start + np.timedelta64(months, "M")
    return start.astype("datetime64[s]"), end.astype("datetime64[s]") - np.timedelta64(1, "s")


def period_label(idx: int, granularity: str) -> str:
    """``2024-05``, ``2024-Q2``, ``2024-H1``, ``2024``."""
    if granularity == "month":
        y, m = divmod(idx, 12)
        return f"{y:04d}-{m + 1:02d}"
    if granularity == "quarter":
        y, q = divmod(idx, 4)
        return f"{y:04d}-Q{q + 1}"
    if granularity == "half":
        y, h = divmod(idx, 2)
        return f"{y:04d}-H{h + 1}"
    return f"{idx:04d}"


def parse_period_label(label: str) -> tuple[str, int]:
    """Inverse of :func:`period_label`: ``2024-Q2`` → ("quarter", 8097)."""
    s = label.strip().upper()
    try:
        if len(s) == 4:
            return "year", int(s)
        y, rest = s.split("-", 1)
        yi = int(y)
        if rest.startswith("Q"):
            return "quarter", yi * 4 + int(rest[1:]) - 1
        if rest.startswith("H"):
            return "half", yi * 2 + int(rest[1:]) - 1
        return "month", yi * 12 + int(rest) - 1
    except ValueError as exc:
        raise ValueError(f"period {label!r}: expected 2024, 2024-H1, 2024-Q2 or 2024-05") from exc


def _periods_table(lo: int, hi: int, granularity: str):  # noqa: ANN202
    import ibis
    import pandas as pd

    idx = np.arange(lo, hi + 1, dtype=np.int64)
    ends = np.array([period_bounds(int(i), granularity)[1] for i in idx]).astype("datetime64[s]").astype(np.int64)
    return ibis.memtable(pd.DataFrame({"pp": idx, "pend_s": ends}))


def _b(expr):  # noqa: ANN001, ANN202
    """A flag as an integer to sum. A null flag stays null and ``sum`` skips it, which counts it as false (no
    COALESCE per row: a third faster on DuckDB). Sums of only nulls come back null and are read as 0."""
    return expr.cast("int32")


def _prepared(t, granularity: str, as_of_s: int, period_hi: int):  # noqa: ANN001, ANN202
    """Received dossiers with the rule columns, reception period ``first``, end period ``endp``, and ``last``
    (the period of the end, else the as-of period)."""
    import ibis

    d = dossier_frame(t)
    d = d.filter(d.is_received & (d.rec_s <= as_of_s))
    after = d.end_s > as_of_s  # finished after the as-of time: still open as of then
    end_s = ibis.cases((after, ibis.null("int64")), else_=d.end_s)
    end_ts = ibis.cases((after, ibis.null("timestamp")), else_=d.end_at)
    first = period_index(d.received_at, granularity)
    endp = ibis.cases((end_s.isnull(), ibis.null("int64")), else_=period_index(end_ts, granularity))
    return d.mutate(
        end_s2=end_s, first=first, endp=endp, last=ibis.coalesce(endp, ibis.literal(period_hi, "int64")),
        fee_flag=ibis.coalesce(d.fee_required, d.catalogue_fee > 0), rr=d.result_required.fill_null(False),
        rating_or_feedback=ibis.coalesce(d.rating.cast("string"), d.has_feedback.cast("string")),
        p_online=d.catalogue_online_level.isin(("full", "partial")), p_fee=d.catalogue_fee > 0,
        p_individual=d.individual_subjects,
    )


ROW_COLUMNS = (
    "unit_code", "parent_unit_code", "procedure_code", "procedure_level", "channel", "synced_to_portal",
    "catalogue_online_level", "catalogue_fee", "individual_subjects", "result_required", "electronic_result",
    "digitised_components", "reused_digitised_data", "data_store_linked", "population_data_used", "rating",
    "has_feedback", "paid_online", "apology_issued", "due_effective_at", "is_completed", "rec_s", "due_s",
    "wait_s", "forced_late", "end_s2", "first", "endp", "last", "fee_flag", "rr", "rating_or_feedback",
)


def measure_frame(t, granularity: str, as_of_s: int, period_lo: int, period_hi: int,  # noqa: ANN001, ANN201
                  membership: str = "active", by_procedure: bool = False):
    """Ibis expression, one pass: every reception and on-time measure per (unit_code, parent_unit_code,
    period[, procedure_code]). ``t`` is the stored dossier table; ``as_of_s`` the as-of time (epoch s).

    Each received dossier gives one row per period it belongs to (rule ``period_membership``): its reception
    period, and in ``active`` mode also every later period up to the one it finished in (or the as-of period).
    Reception measures count only on the reception-period row.
    """
    import ibis

    if membership not in ("active", "received"):
        raise ValueError("membership must be 'active' or 'received'")
    d = _prepared(t, granularity, as_of_s, period_hi).select(*ROW_COLUMNS)
    if membership == "active":
        d = d.mutate(pp=ibis.range(d.first, d.last + 1).unnest())
    else:
        d = d.mutate(pp=d.first)
    periods = _periods_table(period_lo, period_hi, granularity)
    a = d.join(periods, "pp")
    fin = a.endp.notnull() & (a.pp == a.endp)
    measured = ibis.cases((fin, a.end_s2), else_=ibis.least(a.pend_s, ibis.literal(as_of_s, "int64")))
    a = a.mutate(cls=classify(measured, a.due_s, a.wait_s, a.forced_late, fin), r=a.pp == a.first)
    late = a.cls.isin(LATE_CODES)
    r = a.r
    ch = a.channel.fill_null(1)
    done = a.is_completed & a.end_s2.notnull()
    aggs = dict(
        received=_b(r).sum(),
        synced=_b(r & a.synced_to_portal).sum(),
        ch_in_person=_b(r & (ch == 1)).sum(),
        ch_online=_b(r & (ch == 2)).sum(),
        ch_postal=_b(r & (ch == 3)).sum(),
        online_with_result=_b(r & (ch == 2) & (~a.rr | a.electronic_result.fill_null(False))).sum(),
        full_eligible=_b(r & (a.catalogue_online_level == "full")).sum(),
        full_online=_b(r & (a.catalogue_online_level == "full") & (ch == 2) & (a.procedure_level == "full")).sum(),
        fee_dossiers=_b(r & a.fee_flag).sum(),
        paid_online=_b(r & a.fee_flag & a.paid_online.isin((1, 2))).sum(),
        result_required_done=_b(r & a.rr & a.is_completed).sum(),
        eresult_done=_b(r & a.rr & a.is_completed & a.electronic_result).sum(),
        digitised_ok=_b(r & a.digitised_components & (~a.rr | a.electronic_result.fill_null(False))).sum(),
        reused=_b(r & a.reused_digitised_data).sum(),
        store_linked=_b(r & a.data_store_linked).sum(),
        population=_b(r & a.population_data_used).sum(),
        satisfied=_b(r & ~((a.rating == -1).fill_null(False) | a.has_feedback.fill_null(False) | late)).sum(),
        completed=_b(r & done).sum(),
        processing_days=ibis.cases((r & done, (a.end_s2 - a.rec_s - a.wait_s) / DAY_S), else_=0.0).sum(),
    )
    for k in OT_CLASSES:
        aggs[f"ot_{k}"] = _b(a.cls == CLASS_CODES[k]).sum()
    aggs["ot_late_apology"] = _b(late & a.apology_issued).sum()
    keys = [a.unit_code, a.parent_unit_code, a.pp.name("period")]
    if by_procedure:
        keys.append(a.procedure_code)
    return a.group_by(keys).aggregate(**aggs)


def procedure_frame(t, granularity: str, as_of_s: int, period_hi: int):  # noqa: ANN001, ANN201
    """Ibis expression: per (unit, parent, procedure, reception period), whether the procedure had received,
    online, fee-bearing, paid-online and population-data dossiers, and its catalogue attributes — the input of
    the distinct-procedure measures, which must be recounted at every roll-up level."""
    d = _prepared(t, granularity, as_of_s, period_hi)
    ch = d.channel.fill_null(1)
    return d.group_by([d.unit_code, d.parent_unit_code, d.procedure_code, d.first.name("period")]).aggregate(
        received=d.count(),
        ch_online=_b(ch == 2).max(),
        fee_dossiers=_b(d.fee_flag).max(),
        paid_online=_b(d.fee_flag & d.paid_online.isin((1, 2))).max(),
        population=_b(d.population_data_used).max(),
        p_online=_b(d.p_online).max(),
        p_fee=_b(d.p_fee).max(),
        p_individual=_b(d.p_individual).max(),
    )
