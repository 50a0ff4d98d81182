"""Decision 766 indicators per unit × period (and per procedure), from stored dossier records.

Two stages:

1. **Engine** (Ibis → DuckDB by default, or any Ibis backend): three narrow aggregates over the records
   (reception, carried-over, procedure flags; see :mod:`cchc.services.measures`) give the measures per (unit,
   parent unit[, procedure], period). This is the only heavy step.
2. **Evaluation** (small tables, numpy): roll-up to parents and the province, distinct-procedure measures,
   then each indicator of the chosen set (YAML) → numerator, denominator, rate, points
   (:func:`cchc.core.methods.ratio_points`), group points and the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from cchc.core.framework import RatioMethod
from cchc.core.methods import ratio_points
from cchc.core.periods import GRANULARITIES
from cchc.services.measures import (
    MEASURE_BY_NAME,
    NN_COLUMNS,
    OT_CLASSES,
    carry_frame,
    combine_measures,
    expand_carried,
    finish_frame,
    finish_procedures,
    measure_frame,
    period_bounds,
    period_index,
    period_label,
    procedure_frame,
)
from cchc.services.rules import RULE_COLUMN_NAMES

SHIPPED_SETS = {"current": "indicators_current.yaml", "2022": "indicators_2022.yaml"}
PROVINCE = "*"


class IndicatorSetError(ValueError):
    pass


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Group(_M):
    id: str
    name_vi: str
    name_en: str
    max_points: float
    cap: float | None = None
    note: str | None = None


class Indicator(_M):
    id: str
    code: str
    group: str
    name_vi: str
    name_en: str
    kind: Literal["rate", "average"] = "rate"
    numerator: str | None = None
    denominator: str | None = None
    max_points: float | None = None
    full_at: float = 100.0
    points_when_empty: float | Literal["max"] | None = None
    denominator_scale: str | None = None
    not_computable: str | None = None
    not_computable_vi: str | None = None
    assumption: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Indicator:
        if self.not_computable is None:
            for m in (self.numerator, self.denominator):
                if m is None:
                    raise ValueError(f"indicator {self.id}: numerator and denominator are required "
                                     "(or not_computable with a reason)")
                if m not in MEASURE_BY_NAME:
                    raise ValueError(f"indicator {self.id}: unknown measure {m!r}")
        if self.full_at <= 0:
            raise ValueError(f"indicator {self.id}: full_at must be > 0")
        return self


class IndicatorSet(_M):
    id: str
    title_vi: str
    title_en: str
    source: str
    total_points: float = 100
    groups: list[Group]
    indicators: list[Indicator]

    @model_validator(mode="after")
    def _check(self) -> IndicatorSet:
        gids = {g.id for g in self.groups}
        ids = [i.id for i in self.indicators]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate indicator ids")
        for i in self.indicators:
            if i.group not in gids:
                raise ValueError(f"indicator {i.id}: unknown group {i.group!r}")
            if i.denominator_scale is not None and i.denominator_scale not in ids:
                raise ValueError(f"indicator {i.id}: denominator_scale {i.denominator_scale!r} is not an indicator")
        return self


def load_set(name_or_path: str | Path = "current") -> IndicatorSet:
    """A shipped set (``current``, ``2022``) or a YAML file."""
    key = str(name_or_path)
    if key in SHIPPED_SETS:
        text = resources.files("cchc.services.data").joinpath(SHIPPED_SETS[key]).read_text(encoding="utf-8")
        where = SHIPPED_SETS[key]
    else:
        p = Path(key)
        if not p.exists():
            raise IndicatorSetError(f"indicator set {key!r}: not a shipped set ({', '.join(SHIPPED_SETS)}) nor a file")
        text, where = p.read_text(encoding="utf-8"), str(p)
    try:
        return IndicatorSet.model_validate(yaml.safe_load(text))
    except (ValidationError, yaml.YAMLError) as exc:
        raise IndicatorSetError(f"{where}: {exc}") from exc


# --------------------------------------------------------------------------------------------------------------
# engine stage


def connect_store(data: str | Path):  # noqa: ANN201
    """An Ibis DuckDB connection and the dossier table of a store directory or a Parquet file/glob."""
    import ibis

    from cchc.services.importer import Store

    p = Path(data)
    con = ibis.duckdb.connect()
    if p.is_dir():
        store = Store(p)
        store.finish_interrupted()
        if not store.has_data():
            raise FileNotFoundError(f"{p}: no dossiers in this store (import some first)")
        t = con.read_parquet(store.glob(), hive_partitioning=True)
    elif p.exists() and p.suffix in (".parquet", ".pq"):
        t = con.read_parquet(str(p))
    else:
        raise FileNotFoundError(f"{p}: not a store directory or a Parquet file")
    return con, t


@dataclass
class EngineResult:
    granularity: str
    as_of: dt.datetime
    membership: str
    fine: pd.DataFrame  # measures per unit_code, parent_unit_code, period (and procedure_code when by_procedure)
    procs: pd.DataFrame  # procedure flags per unit_code, parent_unit_code, procedure_code, period
    by_procedure: bool = False
    seconds: float = 0.0
    nn_totals: dict[str, int] = field(default_factory=dict)


SPAN_TIMES = ("received_at", "finished_at", "returned_at", "supplement_requested_at")
NN_DERIVED = {"fee_flag": ("fee_required", "catalogue_fee"), "rating_or_feedback": ("rating", "has_feedback")}
"""Computability columns derived from two record columns: counted as the larger of their non-null counts
(zero exactly when both are empty, which is all computability asks)."""


def _nn_totals(raw: dict[str, int]) -> dict[str, int]:
    return {c: max(raw[x] for x in NN_DERIVED[c]) if c in NN_DERIVED else raw[c] for c in NN_COLUMNS}


def _nn_raw_columns() -> list[str]:
    return sorted({x for c in NN_COLUMNS for x in NN_DERIVED.get(c, (c,))})


def data_span(t, with_counts: bool = False):  # noqa: ANN001, ANN201
    """(earliest reception, latest event time) in the records; with ``with_counts`` also the number of non-null
    values of each column that decides computability (:data:`NN_COLUMNS`), over all records."""
    import ibis

    latest = ibis.greatest(*[t[c].max().fill_null(t.received_at.max()) for c in SPAN_TIMES])
    aggs = {"lo": t.received_at.min(), "hi": latest}
    if with_counts:
        for c in _nn_raw_columns():
            aggs[f"nn_{c}"] = t[c].count()
    row = t.aggregate(**aggs).to_pyarrow().to_pylist()[0]
    if row["lo"] is None:
        raise ValueError("no received dossiers in the data")
    if with_counts:
        return row["lo"], row["hi"], _nn_totals({c: int(row[f"nn_{c}"]) for c in _nn_raw_columns()})
    return row["lo"], row["hi"]


def footer_span(data: str | Path):  # noqa: ANN201
    """:func:`data_span` with counts from the Parquet footers of a store (min/max statistics and null counts,
    written by the importer) without reading the data; ``None`` when a file lacks the statistics."""
    import pyarrow.parquet as pq

    from cchc.services.importer import Store

    p = Path(data)
    files = sorted(Store(p).dossiers_dir.rglob("*.parquet")) if p.is_dir() else [p]
    cols = set(SPAN_TIMES) | set(_nn_raw_columns())
    lo = hi = None
    nn = dict.fromkeys(_nn_raw_columns(), 0)
    with_rules = set()
    for f in files:
        meta = pq.ParquetFile(f).metadata
        index = {meta.schema.column(i).name: i for i in range(meta.num_columns)}
        with_rules.add(set(RULE_COLUMN_NAMES) <= index.keys())
        if len(with_rules) > 1:
            raise ValueError(f"{p}: some files were stored by an older version, without the rule columns; "
                             f"run `cchc dossiers rederive {p}` once to add them")
        if not cols <= index.keys():
            return None
        for g in range(meta.num_row_groups):
            rg = meta.row_group(g)
            stats = {c: rg.column(index[c]).statistics for c in cols}
            if any(s is None or not s.has_null_count for s in stats.values()):
                return None
            for c in nn:
                nn[c] += rg.num_rows - stats[c].null_count
            for c in SPAN_TIMES:
                st = stats[c]
                if st.has_min_max:
                    hi = st.max if hi is None else max(hi, st.max)
                    if c == "received_at":
                        lo = st.min if lo is None else min(lo, st.min)
    if lo is None:
        return None
    return lo, hi, _nn_totals(nn)


def run_engine(t, granularity: str = "month", *, as_of: dt.datetime | None = None,  # noqa: ANN001
               membership: str = "active", by_procedure: bool = False, backend=None,  # noqa: ANN001
               span: tuple | None = None) -> EngineResult:
    """Stage 1 on the table's backend: the measures per (unit, parent, period[, procedure]) and the procedure
    flags. ``backend`` (an Ibis backend) executes the expressions when given, else the table's own backend.
    ``span`` is :func:`data_span`'s answer when already known (e.g. :func:`footer_span`)."""
    import time

    if granularity not in GRANULARITIES:
        raise ValueError(f"period must be one of {', '.join(GRANULARITIES)}")
    t0 = time.perf_counter()
    _lo, hi, nn = span or data_span(t, with_counts=True)
    if as_of is None:
        as_of = hi
    as_of_s = int(np.datetime64(as_of, "s").astype(np.int64))
    p_hi = _py_period(as_of, granularity)
    if membership not in ("active", "received"):
        raise ValueError("membership must be 'active' or 'received'")

    def run(e) -> pd.DataFrame:  # noqa: ANN001
        return (e.to_pyarrow() if backend is None else backend.to_pyarrow(e)).to_pandas()

    cut = as_of < hi  # records after the as-of time exist
    fine = finish_frame(run(measure_frame(t, granularity, as_of_s, p_hi, by_procedure, cut)))
    if membership == "active":  # the later periods of dossiers open at the end of their reception period
        carried = finish_frame(run(carry_frame(t, granularity, as_of_s, p_hi, by_procedure, cut)))
        fine = combine_measures(fine, expand_carried(carried))
    procs = finish_procedures(run(procedure_frame(t, granularity, as_of_s, cut)))
    for df in (fine, procs):  # sums over only-null flags are null: zero
        num = [c for c in df.columns if c not in KEY_COLS]
        df[num] = df[num].fillna(0)
    return EngineResult(granularity, as_of, membership, fine, procs, by_procedure, time.perf_counter() - t0, nn)


def _py_period(ts: dt.datetime, granularity: str) -> int:
    y, m = ts.year, ts.month - 1
    return {"month": y * 12 + m, "quarter": y * 4 + m // 3, "half": y * 2 + m // 6, "year": y}[granularity]


# --------------------------------------------------------------------------------------------------------------
# evaluation stage

KEY_COLS = {"unit_code", "parent_unit_code", "procedure_code", "period", "level", "unit"}
PROC_MEASURES = ("proc_active", "proc_online_offered", "proc_fee", "proc_individual", "proc_online_used",
                 "proc_fee_used", "proc_fee_paid", "proc_population")


def _proc_level(con, col: str, by_procedure: bool,  # noqa: ANN001 - DuckDB connection with table "procs"
                scope: pd.DataFrame | None = None, where: str = "TRUE") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distinct-procedure measures for one roll-up level (``col`` names the grouping column): the static ones
    (the level's procedures, by catalogue attribute) and the ones per period.

    Without ``scope`` a unit's procedures are those it handled at least once in the records (a proxy); with
    ``scope`` (columns unit, procedure_code, p_online, p_fee, p_individual) they are the listed ones — the
    procedures under the unit's competence — and only those count in the numerators too. ``con`` holds the
    procedure flags as table ``procs``; ``where`` selects the rows of this level."""
    pk = "unit" + (", procedure_code" if by_procedure else "")
    pp, ppx, active = (f"{name}_{col}" for name in ("pp", "ppx", "active"))  # the levels share the connection
    one_parent = col == "unit_code" and not con.execute(
        "SELECT 1 FROM procs GROUP BY unit_code HAVING count(DISTINCT parent_unit_code) > 1 LIMIT 1").fetchall()
    if one_parent:  # procs are already one row per unit × procedure × period: no re-grouping of ~1 M rows
        con.execute(f"""
            CREATE TEMP VIEW {pp} AS
            SELECT unit_code AS unit, procedure_code, period, received, ch_online, fee_dossiers AS fee,
                   paid_online AS paid, population AS pop, p_online, p_fee, p_individual FROM procs""")
    else:
        con.execute(f"""
            CREATE TEMP TABLE {pp} AS
            SELECT "{col}" AS unit, procedure_code, period, sum(received) AS received, max(ch_online) AS ch_online,
                   max(fee_dossiers) AS fee, max(paid_online) AS paid, max(population) AS pop,
                   max(p_online) AS p_online, max(p_fee) AS p_fee, max(p_individual) AS p_individual
            FROM procs WHERE {where} GROUP BY ALL""")
    if scope is not None:
        con.register(f"scope_{col}", scope)
        con.execute(f"CREATE TEMP TABLE {active} AS SELECT DISTINCT unit, procedure_code, p_online, p_fee, "
                    f"p_individual FROM scope_{col}")
        con.execute(f"CREATE TEMP VIEW {ppx} AS SELECT {pp}.* EXCLUDE (p_online, p_fee, p_individual), a.p_online, "
                    f"a.p_fee, a.p_individual FROM {pp} JOIN {active} a USING (unit, procedure_code)")
    else:
        con.execute(f"""
            CREATE TEMP TABLE {active} AS
            SELECT unit, procedure_code, max(p_online) AS p_online, max(p_fee) AS p_fee,
                   max(p_individual) AS p_individual
            FROM {pp} GROUP BY ALL HAVING sum(received) > 0""")
        con.execute(f"CREATE TEMP VIEW {ppx} AS SELECT * FROM {pp}")
    static = con.sql(f"""
        SELECT {pk}, count(*) AS proc_active, sum(p_online) AS proc_online_offered, sum(p_fee) AS proc_fee,
               sum(p_individual) AS proc_individual
        FROM {active} GROUP BY ALL""").df()
    dyn = con.sql(f"""
        SELECT {pk}, period, sum(p_online * ch_online) AS proc_online_used, sum(p_fee * fee) AS proc_fee_used,
               sum(p_fee * paid) AS proc_fee_paid, sum(p_individual * pop) AS proc_population
        FROM {ppx} GROUP BY ALL""").df()
    return static, dyn


def _scopes(competence: pd.DataFrame, attrs: pd.DataFrame, fine: pd.DataFrame, procs: pd.DataFrame) -> dict:
    """The competence list mapped to each roll-up level, with the procedures' catalogue attributes."""
    comp = competence[["unit_code", "procedure_code"]].drop_duplicates()
    comp = comp.merge(attrs, on="procedure_code", how="left")
    for c in ("p_online", "p_fee", "p_individual"):
        comp[c] = comp[c].fillna(0).astype(int)
    parents = pd.concat([fine[["unit_code", "parent_unit_code"]], procs[["unit_code", "parent_unit_code"]]])
    parents = parents.dropna().drop_duplicates()
    by_parent = comp.merge(parents, on="unit_code")
    cols = ["unit", "procedure_code", "p_online", "p_fee", "p_individual"]
    return {
        "unit": comp.rename(columns={"unit_code": "unit"})[cols],
        "parent": by_parent.rename(columns={"parent_unit_code": "unit"})[cols].drop_duplicates(),
        "province": comp.assign(unit=PROVINCE)[cols].drop_duplicates(),
    }


def procedure_attributes(catalogue) -> pd.DataFrame:  # noqa: ANN001
    """Catalogue (Arrow) → procedure_code, p_online, p_fee, p_individual as 0/1."""
    c = catalogue.to_pandas()
    return pd.DataFrame({
        "procedure_code": c["procedure_code"],
        "p_online": c["online_level"].isin(["full", "partial"]).astype(int),
        "p_fee": (c["fee"].fillna(0) > 0).astype(int),
        "p_individual": c["individual_subjects"].astype("boolean").fillna(False).astype(int),
    })


def _no_missing_parent(codes: pd.Series) -> pd.Series:
    """Parent codes with "" for none (communes under the two-level local government have no parent). A column
    of nothing but missing codes comes back from the engine as floats: it is made text first."""
    return (codes if pd.api.types.is_string_dtype(codes.dtype) else codes.astype(object)).fillna("")


def rollup(fine: pd.DataFrame, procs: pd.DataFrame, *, by_procedure: bool = False,
           competence: pd.DataFrame | None = None, attrs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Measures per (level, unit, period[, procedure]) for levels unit, parent and province (``*``).

    ``competence`` (unit_code, procedure_code) lists the procedures under each unit's competence and ``attrs``
    their catalogue attributes (:func:`procedure_attributes`); without them, the procedure-count denominators
    use the procedures each unit handled at least once."""
    sums = [c for c in fine.columns if c not in KEY_COLS]
    f = fine.copy()
    f["parent_unit_code"] = _no_missing_parent(f["parent_unit_code"])
    # one fixed order of the rows, whatever order the engine returned them in (parallel aggregation): sums of
    # fractional measures (processing days) are then the same to the last bit in every run
    f = f.sort_values(["unit_code", "parent_unit_code", "period"] + (["procedure_code"] if by_procedure else []),
                      kind="stable", ignore_index=True)
    f["prov"] = PROVINCE
    p = procs.copy()
    p["parent_unit_code"] = _no_missing_parent(p["parent_unit_code"])
    p["prov"] = PROVINCE
    scopes = None
    if competence is not None:
        if attrs is None:  # attributes of the procedures seen in the records
            attrs = procs.groupby("procedure_code", as_index=False)[["p_online", "p_fee", "p_individual"]].max()
        scopes = _scopes(competence, attrs, fine, procs)
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    con.register("procs", pa.Table.from_pandas(p, preserve_index=False))
    out = []
    for level, col in (("unit", "unit_code"), ("parent", "parent_unit_code"), ("province", "prov")):
        g = f if level != "parent" else f[f["parent_unit_code"] != ""]
        if g.empty:
            continue
        pk = ["unit"] + (["procedure_code"] if by_procedure else [])
        agg = g.groupby([col, "period"] + pk[1:], as_index=False)[sums].sum().rename(columns={col: "unit"})
        agg.insert(0, "level", level)
        if not p.empty and (level != "parent" or (p["parent_unit_code"] != "").any()):
            static, dyn = _proc_level(con, col, by_procedure, None if scopes is None else scopes[level],
                                      "parent_unit_code <> ''" if level == "parent" else "TRUE")
            dyn["period"] = dyn["period"].astype(agg["period"].dtype)
            agg = agg.merge(static, on=pk, how="left").merge(dyn, on=pk + ["period"], how="left")
        out.append(agg)
    if not out:  # nothing received: an empty table with the measure columns
        cols = ["level", "unit", "period"] + (["procedure_code"] if by_procedure else []) + sums + list(PROC_MEASURES)
        res = pd.DataFrame({c: pd.Series(dtype=object if c in ("level", "unit", "procedure_code") else float)
                            for c in cols})
        res["ot_ok"] = res["ot_total"] = pd.Series(dtype=float)
        return res
    res = pd.concat(out, ignore_index=True)
    for c in PROC_MEASURES:
        if c not in res:
            res[c] = 0
    num_cols = [c for c in res.columns if c not in ("level", "unit", "period", "procedure_code")]
    res[num_cols] = res[num_cols].fillna(0)
    res["ot_ok"] = res["ot_early"] + res["ot_on_time"] + res["ot_open_in_time"]
    res["ot_total"] = res["ot_ok"] + res["ot_late"] + res["ot_open_overdue"]
    return res


NO_VALUES_EN = "no values in the records for: "
NO_VALUES_VI = "dữ liệu hồ sơ không có giá trị ở cột: "


def computability(iset: IndicatorSet, nn_totals: dict[str, int]) -> dict[str, str | None]:
    """For each indicator: ``None`` when computable, else the reason."""
    out: dict[str, str | None] = {}
    for ind in iset.indicators:
        if ind.not_computable:
            out[ind.id] = ind.not_computable
            continue
        missing = sorted({c for m in (ind.numerator, ind.denominator) for c in MEASURE_BY_NAME[m].needs
                          if nn_totals.get(c, 0) == 0})
        out[ind.id] = (NO_VALUES_EN + ", ".join(missing)) if missing else None
    return out


def reason_vi(ind: Indicator, reason: str | None) -> str | None:
    """The Vietnamese wording of a :func:`computability` reason (the set's ``not_computable_vi``, else the
    columns without values)."""
    if reason is None:
        return None
    if ind.not_computable:
        return ind.not_computable_vi or reason
    return NO_VALUES_VI + reason[len(NO_VALUES_EN):] if reason.startswith(NO_VALUES_EN) else reason


def evaluate(measures: pd.DataFrame, iset: IndicatorSet, reasons: dict[str, str | None]) -> pd.DataFrame:
    """Add ``<id>.num/.den/.rate/.points`` for every computable indicator, group points and the total."""
    m = measures.copy()
    rates: dict[str, np.ndarray] = {}
    order = sorted(iset.indicators, key=lambda i: i.denominator_scale is not None)
    new_cols: dict[str, Any] = {}
    for ind in order:
        if reasons.get(ind.id) is not None:
            continue
        num = m[ind.numerator].to_numpy(dtype=float)
        den = m[ind.denominator].to_numpy(dtype=float)
        if ind.denominator_scale is not None and ind.denominator_scale in rates:
            den = den * np.nan_to_num(rates[ind.denominator_scale] / 100.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(den > 0, num / den, np.nan)
        rate = ratio if ind.kind == "average" else ratio * 100.0
        rates[ind.id] = rate
        new_cols[f"{ind.id}.num"] = num
        new_cols[f"{ind.id}.den"] = den
        new_cols[f"{ind.id}.rate"] = rate
        if ind.max_points is not None and ind.kind == "rate":
            pts = ratio_points(rate, RatioMethod(full_at=ind.full_at), ind.max_points)
            empty = den <= 0
            if ind.points_when_empty == "max":
                pts = np.where(empty, ind.max_points, pts)
            elif ind.points_when_empty is not None:
                pts = np.where(empty, float(ind.points_when_empty), pts)
            new_cols[f"{ind.id}.points"] = pts
    m = pd.concat([m, pd.DataFrame(new_cols, index=m.index)], axis=1)
    total = np.zeros(len(m))
    any_points = False
    for g in iset.groups:
        cols = [f"{i.id}.points" for i in iset.indicators if i.group == g.id and f"{i.id}.points" in m.columns]
        if not cols:
            continue
        any_points = True
        gp = np.nansum(m[cols].to_numpy(dtype=float), axis=1)
        if g.cap is not None:
            gp = np.minimum(gp, g.cap)
        m[f"group.{g.id}"] = gp
        total += gp
    if any_points:
        m["total"] = total
    return m


def max_computable(iset: IndicatorSet, reasons: dict[str, str | None]) -> dict[str, float]:
    out: dict[str, float] = {}
    for g in iset.groups:
        s = sum(i.max_points or 0 for i in iset.indicators
                if i.group == g.id and reasons.get(i.id) is None and i.kind == "rate")
        out[g.id] = min(s, g.cap) if g.cap is not None else s
    return out


def _f(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if np.isnan(x) else x


def _floats(ev: pd.DataFrame, col: str) -> list[float | None]:
    """A column as Python floats, NaN and missing as None (as :func:`_f`, for a whole column at once)."""
    if col not in ev:
        return [None] * len(ev)
    a = ev[col].to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(a), None, a).tolist()


def to_records(ev: pd.DataFrame, iset: IndicatorSet, reasons: dict[str, str | None], granularity: str,
               *, by_procedure: bool = False) -> list[dict[str, Any]]:
    """One JSON-ready object per (level, unit, period[, procedure]). Columns are converted once, and the parts
    that are the same in every object (names, reasons) are built once and copied."""
    mc = max_computable(iset, reasons)
    n = len(ev)
    static: list[tuple[dict[str, Any], tuple | None]] = []
    for ind in iset.indicators:
        base: dict[str, Any] = {"id": ind.id, "code": ind.code, "group": ind.group, "name_vi": ind.name_vi,
                                "name_en": ind.name_en, "kind": ind.kind, "max_points": ind.max_points}
        if reasons.get(ind.id) is not None:
            base.update(computable=False, reason=reasons[ind.id], reason_vi=reason_vi(ind, reasons[ind.id]))
            static.append((base, None))
        else:
            base["computable"] = True
            cols = tuple(_floats(ev, f"{ind.id}.{part}") for part in ("num", "den", "rate", "points"))
            static.append((base, cols + (ind.assumption,)))
    group_cols = [(g, _floats(ev, f"group.{g.id}")) for g in iset.groups]
    total = _floats(ev, "total")
    ints = {c: ev[c].to_numpy(dtype=np.int64).tolist() for c in ["received", "ot_late_apology"] +
            [f"ot_{k}" for k in OT_CLASSES]}
    levels, units, periods = ev["level"].tolist(), ev["unit"].tolist(), ev["period"].to_numpy(np.int64).tolist()
    procedures = ev["procedure_code"].tolist() if by_procedure else None
    labels = {p: period_label(p, granularity) for p in set(periods)}
    max_points_computable = sum(mc.values())
    out = []
    for i in range(n):
        inds = []
        for base, cols in static:
            rec = dict(base)
            if cols is not None:
                rec.update(numerator=cols[0][i], denominator=cols[1][i], rate=cols[2][i], points=cols[3][i])
                if cols[4]:
                    rec["assumption"] = cols[4]
            inds.append(rec)
        groups = [{"id": g.id, "name_vi": g.name_vi, "max_points": g.max_points, "max_points_computable": mc[g.id],
                   "points": vals[i]} for g, vals in group_cols]
        obj: dict[str, Any] = {"level": levels[i], "unit": units[i], "period": labels[periods[i]]}
        if procedures is not None:
            obj["procedure_code"] = procedures[i]
        obj.update({
            "indicator_set": iset.id,
            "received": ints["received"][i],
            "on_time": {k: ints[f"ot_{k}"][i] for k in OT_CLASSES} | {"late_with_apology": ints["ot_late_apology"][i]},
            "indicators": inds, "groups": groups,
            "total_points": total[i], "max_points": iset.total_points,
            "max_points_computable": max_points_computable,
        })
        out.append(obj)
    return out


@dataclass
class IndicatorResult:
    engine: EngineResult
    indicator_set: IndicatorSet
    reasons: dict[str, str | None]
    table: pd.DataFrame
    by_procedure: bool
    procedure_scope: str = "handled"

    def records(self) -> list[dict[str, Any]]:
        recs = to_records(self.table, self.indicator_set, self.reasons, self.engine.granularity,
                          by_procedure=self.by_procedure)
        for r in recs:
            r["procedure_scope"] = self.procedure_scope
        return recs


def unit_rows(t, unit: str | None):  # noqa: ANN001, ANN201 - an Ibis table with unit_code, parent_unit_code
    """The records a unit's measures depend on: its own dossiers and those of the units under it
    (``unit_code`` or ``parent_unit_code`` is ``unit``); every record for ``None`` and the province (``*``).

    Nothing else enters a unit's numbers — except what :func:`compute` takes from the whole store: the as-of
    time (the latest event) and the column counts that decide which indicators are computable."""
    if unit is None or unit == PROVINCE:
        return t
    return t.filter((t.unit_code == unit) | (t.parent_unit_code == unit))


def compute(data: str | Path, *, period: str = "month", indicator_set: str | Path = "current",
            membership: str = "active", as_of: dt.datetime | None = None, unit: str | None = None,
            by_procedure: bool = False, levels: tuple[str, ...] = ("unit", "parent", "province"),
            competence: str | Path | pd.DataFrame | None = None) -> IndicatorResult:
    """Everything in one call: store → measures → roll-up → indicators. ``competence``: a file or table of
    (unit_code, procedure_code), the procedures under each unit's competence (see :func:`rollup`).

    ``unit``: only the records of that unit code (as a unit and as a parent; ``*`` the province). The engine
    then runs on :func:`unit_rows` only, with the span (as-of time, computability counts) of the whole store:
    the records are those of the call without ``unit`` whose ``unit`` is that code, number for number. (With
    ``competence`` and no catalogue in the store, the procedures' attributes come from every unit's records,
    so the engine runs on the whole store and the unit is picked afterwards.)"""
    from cchc.services.importer import Store, load_competence

    iset = load_set(indicator_set)
    _, t = connect_store(data)
    attrs = None
    if competence is not None:
        if not isinstance(competence, pd.DataFrame):
            competence = load_competence(competence)
        cat = Store(data).catalogue() if Path(data).is_dir() else None
        attrs = procedure_attributes(cat) if cat is not None else None
    span = footer_span(data)
    if unit is not None and unit != PROVINCE and (competence is None or attrs is not None):
        span = span or data_span(t, with_counts=True)  # of the whole store, before the filter
        t = unit_rows(t, unit)
    eng = run_engine(t, period, as_of=as_of, membership=membership, by_procedure=by_procedure, span=span)
    return evaluate_engine(eng, iset, unit=unit, levels=levels, competence=competence, attrs=attrs)


def late_count(record: dict[str, Any]) -> int:
    """Dossiers of an indicator record that count as late: finished late in the period plus still open and
    overdue at its end (``on_time.late + on_time.open_overdue``)."""
    return record["on_time"]["late"] + record["on_time"]["open_overdue"]


def evaluate_engine(eng: EngineResult, iset: IndicatorSet, *, unit: str | None = None,
                    levels: tuple[str, ...] = ("unit", "parent", "province"),
                    competence: pd.DataFrame | None = None, attrs: pd.DataFrame | None = None) -> IndicatorResult:
    by_procedure = eng.by_procedure
    reasons = computability(iset, eng.nn_totals)
    meas = rollup(eng.fine, eng.procs, by_procedure=by_procedure, competence=competence, attrs=attrs)
    meas = meas[meas["level"].isin(levels)]
    if unit is not None:
        meas = meas[meas["unit"] == unit]
    meas = meas.sort_values(["level", "unit", "period"] + (["procedure_code"] if by_procedure else []))
    ev = evaluate(meas.reset_index(drop=True), iset, reasons)
    return IndicatorResult(eng, iset, reasons, ev, by_procedure, "competence" if competence is not None else "handled")


# --------------------------------------------------------------------------------------------------------------
# late dossiers


def late_dossiers(data: str | Path, *, as_of: dt.datetime | None = None, unit: str | None = None,
                  period: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Late dossiers: finished late, or still open and overdue at the as-of time (or at the end of ``period``,
    a label such as ``2024-05`` / ``2024-Q2``), with days late (calendar and working) and the apology slip flag."""
    import ibis

    from cchc.services.calendar import WorkingCalendar
    from cchc.services.measures import parse_period_label
    from cchc.services.rules import CLASS_CODES, LATE_CODES, classify, dossier_frame

    _, t = connect_store(data)
    _lo, hi, _nn = footer_span(data) or data_span(t, with_counts=True)
    as_of = as_of or hi
    p_lo_s = None
    if period is not None:
        gran, idx = parse_period_label(period)
        start, end = period_bounds(idx, gran)
        p_lo_s = int(start.astype(np.int64))
        as_of = min(as_of, end.astype(dt.datetime))
    as_of_s = int(np.datetime64(as_of, "s").astype(np.int64))
    d = dossier_frame(t)
    d = d.filter(d.is_received & (d.rec_s <= as_of_s))
    d = unit_rows(d, unit)
    fin = d.end_s.notnull() & (d.end_s <= as_of_s)
    meas = ibis.cases((fin, d.end_s), else_=ibis.literal(as_of_s, "int64"))
    d = d.mutate(cls=classify(meas, d.due_s, d.wait_s, d.forced_late, fin), measured_s=meas)
    d = d.filter(d.cls.isin(LATE_CODES))
    if p_lo_s is not None:  # finished in the period, or still open at its end
        d = d.filter((d.cls == CLASS_CODES["open_overdue"]) | (d.end_s >= p_lo_s))
    d = d.order_by([d.unit_code, d.received_at])
    if limit:
        d = d.limit(limit)
    df = d.select(
        "dossier_id", "unit_code", "parent_unit_code", "procedure_code", "status", "received_at", "due_effective_at",
        "due_source", "end_at", "cls", "measured_s", "wait_s", "due_s", "forced_late", "apology_issued",
    ).to_pyarrow().to_pandas()
    if df.empty:
        return df.assign(days_late=pd.Series(dtype=float), working_days_late=pd.Series(dtype="Int64"))
    over_s = (df["measured_s"] - df["wait_s"] - df["due_s"]).clip(lower=0)
    df["days_late"] = np.ceil(over_s / 86400.0)
    eff = (df["measured_s"] - df["wait_s"]).to_numpy().astype("datetime64[s]").astype("datetime64[D]")
    due = df["due_s"].to_numpy().astype("datetime64[s]").astype("datetime64[D]")
    years = pd.DatetimeIndex(np.concatenate([eff, due]).astype("datetime64[ns]")).year
    cal = WorkingCalendar.for_years(int(years.min()), int(years.max()))
    df["working_days_late"] = np.maximum(cal.working_days_between(due, eff), 0)
    df["state"] = df["cls"].map({CLASS_CODES["late"]: "finished_late", CLASS_CODES["open_overdue"]: "open_overdue"})
    df.loc[df["forced_late"].fillna(False) & (df["days_late"] == 0), "state"] += " (supplements > 1)"
    return df.drop(columns=["cls", "measured_s", "wait_s", "due_s"])


__all__ = ["GRANULARITIES", "PROVINCE", "compute", "late_count", "late_dossiers", "load_set", "run_engine",
           "evaluate_engine", "period_index", "unit_rows", "IndicatorResult"]
