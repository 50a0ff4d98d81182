"""A straightforward pandas implementation of the measures (stage 1), independent of the Ibis one.

It exists for two reasons: the tests compare it with the engine on random data (two implementations written
separately must agree on every number), and ``benchmarks/dossiers.py`` times it as the baseline. It loads the
whole store into memory and applies the rules with pandas column operations and ``explode``; it is meant to be
obviously right, not fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from cchc.services.measures import OT_CLASSES
from cchc.services.rules import DAY_S

READ_COLUMNS = [
    "unit_code", "parent_unit_code", "procedure_code", "procedure_level", "channel", "status", "received_at",
    "due_effective_at", "finished_at", "returned_at", "supplement_count", "supplement_requested_at",
    "supplement_completed_at", "supplement_wait_hours", "fee_required", "paid_online", "digitised_components",
    "electronic_result", "reused_digitised_data", "data_store_linked", "population_data_used", "synced_to_portal",
    "apology_issued", "rating", "has_feedback", "catalogue_online_level", "catalogue_fee", "result_required",
    "individual_subjects",
]


def load(data: str | Path, with_rules: bool = False) -> pd.DataFrame:
    """The record columns the measures need; with ``with_rules`` also the rule columns stored at import (then
    :func:`measures` uses them instead of recomputing the rules)."""
    import duckdb

    from cchc.services.importer import Store
    from cchc.services.rules import RULE_COLUMN_NAMES

    p = Path(data)
    src = Store(p).glob() if p.is_dir() else str(p)
    cols = ", ".join(READ_COLUMNS + (list(RULE_COLUMN_NAMES) if with_rules else []))
    return duckdb.sql(f"SELECT {cols} FROM read_parquet('{src}', hive_partitioning = true)").df()


def _secs(s: pd.Series) -> pd.Series:
    """Epoch seconds as float (NaN for missing)."""
    v = s.to_numpy(dtype="datetime64[s]")
    out = v.astype("int64").astype(float)
    out[np.isnat(v)] = np.nan
    return pd.Series(out, index=s.index)


def _pidx(ts: pd.Series, granularity: str) -> pd.Series:
    y = ts.dt.year
    m = ts.dt.month - 1
    return {"month": y * 12 + m, "quarter": y * 4 + m // 3, "half": y * 2 + m // 6, "year": y}[granularity]


def _pend(idx: pd.Series, granularity: str) -> pd.Series:
    per_year = {"month": 12, "quarter": 4, "half": 2, "year": 1}[granularity]
    months = 12 // per_year
    y, k = np.divmod(idx.to_numpy(dtype=np.int64), per_year)
    start = (y - 1970) * 12 + k * months
    end = (start + months).astype("datetime64[M]").astype("datetime64[s]").astype(np.int64) - 1
    return pd.Series(end.astype(float), index=idx.index)


def _classify(measured: pd.Series, due: pd.Series, wait: pd.Series, forced: pd.Series, finished: pd.Series) -> pd.Series:
    eff = measured - wait
    late = forced | (eff > due)
    early = np.floor(eff / DAY_S) < np.floor(due / DAY_S)
    out = np.where(finished, np.where(late, "late", np.where(early, "early", "on_time")),
                   np.where(late, "open_overdue", "open_in_time"))
    return pd.Series(np.where(due.isna(), "no_due", out), index=measured.index)


def _rules(df: pd.DataFrame, as_of_s: float, granularity: str) -> tuple:
    """The per-dossier rules, computed from the record columns: received dossiers (as of the as-of time) and
    their reception time, end time and period (NaN when open as of then), supplement wait, due date,
    multiple-supplement flag and completion."""
    d = df.copy()
    st = d["status"]
    supp = d["supplement_count"].fillna(0)
    d = d[~st.isin([1, 3]) & d["received_at"].notna()].copy()
    st = d["status"]
    supp = supp.loc[d.index]
    rec = _secs(d["received_at"])
    d = d[rec <= as_of_s].copy()
    st, supp, rec = st.loc[d.index], supp.loc[d.index], rec.loc[d.index]
    finished_ts = d["finished_at"].fillna(d["returned_at"])
    pending = (st == 5) & (supp <= 1) & d["supplement_completed_at"].isna() & d["supplement_requested_at"].notna()
    end_ts = pd.Series(pd.NaT, index=d.index, dtype="datetime64[s]")
    is_end = st.isin([7, 8, 9, 10])
    end_ts[is_end] = finished_ts[is_end]
    end_ts[pending & ~is_end] = d.loc[pending & ~is_end, "supplement_requested_at"]
    end_s = _secs(end_ts)
    end_ts[end_s > as_of_s] = pd.NaT
    end_s[end_s > as_of_s] = np.nan
    wait_times = (_secs(d["supplement_completed_at"]) - _secs(d["supplement_requested_at"]))
    wait_times = wait_times.where(wait_times > 0, 0).fillna(0)
    wait = np.round(d["supplement_wait_hours"].astype(float) * 3600).fillna(wait_times)
    wait = wait.where(~pending, 0)
    completed = st.isin([9, 10]) & finished_ts.notna()
    return (d, rec, end_s, _pidx(end_ts, granularity), wait, _secs(d["due_effective_at"]), supp > 1, completed)


def _stored_rules(df: pd.DataFrame, as_of_s: float, granularity: str) -> tuple:
    """:func:`_rules` read from the rule columns the importer stored."""
    d = df[df["is_received"].fillna(False).astype(bool) & (df["rec_s"] <= as_of_s)].copy()
    end_s = d["end_s"].astype(float)
    open_now = end_s > as_of_s
    end_s[open_now] = np.nan
    per = {"month": 1, "quarter": 3, "half": 6, "year": 12}[granularity]
    endp = (d["end_m"].astype(float) // per).where(end_s.notna())
    return (d, d["rec_s"].astype(float), end_s, endp, d["wait_s"].astype(float), d["due_s"].astype(float),
            d["forced_late"].fillna(False).astype(bool), d["is_completed"].fillna(False).astype(bool))


def measures(df: pd.DataFrame, granularity: str, as_of: dt.datetime, p_hi: int, membership: str = "active") -> pd.DataFrame:
    """Stage-1 measures per (unit, parent, procedure, period, procedure attributes), like ``measure_frame``."""
    as_of_s = float(np.datetime64(as_of, "s").astype(np.int64))
    if "end_s" in df:  # rule columns stored at import (load(..., with_rules=True))
        d, rec, end_s, endp, wait, due, forced, completed = _stored_rules(df, as_of_s, granularity)
    else:
        d, rec, end_s, endp, wait, due, forced, completed = _rules(df, as_of_s, granularity)
    rr = d["result_required"].fillna(False).astype(bool)
    ch = d["channel"].fillna(1)
    fee = d["fee_required"].astype("boolean").fillna(d["catalogue_fee"] > 0)
    fee = fee.fillna(False).astype(bool)
    first = _pidx(d["received_at"], granularity)
    last = endp.fillna(p_hi).astype(np.int64)
    pend_first = _pend(first, granularity)
    fin_a = end_s.notna() & (end_s <= pend_first)
    meas_a = np.where(fin_a, end_s, np.minimum(pend_first, as_of_s))
    cls_a = _classify(pd.Series(meas_a, index=d.index), due, wait, forced, fin_a)
    late_a = cls_a.isin(["late", "open_overdue"])

    def b(x: pd.Series) -> pd.Series:
        return x.astype("boolean").fillna(False).astype(int)

    elec = d["electronic_result"].astype("boolean").fillna(False).astype(bool)
    rows = pd.DataFrame({
        "unit_code": d["unit_code"], "parent_unit_code": d["parent_unit_code"],
        "procedure_code": d["procedure_code"], "period": first,
        "p_online": d["catalogue_online_level"].isin(["full", "partial"]),
        "p_fee": (d["catalogue_fee"] > 0), "p_individual": d["individual_subjects"],
        "received": 1,
        "synced": b(d["synced_to_portal"]),
        "ch_in_person": (ch == 1).astype(int), "ch_online": (ch == 2).astype(int), "ch_postal": (ch == 3).astype(int),
        "online_with_result": ((ch == 2) & (~rr | elec)).astype(int),
        "full_eligible": (d["catalogue_online_level"] == "full").astype(int),
        "full_online": ((d["catalogue_online_level"] == "full") & (ch == 2) & (d["procedure_level"] == "full")).astype(int),
        "fee_dossiers": fee.astype(int),
        "paid_online": (fee & d["paid_online"].isin([1, 2])).astype(int),
        "result_required_done": (rr & completed).astype(int),
        "eresult_done": (rr & completed & elec).astype(int),
        "digitised_ok": (d["digitised_components"].astype("boolean").fillna(False).astype(bool) & (~rr | elec)).astype(int),
        "reused": b(d["reused_digitised_data"]), "store_linked": b(d["data_store_linked"]),
        "population": b(d["population_data_used"]),
        "satisfied": (~((d["rating"] == -1).fillna(False) | d["has_feedback"].astype("boolean").fillna(False)
                        .astype(bool) | late_a)).astype(int),
        "completed": (completed & end_s.notna()).astype(int),
        "processing_days": np.where(completed & end_s.notna(), (end_s - rec - wait) / DAY_S, 0.0),
    })
    apology = d["apology_issued"].astype("boolean").fillna(False).astype(bool)
    for k in OT_CLASSES:
        rows[f"ot_{k}"] = (cls_a == k).astype(int)
    rows["ot_late_apology"] = (late_a & apology).astype(int)
    parts = [rows]
    if membership == "active":
        carry = d.assign(first=first, last=last, endp=endp, end_s=end_s, due=due, wait=wait, forced=forced,
                         apology=apology)
        carry = carry[carry["last"] > carry["first"]]
        if len(carry):
            carry = carry.assign(pp=[list(range(f + 1, la + 1)) for f, la in zip(carry["first"], carry["last"],
                                                                                  strict=True)]).explode("pp")
            pp = carry["pp"].astype(np.int64)
            fin = carry["endp"].notna() & (pp == carry["endp"])
            pend = _pend(pp, granularity)
            meas = np.where(fin, carry["end_s"], np.minimum(pend, as_of_s))
            cls = _classify(pd.Series(meas, index=carry.index), carry["due"], carry["wait"], carry["forced"], fin)
            late = cls.isin(["late", "open_overdue"])
            rb = pd.DataFrame({
                "unit_code": carry["unit_code"], "parent_unit_code": carry["parent_unit_code"],
                "procedure_code": carry["procedure_code"], "period": pp,
                "p_online": carry["catalogue_online_level"].isin(["full", "partial"]),
                "p_fee": carry["catalogue_fee"] > 0, "p_individual": carry["individual_subjects"],
            })
            for k in OT_CLASSES:
                rb[f"ot_{k}"] = (cls == k).astype(int)
            rb["ot_late_apology"] = (late & carry["apology"]).astype(int)
            parts.append(rb.reset_index(drop=True))
    allrows = pd.concat(parts, ignore_index=True)
    num = [c for c in rows.columns if c not in ("unit_code", "parent_unit_code", "procedure_code", "period",
                                                "p_online", "p_fee", "p_individual")]
    allrows[num] = allrows[num].fillna(0)
    keys = ["unit_code", "parent_unit_code", "procedure_code", "period", "p_online", "p_fee", "p_individual"]
    return allrows.groupby(keys, dropna=False, as_index=False)[num].sum()


def split(fine: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-procedure reference measures → (measures per unit, parent, period; procedure flags), the shapes the
    engine returns."""
    f = fine.copy()
    f["parent_unit_code"] = f["parent_unit_code"].astype(object).where(f["parent_unit_code"].notna(), None)
    num = [c for c in f.columns if c not in ("unit_code", "parent_unit_code", "procedure_code", "period",
                                             "p_online", "p_fee", "p_individual")]
    main = f.groupby(["unit_code", "parent_unit_code", "period"], dropna=False, as_index=False)[num].sum()
    for c in ("p_online", "p_fee", "p_individual"):
        f[c] = f[c].astype("boolean").fillna(False).astype(int)
    for c in ("ch_online", "fee_dossiers", "paid_online", "population"):
        f[c] = (f[c] > 0).astype(int)
    procs = f.groupby(["unit_code", "parent_unit_code", "procedure_code", "period"], dropna=False, as_index=False).agg(
        received=("received", "sum"), ch_online=("ch_online", "max"), fee_dossiers=("fee_dossiers", "max"),
        paid_online=("paid_online", "max"), population=("population", "max"), p_online=("p_online", "max"),
        p_fee=("p_fee", "max"), p_individual=("p_individual", "max"))
    return main, procs
