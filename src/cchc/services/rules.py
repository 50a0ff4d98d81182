"""The named on-time rules of Decision 766 indicator 2.1 (and what depends on them).

Every rule has a name, a one-line statement and a test in ``tests/services/test_rules.py``. The rules follow
``docs/domain.md`` §6 and the computation notes in ``766_indicators.csv`` (transcribed from the portal's
formula document); where the official text is silent the choice is marked *assumption* and is configurable.

Per-dossier rules are written once as Ibis expressions (:func:`dossier_frame`), so the same definition runs on
DuckDB, PostgreSQL or Spark; the only rule evaluated in numpy is the due date derived from the legal time limit,
because it needs the working-day calendar and is stored at import time (:func:`derive_due`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cchc.services.calendar import WorkingCalendar


@dataclass(frozen=True)
class Rule:
    name: str
    statement: str
    source: str


RULES: tuple[Rule, ...] = (
    Rule("due_date_given", "The due date is the appointment date (NgayHenTra, due_at) when the record has one.",
         "766_indicators.csv 2.1"),
    Rule("due_date_from_limit",
         "Without a due date, due = reception + the procedure's legal time limit in its unit: hours (clock "
         "hours), days (calendar days), working days (the calendar, end of the day), months (calendar months, "
         "end of the day).", "domain.md §6; 766_indicators.csv 2.1 (end-of-day: assumption)"),
    Rule("end_of_processing",
         "End = finished_at (else returned_at) for completed (9), returned (10), withdrawn (7) and stopped (8) "
         "dossiers.", "766_indicators.csv 2.1; 766_dossier_status_codes.csv"),
    Rule("single_supplement_pending",
         "A dossier in 'supplement requested' (5) after exactly one request, not yet completed by the citizen, "
         "ends at the request time.", "766_indicators.csv 2.1"),
    Rule("supplement_time_excluded",
         "Time waiting for the citizen's supplement (supplement_wait_hours, else completed − requested) is "
         "subtracted from the measured time before comparing with the due date.", "domain.md §6"),
    Rule("multiple_supplements_late", "More than one supplement request makes the dossier late.", "domain.md §6"),
    Rule("open_at_period_end",
         "A dossier not finished by the end of the period is measured at the period end (or at the as-of time "
         "if the period has not ended): in time if that moment is not after the due date, else overdue.",
         "domain.md §6"),
    Rule("early_on_time_late",
         "Finished dossiers are early (finished on a day before the due day), on time (on the due day, not "
         "after the due time) or late (after the due time); counted separately.", "domain.md §6"),
    Rule("not_received_excluded", "New (1) and refused (3) dossiers, and records without a reception time, are "
         "not received and count in no reception-based denominator.", "766_dossier_status_codes.csv"),
    Rule("no_due_unclassified",
         "A dossier with neither a due date nor a known legal time limit cannot be classified; it is counted "
         "as ot_no_due and left out of the 2.1 denominator (assumption).", "assumption"),
    Rule("period_membership",
         "2.1 membership: 'active' (default) counts a dossier in every period in which it was being processed "
         "and finished or still open at the end (carried-over dossiers count again); 'received' counts it only "
         "in its reception period. Other indicators use the reception period (NgayTiepNhan, else NgayNopHoSo).",
         "766_indicators.csv 2.1 ('received and processed in the period'); 766_volumes.csv Kon Tum Q3/2023 "
         "('incl. carried over'); choice configurable"),
)
RULE_BY_NAME = {r.name: r for r in RULES}

END_STATUSES = (7, 8, 9, 10)
COMPLETED_STATUSES = (9, 10)
NOT_RECEIVED_STATUSES = (1, 3)
DAY_S = 86_400


# --------------------------------------------------------------------------------------------------------------
# due date from the legal time limit (numpy; stored at import)


def derive_due(
    received_at: pa.Array,
    due_at: pa.Array,
    limit_value: pa.Array,
    limit_unit: pa.Array,
    calendar: WorkingCalendar,
) -> tuple[pa.Array, pa.Array]:
    """Rules ``due_date_given`` and ``due_date_from_limit``: the due date used by the on-time test.

    Returns ``(due_effective_at, due_source)``; ``due_source`` is ``given``, ``computed`` or ``none``.
    Day-based deadlines end at 23:59:59 of the last day (assumption: the official time of day is not stated).
    """
    n = len(received_at)
    rec = received_at.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    given = due_at.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    lim = np.asarray(pc.fill_null(limit_value.cast(pa.float64()), np.nan).to_numpy(zero_copy_only=False), dtype=float)
    unit = np.asarray(pc.fill_null(limit_unit.cast(pa.string()), "").to_numpy(zero_copy_only=False), dtype=object)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    has_rec = ~np.isnat(rec) & ~np.isnan(lim)
    day = rec.astype("datetime64[D]")
    end_of_day = np.timedelta64(DAY_S - 1, "s")
    m = has_rec & (unit == "hours")
    out[m] = rec[m] + np.round(lim[m] * 3600).astype("int64").astype("timedelta64[s]")
    m = has_rec & (unit == "days")
    out[m] = (day[m] + np.ceil(lim[m]).astype("int64").astype("timedelta64[D]")).astype("datetime64[s]") + end_of_day
    m = has_rec & (unit == "working_days")
    if m.any():
        wd = calendar.add_working_days(day[m], np.ceil(lim[m]).astype("int64"))
        out[m] = wd.astype("datetime64[s]") + end_of_day
    m = has_rec & (unit == "months")
    if m.any():
        months = rec[m].astype("datetime64[M]") + np.ceil(lim[m]).astype("int64").astype("timedelta64[M]")
        dom = (day[m] - rec[m].astype("datetime64[M]").astype("datetime64[D]")).astype("int64")
        last_dom = ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype("int64") - 1
        target = months.astype("datetime64[D]") + np.minimum(dom, last_dom).astype("timedelta64[D]")
        out[m] = target.astype("datetime64[s]") + end_of_day
    has_given = ~np.isnat(given)
    out[has_given] = given[has_given]
    source = np.where(has_given, "given", np.where(np.isnat(out), "none", "computed"))
    return pa.array(out, type=pa.timestamp("s"), from_pandas=True), pa.array(source, type=pa.string())


# --------------------------------------------------------------------------------------------------------------
# per-dossier rules as Ibis expressions


def dossier_frame(t):  # noqa: ANN001, ANN201 - Ibis table in, Ibis table out
    """Add the per-dossier rule columns to an Ibis table of stored dossiers.

    Adds ``end_at`` and (all times in epoch seconds of naive local time): ``rec_s``, ``end_s`` (rule ``end_of_processing`` /
    ``single_supplement_pending``), ``due_s``, ``wait_s`` (``supplement_time_excluded``), ``forced_late``
    (``multiple_supplements_late``), ``is_received`` (``not_received_excluded``), ``is_completed``.
    """
    import ibis

    def secs(col):  # noqa: ANN001, ANN202
        return col.epoch_seconds().cast("int64")

    status = t.status
    supp_n = t.supplement_count.fill_null(0)
    is_received = (~status.isin(NOT_RECEIVED_STATUSES)) & t.received_at.notnull()
    finished = ibis.coalesce(t.finished_at, t.returned_at)
    pending_one = (status == 5) & (supp_n <= 1) & t.supplement_completed_at.isnull() & t.supplement_requested_at.notnull()
    end_ts = (
        ibis.cases(
            (status.isin(END_STATUSES), finished),
            (pending_one, t.supplement_requested_at),
            else_=ibis.null("timestamp"),
        )
    )
    wait_from_times = (secs(t.supplement_completed_at) - secs(t.supplement_requested_at))
    wait_s = ibis.coalesce(
        (t.supplement_wait_hours * 3600).round().cast("int64"),
        ibis.cases((wait_from_times > 0, wait_from_times), else_=0),
        ibis.literal(0, "int64"),
    )
    # a pending single request ends the clock at the request: nothing to subtract
    wait_s = ibis.cases((pending_one, ibis.literal(0, "int64")), else_=wait_s)
    return t.mutate(
        end_at=end_ts,
        rec_s=secs(t.received_at),
        end_s=secs(end_ts),
        due_s=secs(t.due_effective_at),
        wait_s=wait_s,
        forced_late=supp_n > 1,
        is_received=is_received,
        is_completed=status.isin(COMPLETED_STATUSES) & finished.notnull(),
    )


RULE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("rec_s", "int64", "Reception time, epoch seconds of naive local time"),
    ("end_s", "int64", "End of processing (rules end_of_processing, single_supplement_pending), epoch seconds"),
    ("due_s", "int64", "Due date used by the on-time test (due_effective_at), epoch seconds"),
    ("wait_s", "int64", "Supplement waiting time excluded from the measured time, seconds"),
    ("forced_late", "bool", "More than one supplement request (rule multiple_supplements_late)"),
    ("is_received", "bool", "Received (rule not_received_excluded)"),
    ("is_completed", "bool", "Completed: status 9 or 10 with an end time"),
    ("rec_m", "int32", "Month index of the reception (year × 12 + month − 1)"),
    ("end_m", "int32", "Month index of the end of processing"),
    ("over_m", "int32", "Month index of the first moment the dossier is overdue: due + supplement wait + 1 s"),
    ("end_cls", "int8", "Class measured at the end of processing (CLASS_CODES: early, on time, late, no due)"),
)
"""Per-dossier rule results, evaluated once by :func:`rule_columns` and stored at import next to the record
(like the due date), so the indicator engine reads integers instead of re-deriving them from timestamps."""
RULE_COLUMN_NAMES = tuple(name for name, _, _ in RULE_COLUMNS)


def month_index(ts):  # noqa: ANN001, ANN201
    """Ibis: year × 12 + month − 1 of a timestamp (quarters, halves and years are integer divisions of it)."""
    return ts.year().cast("int32") * 12 + ts.month().cast("int32") - 1


def rule_columns(t):  # noqa: ANN001, ANN201 - Ibis table in, Ibis table out
    """The stored dossier columns plus :data:`RULE_COLUMNS` (from :func:`dossier_frame`). A table that already
    has them (a store written by the importer) is returned as it is."""
    import ibis

    if all(c in t.columns for c in RULE_COLUMN_NAMES):
        return t
    d = dossier_frame(t)
    over = d.due_effective_at + (d.wait_s + 1).as_interval("s")
    d = d.mutate(rec_m=month_index(d.received_at), end_m=month_index(d.end_at), over_m=month_index(over),
                 end_cls=classify(d.end_s, d.due_s, d.wait_s, d.forced_late, d.end_s.notnull()))
    d = d.mutate(end_cls=ibis.cases((d.end_s.notnull(), d.end_cls), else_=ibis.null("int8")))
    return d.select(*t.columns, *RULE_COLUMN_NAMES)


def derive_rules(table: pa.Table) -> pa.Table:
    """Append :data:`RULE_COLUMNS` to an Arrow table of typed, derived records (evaluated with DuckDB through
    the same Ibis expressions the engine uses)."""
    import ibis

    keep = [c for c in table.column_names if c not in RULE_COLUMN_NAMES]
    table = table.select(keep)
    con = ibis.duckdb.connect()
    out = con.to_pyarrow(rule_columns(ibis.memtable(table)))
    types = {"int64": pa.int64(), "int32": pa.int32(), "int8": pa.int8(), "bool": pa.bool_()}
    for name, kind, _ in RULE_COLUMNS:
        table = table.append_column(name, out[name].cast(types[kind]))
    return table


CLASS_CODES = {"early": 1, "on_time": 2, "late": 3, "open_in_time": 4, "open_overdue": 5, "no_due": 0}
"""Integer codes of the on-time classes (cheaper than strings in the engine)."""
LATE_CODES = (3, 5)


def classify(measured_s, due_s, wait_s, forced_late, finished):  # noqa: ANN001, ANN201
    """Rules ``supplement_time_excluded``, ``multiple_supplements_late``, ``early_on_time_late``,
    ``open_at_period_end``: returns the Ibis int8 expression of the class code (:data:`CLASS_CODES`: early,
    on_time, late, open_in_time, open_overdue, no_due)."""
    import ibis

    c = CLASS_CODES
    eff = measured_s - wait_s
    late = forced_late | (eff > due_s)
    early = (eff // DAY_S) < (due_s // DAY_S)
    return ibis.cases(
        (due_s.isnull(), c["no_due"]),
        (finished & late, c["late"]),
        (finished & early, c["early"]),
        (finished, c["on_time"]),
        (late, c["open_overdue"]),
        else_=c["open_in_time"],
    ).cast("int8")


def classify_py(measured_s: int, due_s: int | None, wait_s: int, forced_late: bool, finished: bool) -> str:
    """Pure-Python twin of :func:`classify`, returning the class name (a readable statement of the rule, tested)."""
    if due_s is None:
        return "no_due"
    eff = measured_s - wait_s
    late = forced_late or eff > due_s
    if finished:
        if late:
            return "late"
        return "early" if eff // DAY_S < due_s // DAY_S else "on_time"
    return "open_overdue" if late else "open_in_time"
