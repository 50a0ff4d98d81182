"""``cchc dossiers …``: one-stop-shop dossier records → Decision 766 indicators.

Bad input (unreadable file, missing required column, unknown period or set) exits with code 2 and a message on
standard error; rows that fail validation do not fail the import: they are reported and written to the
rejected-rows file.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(
    help="Hồ sơ TTHC một cửa → chỉ số 766 (one-stop-shop dossiers → Decision 766 indicators).",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(msg: str) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(code=2)


def _fail_with(exc: Exception) -> None:
    """An import error in Vietnamese then English (as the per-row reasons), others as they are."""
    vi = getattr(exc, "vi", None)
    _fail(f"{vi}\n       {exc}" if vi and vi != str(exc) else str(exc))


def _dump(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=str) + "\n")


def _null():  # noqa: ANN202
    import contextlib

    return contextlib.nullcontext()


def _console():  # noqa: ANN202
    from rich.console import Console

    c = Console()
    return c if c.is_terminal else Console(width=220)


def _parse_as_of(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of {value!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS")
    if len(value) == 10:
        d = d + dt.timedelta(hours=23, minutes=59, seconds=59)
    return d


@app.command("import")
def import_(
    files: list[Path] = typer.Argument(..., help="CSV, Parquet or JSON Lines files of dossier records"),
    store: Path = typer.Option(..., "--store", "-s", help="Store directory (created if missing)"),
    catalogue: Path | None = typer.Option(None, "--catalogue", "-c", help="Procedure catalogue file"),
    calendar: Path | None = typer.Option(None, "--calendar", help="Calendar overrides YAML (replaces the shipped one)"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
    show: int = typer.Option(20, "--show", help="Problems to print per file"),
    replace: bool = typer.Option(False, "--replace", help="Replace stored dossiers with the same id (newer export)"),
) -> None:
    """Validate and import dossier records (re-importing the same file changes nothing)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from cchc.services.calendar import CalendarError, WorkingCalendar, load_overrides
    from cchc.services.importer import ImportError_, Store, import_file, load_catalogue

    st = Store(store)
    try:
        cat = load_catalogue(catalogue) if catalogue else None  # saved by the import, with its records
        cal = WorkingCalendar(2000, 2040, load_overrides(calendar)) if calendar else None
    except (ImportError_, CalendarError, OSError) as exc:
        _fail_with(exc)
    results = []
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  disable=as_json or not console.is_terminal) as prog:
        for f in files:
            task = prog.add_task(f"{f.name}: start", total=None)
            try:
                res = import_file(f, st, catalogue=cat, calendar=cal, replace=replace,
                                  progress=lambda s, task=task, f=f: prog.update(task, description=f"{f.name}: {s}"))
            except ImportError_ as exc:
                _fail_with(exc)
            prog.update(task, description=f"{f.name}: done")
            results.append(res)
    if as_json:
        _dump([r.to_dict() for r in results])
        return
    for r in results:
        if r.skipped:
            typer.echo(f"{r.file}: already imported (same content {r.content_hash[:16]}), nothing changed")
            continue
        typer.echo(f"{r.file}: {r.accepted} accepted, {r.rejected} rejected"
                   + (f", {r.replaced} stored records replaced" if r.replaced else ""))
        if r.ignored_columns:
            typer.echo(f"  ignored columns: {', '.join(r.ignored_columns)}")
        for p in r.problems[:show]:
            typer.echo(f"  row {p.row}: {p.column} = {p.value!r}: {p.reason_vi} / {p.reason}")
        if len(r.problems) > show:
            typer.echo(f"  … {len(r.problems) - show} more problems")
        if r.rejected_path:
            typer.echo(f"  rejected rows: {r.rejected_path}")


@app.command("rederive")
def rederive(
    store: Path = typer.Argument(..., help="Store directory"),
    catalogue: Path | None = typer.Option(None, "--catalogue", "-c", help="New procedure catalogue"),
    calendar: Path | None = typer.Option(None, "--calendar", help="Calendar overrides YAML"),
) -> None:
    """Recompute catalogue columns and derived due dates after a catalogue or calendar change."""
    from cchc.services.calendar import CalendarError, WorkingCalendar, load_overrides
    from cchc.services.importer import ImportError_, Store, load_catalogue

    st = Store(store)
    if not st.has_data():
        _fail(f"{store}: no dossiers in this store")
    try:
        cat = load_catalogue(catalogue) if catalogue else None
        cal = WorkingCalendar(2000, 2040, load_overrides(calendar)) if calendar else None
    except (ImportError_, CalendarError, OSError) as exc:
        _fail_with(exc)
    n = st.rederive(cat, cal)
    typer.echo(f"{n} dossiers re-derived in {store}")


@app.command("indicators")
def indicators(
    data: Path = typer.Argument(..., help="Store directory or Parquet file"),
    period: str = typer.Option("month", "--period", "-p", help="month | quarter | half | year"),
    unit: str | None = typer.Option(None, "--unit", "-u", help="One unit (or parent unit, or * for the province)"),
    indicator_set: str = typer.Option("current", "--set", help="current | 2022 | path to a YAML set"),
    membership: str = typer.Option("active", "--membership", help="2.1 rows: active (carried over) | received"),
    as_of: str | None = typer.Option(None, "--as-of", help="Measure open dossiers at this time (default: latest in data)"),
    by_procedure: bool = typer.Option(False, "--by-procedure", help="One row per procedure too"),
    level: str = typer.Option("unit,parent,province", "--level", help="Comma-separated: unit, parent, province"),
    competence: Path | None = typer.Option(None, "--competence", help="unit_code,procedure_code list of the "
                                           "procedures under each unit's competence"),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per unit × period"),
) -> None:
    """Decision 766 indicators per unit × period: numerator, denominator, rate, points; groups and total."""
    from cchc.services.indicators import IndicatorSetError, compute

    levels = tuple(x.strip() for x in level.split(",") if x.strip())
    bad = [x for x in levels if x not in ("unit", "parent", "province")]
    if bad:
        _fail(f"--level {','.join(bad)}: use unit, parent, province")
    if period not in ("month", "quarter", "half", "year"):
        _fail(f"--period {period!r}: use month, quarter, half or year")
    if membership not in ("active", "received"):
        _fail(f"--membership {membership!r}: use active or received")
    from rich.console import Console

    err = Console(stderr=True)
    try:
        with err.status("Đang tính chỉ số / computing indicators …") if err.is_terminal and not as_json else _null():
            res = compute(data, period=period, indicator_set=indicator_set, membership=membership,
                          as_of=_parse_as_of(as_of), unit=unit, by_procedure=by_procedure, levels=levels,
                          competence=competence)
    except (IndicatorSetError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    recs = res.records()
    if as_json:
        _dump(recs)
        return
    _print_table(recs, res)


def _print_table(recs: list[dict], res: Any) -> None:
    from rich.table import Table

    from cchc.core.numbers import format_number_vi

    def fmt(x: float | None, d: int = 2) -> str:
        return "—" if x is None else format_number_vi(x, d)

    iset = res.indicator_set
    table = Table(title=f"{iset.title_vi} — {res.engine.granularity}")
    for c in ("cấp / level", "đơn vị / unit", "kỳ / period") + (("TTHC",) if res.by_procedure else ()):
        table.add_column(c)
    table.add_column("tiếp nhận", justify="right")
    table.add_column("2.1 đúng hạn %", justify="right")
    for g in iset.groups:
        table.add_column(g.id, justify="right")
    table.add_column("tổng / total", justify="right")
    for r in recs:
        ind = {i["id"]: i for i in r["indicators"]}
        on_time = ind.get("2.1", {}).get("rate")
        received = r["received"]
        row = [r["level"], r["unit"], r["period"]] + ([r["procedure_code"]] if res.by_procedure else [])
        row += [fmt(received, 0), fmt(on_time)]
        row += [fmt(g["points"]) for g in r["groups"]]
        row += [fmt(r["total_points"])]
        table.add_row(*row)
    console = _console()
    console.print(table)
    from cchc.services.indicators import reason_vi

    by_id = {i.id: i for i in res.indicator_set.indicators}
    nc = [f"{k}: {reason_vi(by_id[k], v)} / {v}" for k, v in res.reasons.items() if v]
    if nc:
        console.print("[bold]Không tính được / not computable:[/bold]")
        for line in nc:
            console.print(f"  {line}")


@app.command("to-assessment")
def to_assessment(
    data: Path = typer.Argument(..., help="Store directory or Parquet file"),
    out: Path = typer.Argument(..., help="Assessment CSV to write (docs/formats/assessment.md)"),
    mapping: list[str] = typer.Option(..., "--map", "-m", help="INDICATOR=LEAF, e.g. 2.1=3.2.1 (repeatable)"),
    period: str = typer.Option(..., "--period", "-p", help="One period label: 2025, 2025-H1, 2025-Q2, 2025-05"),
    level: str = typer.Option("unit", "--level", help="unit | parent | province"),
    indicator_set: str = typer.Option("current", "--set"),
    membership: str = typer.Option("active", "--membership"),
    competence: Path | None = typer.Option(None, "--competence", help="unit_code,procedure_code competence list"),
) -> None:
    """Write numerator/denominator of chosen indicators as rows of an assessment file, for `ratio` leaves."""
    import csv

    from cchc.services.indicators import IndicatorSetError, compute
    from cchc.services.measures import parse_period_label

    pairs = []
    for m in mapping:
        if "=" not in m:
            _fail(f"--map {m!r}: expected INDICATOR=LEAF")
        pairs.append(tuple(x.strip() for x in m.split("=", 1)))
    try:
        gran, _ = parse_period_label(period)
        res = compute(data, period=gran, indicator_set=indicator_set, membership=membership, levels=(level,),
                      competence=competence)
    except (IndicatorSetError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    ids = {i.id for i in res.indicator_set.indicators}
    for ind_id, _leaf in pairs:
        if ind_id not in ids:
            _fail(f"--map {ind_id}: no such indicator in set {res.indicator_set.id}")
        if res.reasons.get(ind_id):
            _fail(f"--map {ind_id}: not computable ({res.reasons[ind_id]})")
    recs = [r for r in res.records() if r["period"] == period.strip().upper()]
    if not recs:
        _fail(f"no data for period {period}")
    rows = 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_code", "leaf", "numerator", "denominator", "note"])
        for r in recs:
            by_id = {i["id"]: i for i in r["indicators"]}
            for ind_id, leaf in pairs:
                i = by_id[ind_id]
                w.writerow([r["unit"], leaf, _num(i["numerator"]), _num(i["denominator"]),
                            f"766 {ind_id} {i['code']} {r['period']} ({res.indicator_set.id})"])
                rows += 1
    typer.echo(f"wrote {rows} rows to {out}")


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:.6g}"


@app.command("late")
def late(
    data: Path = typer.Argument(..., help="Store directory or Parquet file"),
    unit: str | None = typer.Option(None, "--unit", "-u", help="Unit or parent unit"),
    period: str | None = typer.Option(None, "--period", "-p", help="e.g. 2024-05, 2024-Q2, 2024-H1, 2024"),
    as_of: str | None = typer.Option(None, "--as-of"),
    limit: int | None = typer.Option(None, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Late dossiers with days late and whether an apology slip was issued."""
    from cchc.services.indicators import late_dossiers

    try:
        df = late_dossiers(data, as_of=_parse_as_of(as_of), unit=unit, period=period, limit=limit)
    except (FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    if as_json:
        _dump(json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False)))
        return
    from rich.table import Table

    t = Table(title=f"Hồ sơ trễ hạn / late dossiers: {len(df)}")
    cols = ["dossier_id", "unit_code", "procedure_code", "received_at", "due_effective_at", "end_at", "state",
            "days_late", "working_days_late", "apology_issued"]
    for c in cols:
        t.add_column(c)
    for r in df[cols].itertuples(index=False):
        t.add_row(*["" if (v is None or v != v) else str(v) for v in r])
    _console().print(t)


@app.command("synth")
def synth(
    out: Path = typer.Argument(..., help="Store directory, or a .csv / .parquet / .jsonl file"),
    rows: int = typer.Option(100_000, "--rows", "-n", min=1),
    units: int = typer.Option(50, "--units", "-u", min=1),
    procedures: int = typer.Option(80, "--procedures", min=1),
    seed: int = typer.Option(0, "--seed", "-s"),
    start: str = typer.Option("2024-01-01", "--start"),
    end: str = typer.Option("2025-12-31", "--end"),
    unit_list: Path | None = typer.Option(
        None, "--unit-list",
        help="CSV or XLSX of the province's own units: column unit_code (or code / mã), optional parent_unit_code "
             "(or parent / mã cấp trên); the units file of docs/formats/units.md works as it is. Replaces --units."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Generate realistic synthetic dossiers (deterministic for a seed; distributions in docs)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cchc.services.synth import SynthSpec, write_synth

    codes, parents = _read_unit_list(unit_list) if unit_list else ((), ())
    try:
        spec = SynthSpec(rows=rows, units=units, procedures=procedures, seed=seed,
                         start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end),
                         unit_codes=codes, parent_codes=parents)
    except ValueError as exc:
        _fail(f"--start/--end: {exc}")
    if spec.end < spec.start:
        _fail("--end is before --start")
    console = Console(stderr=True)
    with Progress(TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  disable=as_json or not console.is_terminal) as prog:
        task = prog.add_task("rows", total=rows)
        info = write_synth(spec, out, progress=lambda n: prog.advance(task, n))
    if as_json:
        _dump(info)
    else:
        typer.echo(f"wrote {info['rows']} dossiers to {info['out']}" +
                   (f" (catalogue {info['catalogue']})" if "catalogue" in info else ""))


UNIT_CODE_HEADERS = {"unit_code", "code", "mã", "ma", "mã đơn vị", "madonvi"}
PARENT_HEADERS = {"parent_unit_code", "parent", "parent_code", "mã cấp trên", "đơn vị cấp trên"}


def _read_unit_list(path: Path) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """Unit codes and parent codes (None: no parent) from a CSV (UTF-8) or the first sheet of an XLSX whose first
    row names the columns; other columns are ignored. A problem exits naming the file, row and column."""
    import csv
    import unicodedata

    def norm(value: object) -> str:
        return unicodedata.normalize("NFC", "" if value is None else str(value)).strip()

    if not path.is_file():
        _fail(f"--unit-list {path}: file not found")
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True, data_only=True)
            rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            wb.close()
        else:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.reader(fh))
    except UnicodeDecodeError:
        _fail(f"{path}: not UTF-8 text (save the CSV as UTF-8, or use XLSX)")
    except Exception as exc:  # noqa: BLE001 - openpyxl raises several kinds for a file that is not a workbook
        _fail(f"{path}: cannot be read as {'XLSX' if path.suffix.lower() == '.xlsx' else 'CSV'} ({exc})")
    header = [norm(h).casefold() for h in rows[0]] if rows else []
    code_col = next((i for i, h in enumerate(header) if h in UNIT_CODE_HEADERS), None)
    parent_col = next((i for i, h in enumerate(header) if h in PARENT_HEADERS), None)
    if code_col is None:
        _fail(f"{path}, row 1: no unit code column (name it unit_code, code or mã)")
    codes: list[str] = []
    parents: list[str | None] = []
    first_row: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(norm(v) for v in row):
            continue
        code = norm(row[code_col]) if code_col < len(row) else ""
        if not code:
            _fail(f"{path}, row {n}, column {rows[0][code_col]}: empty unit code")
        if code in first_row:
            _fail(f"{path}, row {n}, column {rows[0][code_col]}: unit code {code!r} already on row {first_row[code]}")
        first_row[code] = n
        codes.append(code)
        parent = norm(row[parent_col]) if parent_col is not None and parent_col < len(row) else ""
        parents.append(parent or None)
    if not codes:
        _fail(f"{path}: no units listed")
    return tuple(codes), tuple(parents)


@app.command("calendar")
def calendar(
    year: int = typer.Option(..., "--year", "-y"),
    overrides: Path | None = typer.Option(None, "--calendar", help="Overrides YAML (default: shipped)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Days off on weekdays and make-up working days of a year, with their sources."""
    from cchc.services.calendar import CalendarError, WorkingCalendar, load_overrides

    try:
        cal = WorkingCalendar(year - 1, year + 1, load_overrides(overrides))
    except (CalendarError, OSError) as exc:
        _fail(str(exc))
    rows = cal.year_table(year)
    if as_json:
        _dump({"year": year, "working_days": cal.working_day_count(year), "days": rows})
        return
    typer.echo(f"{year}: {cal.working_day_count(year)} working days")
    for r in rows:
        typer.echo(f"  {r['date']}  {r['kind']:<20} {r['name']}  [{r['source']}]")


@app.command("rules")
def rules(as_json: bool = typer.Option(False, "--json")) -> None:
    """The named on-time rules and the measures indicators are built from."""
    from dataclasses import asdict

    from cchc.services.measures import MEASURES
    from cchc.services.rules import RULES

    if as_json:
        _dump({"rules": [asdict(r) for r in RULES], "measures": [asdict(m) for m in MEASURES]})
        return
    for r in RULES:
        typer.echo(f"{r.name}: {r.statement}  [{r.source}]")
    typer.echo("")
    for m in MEASURES:
        typer.echo(f"{m.name} ({m.kind}): {m.description}")
