"""The measures (counts and sums) the engine computes per unit × period, written once in Ibis.

Indicator definitions (YAML) refer to measures by name; :data:`MEASURES` documents each one and the record
columns it needs. Three kinds:

- ``reception``: dossiers received in the period (NgayTiepNhan), counted once, in their reception period;
- ``on_time``: indicator 2.1 rows (one per dossier and period it belongs to; see rule ``period_membership``);
- ``procedure``: numbers of distinct procedures, computed after aggregation (so they roll up correctly).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cchc.core.periods import HALVES, Period
from cchc.services.rules import CLASS_CODES, DAY_S, LATE_CODES, rule_columns

if TYPE_CHECKING:
    import pandas as pd


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
    """Inverse of :func:`period_label`: ``2024-Q2`` → ("quarter", 8097). Years and half years are read by
    :meth:`cchc.core.periods.Period.parse` (after upper-casing: ``2024-h1`` is accepted here)."""
    s = label.strip().upper()
    try:
        if len(s) == 4:
            return "year", Period.parse(s).year
        y, rest = s.split("-", 1)
        if rest.startswith("H"):
            period = Period.parse(s)
            return "half", period.year * 2 + HALVES.index(period.half)
        yi = int(y)
        if rest.startswith("Q"):
            return "quarter", yi * 4 + int(rest[1:]) - 1
        return "month", yi * 12 + int(rest) - 1
    except ValueError as exc:
        raise ValueError(f"period {label!r}: expected 2024, 2024-H1, 2024-Q2 or 2024-05") from exc


def _b(expr):  # noqa: ANN001, ANN202
    """A flag as an integer to sum. A null flag stays null and ``sum`` skips it, which counts it as false (no
    COALESCE per row: a third faster on DuckDB). Sums of only nulls come back null and are read as 0."""
    return expr.cast("int32")


def period_of_month(m, granularity: str):  # noqa: ANN001, ANN201
    """Ibis: the period index (as :func:`period_index`) of a month index (year × 12 + month − 1)."""
    per = {"month": 1, "quarter": 3, "half": 6, "year": 12}.get(granularity)
    if per is None:
        raise ValueError(f"unknown period {granularity!r} (month, quarter, half, year)")
    return m.cast("int64") if per == 1 else (m // per).cast("int64")


def _prepared(t, granularity: str, as_of_s: int, cut: bool = True):  # noqa: ANN001, ANN202
    """Dossiers with the rule columns (stored at import, else derived here), the reception period ``first``,
    ``fin`` (finished by the as-of time) and ``ok``: received, and by the as-of time when ``cut`` (needed only
    when the as-of time is before the end of the data).

    ``ok`` is a group key, not a filter: a filter pushed into the Parquet scan costs more than the whole
    aggregation (DuckDB profile); groups with ``ok`` false are dropped from the small result."""
    import ibis

    d = rule_columns(t)
    ok = d.is_received & (d.rec_s <= as_of_s) if cut else d.is_received
    return d.mutate(
        ok=ok.fill_null(False),
        fin=(d.end_s <= as_of_s).fill_null(False),  # no end, or ended after the as-of time: open
        first=period_of_month(d.rec_m, granularity),
        fee_flag=ibis.coalesce(d.fee_required, d.catalogue_fee > 0),
    )


CARRY_KEYS = ("first", "fin", "cls", "nopen", "nod")
"""Per dossier, what decides its indicator 2.1 rows (rule ``period_membership``): reception period ``first``;
``fin`` finished by the as-of time; ``cls`` its class when measured at its end (or at the as-of time when
open); ``nopen`` the number of periods at whose end it was still open (first, first+1, …); ``nod`` how many of
those last ones found it overdue. A finished dossier has one more row, in period ``first + nopen``, with
class ``cls``."""


def _overdue_open(d, granularity: str, as_of_s: int) -> tuple:  # noqa: ANN001
    """(period from which an open dossier is overdue at the period end, overdue at the as-of time): the
    period holding the moment due + supplement wait + 1 s (rule ``open_at_period_end``); the as-of period
    itself is measured at the as-of time."""
    import ibis

    over_at = period_of_month(d.over_m, granularity)
    over_now = d.forced_late | ((ibis.literal(as_of_s, "int64") - d.wait_s) > d.due_s)
    return over_at, over_now


def first_class(d, granularity: str, as_of_s: int, period_hi: int):  # noqa: ANN001, ANN201
    """Ibis: the class of a dossier's row in its reception period — its end class if it finished there, else
    open in time / overdue at the period end (at the as-of time in the as-of period)."""
    import ibis

    c = CLASS_CODES
    p_hi = ibis.literal(period_hi, "int64")
    over_at, over_now = _overdue_open(d, granularity, as_of_s)
    overdue = ibis.cases((d.first < p_hi, d.forced_late | (over_at <= d.first)), else_=over_now)
    return ibis.cases(
        (d.fin & (period_of_month(d.end_m, granularity) == d.first), d.end_cls),
        (d.due_s.isnull(), ibis.literal(c["no_due"], "int8")),
        (overdue, ibis.literal(c["open_overdue"], "int8")),
        else_=ibis.literal(c["open_in_time"], "int8"),
    )


def _carry(d, granularity: str, as_of_s: int, period_hi: int) -> dict:  # noqa: ANN001
    """Ibis expressions of ``cls``, ``nopen``, ``nod`` (:data:`CARRY_KEYS`)."""
    import ibis

    c = CLASS_CODES
    p_hi = ibis.literal(period_hi, "int64")
    over_at, over_now = _overdue_open(d, granularity, as_of_s)
    stop = ibis.cases((d.fin, period_of_month(d.end_m, granularity)), else_=p_hi + 1)  # first period not open at its end
    od = ibis.cases(
        (d.due_s.isnull(), stop),
        (d.forced_late, d.first),
        (d.fin | (over_at < p_hi), over_at),
        (over_now, p_hi),
        else_=p_hi + 1,
    )
    od = ibis.greatest(d.first, ibis.least(od, stop))
    open_cls = ibis.cases((d.due_s.isnull(), c["no_due"]), (over_now, c["open_overdue"]), else_=c["open_in_time"])
    cls = ibis.cases((d.fin, d.end_cls), else_=open_cls.cast("int8"))
    return {"cls": cls, "nopen": stop - d.first, "nod": stop - od}


def _unit_keys(d, by_procedure: bool) -> list:  # noqa: ANN001
    return [d.unit_code, d.parent_unit_code] + ([d.procedure_code] if by_procedure else [])


def measure_frame(t, granularity: str, as_of_s: int, period_hi: int,  # noqa: ANN001, ANN201
                  by_procedure: bool = False, cut: bool = True):
    """Ibis expression: every reception measure and the 2.1 rows of the reception period, per (unit_code,
    parent_unit_code[, procedure_code], period = reception period, ok); :func:`finish_frame` drops the
    not-ok groups. One pass, no row expansion; with membership ``received`` it is the whole of stage 1, with
    ``active`` :func:`carry_frame` adds the later periods. ``t`` is the stored dossier table; ``as_of_s`` the
    as-of time (epoch s); ``cut``: whether dossiers received after it exist."""
    import ibis

    d = _prepared(t, granularity, as_of_s, cut)
    fcls = first_class(d, granularity, as_of_s, period_hi)
    late_first = fcls.isin(LATE_CODES)
    rr = d.result_required.fill_null(False)
    el = d.electronic_result.fill_null(False)
    done = d.is_completed & d.fin
    online = d.channel == 2
    aggs = dict(
        received=d.count(),
        synced=_b(d.synced_to_portal).sum(),
        ch_online=_b(online).sum(),
        ch_postal=_b(d.channel == 3).sum(),
        online_with_result=_b(online & (~rr | el)).sum(),
        full_eligible=_b(d.catalogue_online_level == "full").sum(),
        full_online=_b((d.catalogue_online_level == "full") & online & (d.procedure_level == "full")).sum(),
        fee_dossiers=_b(d.fee_flag).sum(),
        paid_online=_b(d.fee_flag & d.paid_online.isin((1, 2))).sum(),
        result_required_done=_b(rr & d.is_completed).sum(),
        eresult_done=_b(rr & d.is_completed & d.electronic_result).sum(),
        digitised_ok=_b(d.digitised_components & (~rr | el)).sum(),
        reused=_b(d.reused_digitised_data).sum(),
        store_linked=_b(d.data_store_linked).sum(),
        population=_b(d.population_data_used).sum(),
        satisfied=_b(~((d.rating == -1).fill_null(False) | d.has_feedback.fill_null(False) | late_first)).sum(),
        completed=_b(done).sum(),
        processing_days=ibis.cases((done, d.end_s - d.rec_s - d.wait_s), else_=0).sum(),  # seconds here
    )
    for name, code in CLASS_CODES.items():
        aggs[f"ot_{name}"] = _b(fcls == code).sum()
    aggs["ot_late_apology"] = _b(late_first & d.apology_issued).sum()
    return d.group_by([*_unit_keys(d, by_procedure), d.first.name("period"), d.ok]).aggregate(**aggs)


def finish_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Drop the not-ok groups (not received, or after the as-of time) of a fetched frame; in person = received −
    online − postal (a missing channel is in person)."""
    df = df[df.pop("ok").astype(bool)].reset_index(drop=True)
    for c in ("period", "first"):  # no null periods left
        if c in df:
            df[c] = df[c].astype(np.int64)
    if "processing_days" in df:  # summed in seconds (integers), reported in days
        df["processing_days"] = df["processing_days"].astype(float) / DAY_S
    if "ch_online" in df and "ch_postal" in df:
        df.insert(df.columns.get_loc("ch_online"), "ch_in_person",
                  df["received"] - df["ch_online"].fillna(0) - df["ch_postal"].fillna(0))
    return df


def carry_frame(t, granularity: str, as_of_s: int, period_hi: int,  # noqa: ANN001, ANN201
                by_procedure: bool = False, cut: bool = True):
    """Ibis expression: the dossiers still open at the end of their reception period, counted per (unit_code,
    parent_unit_code[, procedure_code], *CARRY_KEYS, ok) with their apology slips — the input of
    :func:`expand_carried` (membership ``active``). A minority of dossiers, so a narrow second pass."""
    d = _prepared(t, granularity, as_of_s, cut)
    d = d.filter(~d.fin | (period_of_month(d.end_m, granularity) > d.first))  # i.e. nopen > 0, cheaper
    d = d.mutate(**_carry(d, granularity, as_of_s, period_hi))
    keys = [*_unit_keys(d, by_procedure), *(d[k] for k in CARRY_KEYS), d.ok]
    return d.group_by(keys).aggregate(n=d.count(), apology=_b(d.apology_issued).sum())


def expand_carried(carried):  # noqa: ANN001, ANN201
    """The output of :func:`carry_frame` (pandas) → 2.1 row counts per (unit keys, period) for the periods after
    the reception period: open in time / overdue at the end of periods first+1 … first+nopen−1, then the
    final class in period first+nopen when finished."""
    import pandas as pd

    c = CLASS_CODES
    keys = [k for k in ("unit_code", "parent_unit_code", "procedure_code") if k in carried.columns]
    cr = carried.reset_index(drop=True)
    n = cr["n"].to_numpy(np.int64)
    apo = cr["apology"].fillna(0).to_numpy(np.int64)
    first = cr["first"].to_numpy(np.int64)
    nopen = cr["nopen"].to_numpy(np.int64)
    nod = cr["nod"].to_numpy(np.int64)
    cls = cr["cls"].to_numpy(np.int64)
    fin = cr["fin"].to_numpy(bool)
    width = nopen - 1  # open rows k = 1 … nopen-1 (k = 0 is counted by measure_frame)
    src = np.repeat(np.arange(len(cr)), width)
    k = np.arange(len(src)) - np.repeat(np.cumsum(width) - width, width) + 1
    o_cls = np.where(cls[src] == c["no_due"], c["no_due"],
                     np.where(k >= nopen[src] - nod[src], c["open_overdue"], c["open_in_time"]))
    f_src = np.flatnonzero(fin)
    rows_src = np.concatenate([src, f_src])
    rows_cls = np.concatenate([o_cls, cls[f_src]])
    out = pd.DataFrame({key: cr[key].to_numpy(object)[rows_src] for key in keys})
    out["period"] = np.concatenate([first[src] + k, first[f_src] + nopen[f_src]])
    w = n[rows_src]
    for name, code in c.items():
        out[f"ot_{name}"] = np.where(rows_cls == code, w, 0)
    out["ot_late_apology"] = np.where(np.isin(rows_cls, LATE_CODES), apo[rows_src], 0)
    return out


def combine_measures(first: pd.DataFrame, later: pd.DataFrame | None) -> pd.DataFrame:
    """Reception-period measures plus the carried-over 2.1 rows, summed per (unit keys, period)."""
    import pandas as pd

    if later is None or later.empty:
        return first
    keys = [k for k in ("unit_code", "parent_unit_code", "procedure_code") if k in first.columns] + ["period"]
    nums = [c for c in first.columns if c not in keys]
    fill = {k: "\x00" for k in keys if k != "period"}  # null keys (no parent) grouped on a placeholder
    allr = pd.concat([first, later], ignore_index=True).fillna(fill)
    allr["period"] = allr["period"].astype(np.int64)
    out = allr.groupby(keys, as_index=False, sort=False)[nums].sum(min_count=0)
    for k in fill:
        out[k] = out[k].where(out[k] != "\x00", None)
    return out


def procedure_frame(t, granularity: str, as_of_s: int, cut: bool = True):  # noqa: ANN001, ANN201
    """Ibis expression: per (unit, parent, procedure, reception period) whether the procedure had online,
    fee-bearing, paid-online and population-data dossiers, and its catalogue attributes (online, fee,
    individuals) — the input of the distinct-procedure measures, which must be recounted at every roll-up
    level. About a million groups at national scale: the grouping, not the flags, is the cost."""
    d = _prepared(t, granularity, as_of_s, cut)
    flags = {
        "ch_online": d.channel == 2, "fee_dossiers": d.fee_flag, "paid_online": d.fee_flag & d.paid_online.isin((1, 2)),
        "population": d.population_data_used, "p_online": d.catalogue_online_level.isin(("full", "partial")),
        "p_fee": d.catalogue_fee > 0, "p_individual": d.individual_subjects,
    }
    return d.group_by([d.unit_code, d.parent_unit_code, d.procedure_code, d.first.name("period"), d.ok]).aggregate(
        **{k: _b(v).max() for k, v in flags.items()})


def finish_procedures(procs: pd.DataFrame) -> pd.DataFrame:
    """:func:`procedure_frame`'s output without the not-ok groups, with ``received`` = 1 (every row had one)."""
    procs = finish_frame(procs)
    procs.insert(4, "received", 1)
    return procs
