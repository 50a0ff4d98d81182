"""Synthetic one-stop-shop dossiers for demos, tests and benchmarks (deterministic by seed).

The distributions are invented for realism of *shape*, not taken from any province; they are documented in
``docs/formats/dossiers.md`` (section "Synthetic data") and summarised here:

- units: ``U`` units (U0001…), 10 per parent (D001…); unit volume weights lognormal(0, 0.8);
- procedures: ``P`` procedures (TT0001…), popularity Zipf-like (weight 1/rank^1.1); time limit unit
  working days 70 % (1, 3, 5, 7, 10, 15, 20, 30), hours 10 % (4, 8, 24), days 10 % (5, 10, 15, 30), months 10 %
  (1, 2); fee 40 %; online level full 40 % / partial 35 % / none 25 %; documentary result 80 %; individual
  subjects 70 %;
- reception days: working days weight 1, weekends 0.05 (online only); public holidays and Tết 0; the ten days
  before Tết ×1.3, the ten days after ×0.7; times 07:30–17:00;
- channel: full-process procedures 55 % online, partial 30 %, none 0 %, plus +8 points per year after the first
  year; postal 5 %; the rest in person;
- processing time: lognormal around 55 % of the legal limit (σ 0.6); 3 % late tail ×U(1.1, 3);
  due date given (NgayHenTra) for 85 %, else derived from the limit;
- supplements: 8 % one request (wait exponential, mean 4 days), 1 % two or three requests;
- statuses: finished dossiers returned (10) 75 %, completed (9) 20 %, withdrawn (7) 2 %, stopped (8) 2 %,
  refused at reception (3) 1 %; dossiers whose processing runs past the as-of time stay in process (4), fee
  requested (6) or supplement requested (5);
- flags: synced 97 %; digitised components 85 %; electronic result 75 % of result-issuing procedures; reuse of
  digitised data 35 %; data store link 25 %; population data 50 % of individual procedures; paid online 65 %
  of online fee-bearing dossiers, 10 % otherwise; apology slip for 60 % of late dossiers; rating given for 10 %
  (90 % satisfied, 5 % neutral, 5 % dissatisfied); feedback (PAKN) 0.3 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cchc.services.calendar import WorkingCalendar
from cchc.services.rules import derive_due, derive_rules

WD_LIMITS = np.array([1, 3, 5, 7, 10, 15, 20, 30])
HOUR_LIMITS = np.array([4, 8, 24])
DAY_LIMITS = np.array([5, 10, 15, 30])
MONTH_LIMITS = np.array([1, 2])


@dataclass
class SynthSpec:
    rows: int = 100_000
    units: int = 50
    procedures: int = 80
    seed: int = 0
    start: dt.date = dt.date(2024, 1, 1)
    end: dt.date = dt.date(2025, 12, 31)
    chunk_rows: int = 2_000_000
    unit_codes: tuple[str, ...] = ()
    """Unit codes to use instead of U0001… (then ``units`` is their number), e.g. a demo province's communes."""
    parent_codes: tuple[str | None, ...] = ()
    """Their parent unit codes (None: no parent), one per unit code; default D001… (ten units per parent)."""

    def __post_init__(self) -> None:
        if self.unit_codes:
            self.units = len(self.unit_codes)
        if self.parent_codes and len(self.parent_codes) != self.units:
            raise ValueError(f"parent_codes: {len(self.parent_codes)} codes for {self.units} units")


def catalogue(spec: SynthSpec) -> pa.Table:
    rng = np.random.default_rng([spec.seed, 7])
    n = spec.procedures
    kind = rng.choice(4, size=n, p=[0.7, 0.1, 0.1, 0.1])
    limit = np.where(kind == 0, rng.choice(WD_LIMITS, n), np.where(kind == 1, rng.choice(HOUR_LIMITS, n),
                     np.where(kind == 2, rng.choice(DAY_LIMITS, n), rng.choice(MONTH_LIMITS, n))))
    unit = np.array(["working_days", "hours", "days", "months"])[kind]
    fee = np.where(rng.random(n) < 0.4, rng.choice([10_000, 20_000, 50_000, 100_000, 500_000], n), 0)
    level = np.array(["full", "partial", "none"])[rng.choice(3, size=n, p=[0.4, 0.35, 0.25])]
    return pa.table({
        "procedure_code": [f"TT{i + 1:04d}" for i in range(n)],
        "procedure_name": [f"Thủ tục mẫu {i + 1}" for i in range(n)],
        "time_limit": limit.astype(float),
        "time_unit": unit,
        "fee": fee.astype(float),
        "online_level": level,
        "result_required": rng.random(n) < 0.8,
        "individual_subjects": rng.random(n) < 0.7,
    })


def _day_weights(cal: WorkingCalendar, start: dt.date, end: dt.date) -> tuple[np.ndarray, np.ndarray]:
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    idx = (days - cal.base).astype(np.int64)
    working = cal.working[idx]
    weekday = (days.astype(np.int64) + 3) % 7
    w = np.where(working, 1.0, np.where(weekday >= 5, 0.05, 0.0))
    # Tết: the first day of the lunar year is a holiday named "Lunar New Year" in the holidays package
    tet = [np.datetime64(d, "D") for d, name in cal.holiday_names.items() if name == "Lunar New Year"]
    for t in tet:
        before = (days >= t - 10) & (days < t - 2)
        after = (days > t + 4) & (days <= t + 14)
        w = np.where(before & working, w * 1.3, w)
        w = np.where(after & working, w * 0.7, w)
    return days, w / w.sum()


def _chunks(spec: SynthSpec) -> Iterator[tuple[int, int]]:
    done = 0
    k = 0
    while done < spec.rows:
        n = min(spec.chunk_rows, spec.rows - done)
        yield k, n
        done += n
        k += 1


def generate(spec: SynthSpec, cal: WorkingCalendar | None = None) -> Iterator[pa.Table]:
    """Yield chunks of typed, derived dossier rows (store columns), deterministic for a given spec."""
    cal = cal or WorkingCalendar.for_years(spec.start.year, spec.end.year)
    cat = catalogue(spec)
    n_p = spec.procedures
    p_limit = cat["time_limit"].to_numpy()
    p_unit = np.asarray(cat["time_unit"].to_pylist(), dtype=object)
    p_fee = cat["fee"].to_numpy()
    p_level = np.asarray(cat["online_level"].to_pylist(), dtype=object)
    p_result = cat["result_required"].to_numpy(zero_copy_only=False)
    p_indiv = cat["individual_subjects"].to_numpy(zero_copy_only=False)
    p_w = 1.0 / np.arange(1, n_p + 1) ** 1.1
    p_w /= p_w.sum()
    urng = np.random.default_rng([spec.seed, 11])
    u_w = urng.lognormal(0, 0.8, spec.units)
    u_w /= u_w.sum()
    unit_codes = pa.array(list(spec.unit_codes) or [f"U{i + 1:04d}" for i in range(spec.units)], type=pa.string())
    parent_codes = pa.array(list(spec.parent_codes) or [f"D{i // 10 + 1:03d}" for i in range(spec.units)],
                            type=pa.string())
    proc_codes = cat["procedure_code"]
    days, d_w = _day_weights(cal, spec.start, spec.end)
    as_of = np.datetime64(spec.end, "s") + np.timedelta64(86_399, "s")
    first_year = spec.start.year
    offset = 0
    for k, n in _chunks(spec):
        rng = np.random.default_rng([spec.seed, 1000 + k])
        unit = rng.choice(spec.units, size=n, p=u_w)
        proc = rng.choice(n_p, size=n, p=p_w)
        day = days[rng.choice(days.size, size=n, p=d_w)]
        secs = rng.integers(7 * 3600 + 1800, 17 * 3600, size=n)
        received = day.astype("datetime64[s]") + secs.astype("timedelta64[s]")
        years_in = (day.astype("datetime64[Y]").astype(int) + 1970 - first_year).clip(0, None)
        level = p_level[proc]
        p_online = np.where(level == "full", 0.55, np.where(level == "partial", 0.30, 0.0))
        p_online = np.where(level == "none", 0.0, np.minimum(p_online + 0.08 * years_in, 0.95))
        r = rng.random(n)
        weekend = ~cal.working[(day - cal.base).astype(np.int64)]
        channel = np.where(r < p_online, 2, np.where(r < p_online + 0.05, 3, 1))
        channel = np.where(weekend & (level != "none"), 2, channel)
        proc_level = np.where(channel == 2, np.where(level == "full", "full", "partial"), "none")
        # legal due date from the limit (the rule), then the actual duration
        lim = p_limit[proc]
        unit_lim = p_unit[proc]
        due_calc, _ = derive_due(pa.array(received), pa.nulls(n, pa.timestamp("s")), pa.array(lim),
                                 pa.array(unit_lim, type=pa.string()), cal)
        due_s = due_calc.to_numpy(zero_copy_only=False).astype("datetime64[s]")
        span = (due_s - received).astype(np.int64).astype(float)
        frac = rng.lognormal(np.log(0.55), 0.6, n)
        tail = rng.random(n) < 0.03
        frac = np.where(tail, rng.uniform(1.1, 3.0, n), np.minimum(frac, 0.98))
        dur = (span * frac).astype(np.int64)
        # supplements
        rs = rng.random(n)
        supp_n = np.where(rs < 0.08, 1, np.where(rs < 0.09, rng.integers(2, 4, n), 0))
        req_at = received + (dur * rng.uniform(0.1, 0.5, n)).astype("timedelta64[s]")
        supp_n = np.where(req_at > as_of, 0, supp_n)  # no request recorded after the end of the data
        wait = np.where(supp_n > 0, rng.exponential(4 * 86400, n), 0).astype(np.int64)
        comp_at = req_at + wait.astype("timedelta64[s]")
        finish = received + (dur + wait).astype("timedelta64[s]")
        # statuses
        open_ = finish > as_of
        sr = rng.random(n)
        status = np.where(sr < 0.75, 10, np.where(sr < 0.95, 9, np.where(sr < 0.97, 7, np.where(sr < 0.99, 8, 3))))
        pending_supp = open_ & (supp_n == 1) & (comp_at > as_of)
        status = np.where(open_, np.where(pending_supp, 5, np.where(rng.random(n) < 0.1, 6, 4)), status)
        refused = status == 3
        fin_at = np.where(open_ | refused, np.datetime64("NaT"), finish)
        ret_at = np.where(status == 10, finish + rng.integers(0, 2 * 86400, n).astype("timedelta64[s]"),
                          np.datetime64("NaT"))
        ret_at = np.where(ret_at > as_of, np.datetime64("NaT"), ret_at)
        status = np.where((status == 10) & np.isnat(ret_at), 9, status)
        recv_at = np.where(refused, np.datetime64("NaT"), received)
        submitted = received - np.where(channel == 2, rng.integers(0, 3 * 86400, n), 0).astype("timedelta64[s]")
        comp_at = np.where((supp_n > 0) & (comp_at <= as_of), comp_at, np.datetime64("NaT"))
        req_at = np.where(supp_n > 0, req_at, np.datetime64("NaT"))
        given_due = rng.random(n) < 0.85
        fee_req = p_fee[proc] > 0
        paid = np.where(fee_req & (rng.random(n) < np.where(channel == 2, 0.65, 0.10)), rng.choice([1, 2], n), 0)
        res_req = p_result[proc]
        late = (finish - wait.astype("timedelta64[s]")) > due_s
        rating = np.where(rng.random(n) < 0.10, rng.choice([1, 0, -1], n, p=[0.9, 0.05, 0.05]), 0)
        ids = pc.binary_join_element_wise(
            "HS", pc.utf8_lpad(pa.array(np.arange(offset, offset + n)).cast(pa.string()), 10, "0"), "")
        offset += n
        key = np.where(np.isnat(recv_at), submitted, recv_at)

        def ts(a: np.ndarray) -> pa.Array:
            return pa.array(a.astype("datetime64[s]"), type=pa.timestamp("s"), from_pandas=True)

        table = pa.table({
            "dossier_id": ids,
            "unit_code": unit_codes.take(pa.array(unit)),
            "parent_unit_code": parent_codes.take(pa.array(unit)),
            "procedure_code": proc_codes.take(pa.array(proc)),
            "procedure_level": pa.array(proc_level, type=pa.string()),
            "channel": pa.array(channel, type=pa.int64()),
            "status": pa.array(status, type=pa.int64()),
            "submitted_at": ts(submitted),
            "received_at": ts(recv_at),
            "due_at": ts(np.where(given_due & ~refused, due_s, np.datetime64("NaT"))),
            "finished_at": ts(fin_at),
            "returned_at": ts(ret_at),
            "supplement_count": pa.array(supp_n, type=pa.int64()),
            "supplement_requested_at": ts(req_at),
            "supplement_completed_at": ts(comp_at),
            "supplement_wait_hours": pa.nulls(n, pa.float64()),
            "fee_required": pa.array(fee_req),
            "paid_online": pa.array(paid, type=pa.int64()),
            "digitised_components": pa.array(rng.random(n) < 0.85),
            "electronic_result": pa.array(res_req & (rng.random(n) < 0.75)),
            "reused_digitised_data": pa.array(rng.random(n) < 0.35),
            "data_store_linked": pa.array(rng.random(n) < 0.25),
            "population_data_used": pa.array(p_indiv[proc] & (rng.random(n) < 0.5)),
            "synced_to_portal": pa.array(rng.random(n) < 0.97),
            "apology_issued": pa.array(late & (rng.random(n) < 0.6)),
            "rating": pa.array(rating, type=pa.int64()),
            "has_feedback": pa.array(rng.random(n) < 0.003),
        })
        due_eff, due_src = derive_due(table["received_at"], table["due_at"], pa.array(lim), pa.array(
            unit_lim, type=pa.string()), cal)
        table = table.append_column("source_row", pa.array(np.arange(offset - n + 1, offset + 1), type=pa.int64()))
        table = table.append_column("source_file_hash", pa.array(np.full(n, f"synth-{spec.seed}"), type=pa.string()))
        table = table.append_column("limit_value", pa.array(lim))
        table = table.append_column("limit_unit", pa.array(unit_lim, type=pa.string()))
        table = table.append_column("catalogue_online_level", pa.array(level, type=pa.string()))
        table = table.append_column("catalogue_fee", pa.array(p_fee[proc]))
        table = table.append_column("result_required", pa.array(res_req))
        table = table.append_column("individual_subjects", pa.array(p_indiv[proc]))
        table = table.append_column("due_effective_at", due_eff)
        table = table.append_column("due_source", due_src)
        table = table.append_column("year", pa.array(key.astype("datetime64[Y]").astype(int) + 1970, type=pa.int32()))
        table = table.append_column("month", pa.array(key.astype("datetime64[M]").astype(int) % 12 + 1, type=pa.int32()))
        yield derive_rules(table)


RECORD_COLUMNS_END = "has_feedback"


def write_synth(spec: SynthSpec, out: str | Path, *, progress: Callable[[int], None] | None = None) -> dict:
    """Write synthetic data: a store directory (default), or one .csv / .parquet / .jsonl record file plus its
    catalogue next to it (``<name>.catalogue.csv``) when ``out`` has one of those suffixes."""
    import duckdb
    import pyarrow.parquet as pq

    from cchc.services.importer import Store

    out = Path(out)
    cat = catalogue(spec)
    suffix = out.suffix.lower()
    con = duckdb.connect()
    written = 0
    if suffix in (".csv", ".parquet", ".jsonl"):
        out.parent.mkdir(parents=True, exist_ok=True)
        cat_path = out.with_name(out.stem + ".catalogue.csv")
        con.register("cat", cat)
        con.execute(f"COPY cat TO '{cat_path}' (HEADER)")
        parts = []
        for table in generate(spec):
            cols = table.column_names[: table.column_names.index(RECORD_COLUMNS_END) + 1]
            parts.append(table.select(cols))
            written += table.num_rows
            if progress:
                progress(table.num_rows)
        full = pa.concat_tables(parts)
        if suffix == ".parquet":
            pq.write_table(full, out)
        else:
            con.register("synth_rows", full)
            fmt = "(HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')" if suffix == ".csv" else "(FORMAT json)"
            con.execute(f"COPY synth_rows TO '{out}' {fmt}")
        return {"out": str(out), "catalogue": str(cat_path), "rows": written}
    store = Store(out)
    store.save_catalogue(cat)
    for i, table in enumerate(generate(spec)):
        store.write(table, f"synth-{spec.seed}-{i}", con)
        written += table.num_rows
        if progress:
            progress(table.num_rows)
    store.add_manifest({"content_hash": f"synth:rows={spec.rows}:units={spec.units}:seed={spec.seed}",
                        "file": "synth", "imported_at": dt.datetime.now().isoformat(timespec="seconds"),
                        "accepted": written, "rejected": 0})
    return {"out": str(out), "rows": written}
