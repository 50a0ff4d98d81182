"""Benchmark: Decision 766 indicators from dossier records — floor vs ours vs a pandas implementation.

    .venv/bin/python benchmarks/dossiers.py --rows 10000000 --data /tmp/cchc-bench

Generates synthetic dossiers once (``cchc dossiers synth``, cached in ``--data``), then times, each stage in its
own process so that peak memory (max RSS) is measured per stage:

- **floor**: one DuckDB ``GROUP BY unit, month`` scan reading the same columns as the indicators and computing
  plain non-null counts — the least any engine must do to read the data;
- **ours**: the full indicator set (``cchc.services.indicators``: Ibis on DuckDB, roll-up, every indicator);
- **pandas**: ``cchc.services.reference`` (straightforward pandas: load, per-dossier rules, explode, group-by)
  followed by the same roll-up and evaluation (skipped above ``--pandas-max-rows``).

Prints absolute times, rows/s, peak memory and the ratios; ``--markdown FILE`` appends the result table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path


def engine_columns(store: str, period: str) -> list[str]:
    """The stored columns the engine's queries read (from DuckDB's plans), so that the floor reads the same."""
    import ibis
    import numpy as np

    from cchc.services.indicators import _py_period, connect_store, footer_span
    from cchc.services.measures import carry_frame, measure_frame, procedure_frame

    con, t = connect_store(store)
    _, hi, _ = footer_span(store)
    as_of_s, p_hi = int(np.datetime64(hi, "s").astype(np.int64)), _py_period(hi, period)

    def scanned(node: dict) -> set[str]:
        found = set()
        if "PARQUET" in node.get("name", ""):
            proj = node.get("extra_info", {}).get("Projections", [])
            found |= set(proj if isinstance(proj, list) else [proj])
        for child in node.get("children", []):
            found |= scanned(child)
        return found

    cols: set[str] = set()
    for e in (measure_frame(t, period, as_of_s, p_hi, cut=False), carry_frame(t, period, as_of_s, p_hi, cut=False),
              procedure_frame(t, period, as_of_s, cut=False)):
        plan = json.loads(con.con.sql("EXPLAIN (FORMAT json) " + ibis.to_sql(e)).fetchall()[0][1])
        for node in plan:
            cols |= scanned(node)
    return sorted(cols)


def stage_floor(store: str, period: str) -> dict:
    import duckdb

    columns = engine_columns(store, period)  # not timed
    glob = str(Path(store) / "dossiers" / "**" / "*.parquet")
    counts = ", ".join(f"count({c}) AS c{i}" for i, c in enumerate(columns))
    q = (f"SELECT unit_code, rec_m AS month, count(*) AS n, {counts} "
         f"FROM read_parquet('{glob}', hive_partitioning = true) GROUP BY ALL")
    t0 = time.perf_counter()
    rows = duckdb.connect().sql(q).fetchall()
    return {"seconds": time.perf_counter() - t0, "groups": len(rows), "columns": len(columns)}


def stage_ours(store: str, period: str) -> dict:
    import ibis.backends.duckdb  # noqa: F401 - imported before the clock, like the floor's duckdb

    from cchc.services.indicators import connect_store, evaluate_engine, footer_span, load_set, run_engine

    t0 = time.perf_counter()
    _, t = connect_store(store)
    eng = run_engine(t, period, span=footer_span(store))
    t1 = time.perf_counter()
    res = evaluate_engine(eng, load_set("current"))
    t2 = time.perf_counter()
    recs = res.records()
    t3 = time.perf_counter()
    return {"seconds": t2 - t0, "engine_seconds": t1 - t0, "evaluate_seconds": t2 - t1,
            "json_seconds": t3 - t2, "groups": len(recs), "total_province": _province_total(recs)}


def stage_pandas(store: str, period: str) -> dict:
    from cchc.services import reference
    from cchc.services.indicators import (
        EngineResult,
        _py_period,
        connect_store,
        data_span,
        evaluate_engine,
        load_set,
    )

    t0 = time.perf_counter()
    _, t = connect_store(store)
    lo, hi, nn = data_span(t, with_counts=True)
    df = reference.load(store, with_rules=True)  # the rule columns stored at import, as ours reads them
    t1 = time.perf_counter()
    fine = reference.measures(df, period, hi, _py_period(hi, period), "active")
    main, procs = reference.split(fine)
    t2 = time.perf_counter()
    eng = EngineResult(period, hi, "active", main, procs, False, t2 - t0, nn)
    res = evaluate_engine(eng, load_set("current"))
    t3 = time.perf_counter()  # the JSON records are not counted, as for ours
    recs = res.records()
    return {"seconds": t3 - t0, "load_seconds": t1 - t0, "rules_seconds": t2 - t1, "evaluate_seconds": t3 - t2,
            "groups": len(recs), "total_province": _province_total(recs)}


def _province_total(recs: list[dict]) -> list[float | None]:
    return [None if r["total_points"] is None else round(r["total_points"], 6)
            for r in recs if r["level"] == "province"]


def peak_mb() -> float:
    """Peak resident memory of this process (VmHWM, reset by exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stage_keys(store: str, period: str) -> dict:
    """Bound: only the grouping every exact distinct-procedure count needs (unit × parent × procedure × month,
    plain count), nothing computed."""
    import duckdb

    glob = str(Path(store) / "dossiers" / "**" / "*.parquet")
    q = (f"SELECT unit_code, parent_unit_code, procedure_code, rec_m, count(*) "
         f"FROM read_parquet('{glob}', hive_partitioning = true) GROUP BY ALL")
    t0 = time.perf_counter()
    rows = duckdb.connect().sql(q).fetchall()
    return {"seconds": time.perf_counter() - t0, "groups": len(rows)}


def stage_reception(store: str, period: str) -> dict:
    """Bound: our reception pass alone (every reception measure and the 2.1 class in the reception period)."""
    import ibis.backends.duckdb  # noqa: F401
    import numpy as np

    from cchc.services.indicators import _py_period, connect_store, footer_span
    from cchc.services.measures import measure_frame

    _, hi, _ = footer_span(store)
    t0 = time.perf_counter()
    _, t = connect_store(store)
    rows = measure_frame(t, period, int(np.datetime64(hi, "s").astype(np.int64)), _py_period(hi, period),
                         cut=False).to_pyarrow().num_rows
    return {"seconds": time.perf_counter() - t0, "groups": rows}


STAGES = {"floor": stage_floor, "ours": stage_ours, "pandas": stage_pandas, "keys": stage_keys,
          "reception": stage_reception}


def run_stage(name: str, store: str, period: str) -> dict:
    """Run one stage in a fresh interpreter; returns its result plus peak RSS in MB."""
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import dossiers as b; "
            f"r = b.STAGES[{name!r}]({store!r}, {period!r}); "
            "r['peak_mb'] = b.peak_mb(); print(json.dumps(r))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else f"exit {out.returncode}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_data(rows: int, units: int, seed: int, data: Path) -> tuple[Path, float | None]:
    store = data / f"store-{rows}-{units}-{seed}"
    marker = store / "READY"
    if marker.exists():
        return store, None
    from cchc.services.synth import SynthSpec, write_synth

    t0 = time.perf_counter()
    write_synth(SynthSpec(rows=rows, units=units, seed=seed), store)
    marker.write_text("ok")
    return store, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--units", type=int, default=700, help="units (communes/agencies); 10 per parent")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--period", default="month")
    ap.add_argument("--data", type=Path, default=Path("/tmp/cchc-bench"))
    ap.add_argument("--repeat", type=int, default=3, help="runs of floor and ours (best is reported)")
    ap.add_argument("--pandas-max-rows", type=int, default=20_000_000)
    ap.add_argument("--markdown", type=Path, default=None, help="append the result table to this file")
    ap.add_argument("--bounds", action="store_true",
                    help="also time two parts alone: the distinct-procedure grouping and our reception pass")
    args = ap.parse_args()

    args.data.mkdir(parents=True, exist_ok=True)
    store, gen_s = ensure_data(args.rows, args.units, args.seed, args.data)
    size_mb = sum(p.stat().st_size for p in store.rglob("*.parquet")) / 2**20
    print(f"data: {args.rows:,} dossiers, {args.units} units, {size_mb:,.0f} MB Parquet at {store}"
          + (f" (generated in {gen_s:.1f} s)" if gen_s else " (cached)"))
    results: dict[str, list[dict]] = {"floor": [], "ours": [], "pandas": [], "keys": [], "reception": []}
    timed = ("floor", "ours", "keys", "reception") if args.bounds else ("floor", "ours")
    for _ in range(args.repeat):  # interleaved, so that load from other processes hits all alike
        for name in timed:
            results[name].append(run_stage(name, str(store), args.period))
    if args.rows <= args.pandas_max_rows:
        results["pandas"].append(run_stage("pandas", str(store), args.period))
    best = {k: min((r for r in v if "seconds" in r), key=lambda r: r["seconds"], default=None)
            for k, v in results.items()}
    errors = {k: [r["error"] for r in v if "error" in r] for k, v in results.items()}
    lines = [f"| stage | seconds (best of {args.repeat}) | rows/s | peak memory (MB) | notes |", "|---|---:|---:|---:|---|"]
    for k in ("floor", "ours", "pandas"):
        r = best[k]
        if r is None:
            lines.append(f"| {k} | — | — | — | {'; '.join(errors[k]) or 'skipped'} |")
            continue
        note = ""
        if k == "ours":
            note = (f"engine {r['engine_seconds']:.2f} s + roll-up/evaluation {r['evaluate_seconds']:.2f} s "
                    f"(+ JSON records {r['json_seconds']:.2f} s, not counted)")
        if k == "pandas":
            note = (f"load {r['load_seconds']:.2f} s + rules/group-by {r['rules_seconds']:.2f} s + roll-up/evaluation "
                    f"{r['evaluate_seconds']:.2f} s (run once)")
        peak = max(x.get("peak_mb", 0) for x in results[k] if "peak_mb" in x)
        lines.append(f"| {k} | {r['seconds']:.2f} | {args.rows / r['seconds']:,.0f} | {peak:,.0f} | {note} |")
    ratios = []
    if best["floor"] and best["ours"]:
        ratios.append(f"ours / floor = {best['ours']['seconds'] / best['floor']['seconds']:.2f}× (target ≤ 2×)")
    if best["pandas"] and best["ours"]:
        ratios.append(f"pandas / ours = {best['pandas']['seconds'] / best['ours']['seconds']:.1f}× (target ≥ 20×)")
        same = best["pandas"]["total_province"] == best["ours"]["total_province"]
        ratios.append(f"province totals identical in both implementations: {same}")
    if args.bounds and best["floor"] and best["keys"] and best["reception"]:
        f, k, r = (best[x]["seconds"] for x in ("floor", "keys", "reception"))
        for name, label in (("keys", "distinct-procedure grouping alone (count only)"),
                            ("reception", "our reception pass alone")):
            lines.append(f"| {label} | {best[name]['seconds']:.2f} | {args.rows / best[name]['seconds']:,.0f} | "
                         f"{max(x.get('peak_mb', 0) for x in results[name] if 'peak_mb' in x):,.0f} | "
                         f"{best[name]['seconds'] / f:.2f}× the floor |")
        ratios.append(f"grouping alone + reception pass alone = {k + r:.2f} s = {(k + r) / f:.2f}× the floor "
                      "(before the carried-over pass, the flags and the roll-up)")
    table = "\n".join(lines)
    print(table)
    for r in ratios:
        print(r)
    if args.markdown:
        cpu = os.cpu_count()
        load = os.getloadavg()
        head = (f"\n### {args.rows:,} dossiers, {args.units} units, period={args.period} — "
                f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n"
                f"Command: `.venv/bin/python benchmarks/dossiers.py --rows {args.rows} --units {args.units} "
                f"--seed {args.seed} --period {args.period}`  \n"
                f"Machine: {cpu} CPUs, {platform.machine()}, Python {platform.python_version()}; load average at "
                f"the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (other processes were running); "
                f"Parquet {size_mb:,.0f} MB.\n\n")
        with open(args.markdown, "a", encoding="utf-8") as f:
            f.write(head + table + "\n\n" + "".join(f"- {r}\n" for r in ratios))


if __name__ == "__main__":
    main()
