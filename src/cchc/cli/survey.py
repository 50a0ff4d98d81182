"""``cchc survey``: instruments, data-entry templates, response import and satisfaction indices.

Exit codes: 0 success; 2 bad input (unknown instrument, invalid responses, bad option), with every problem listed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Khảo sát sự hài lòng (SIPAS) và điều tra xã hội học — satisfaction and sociological surveys.",
    no_args_is_help=True,
    add_completion=False,
)

InstrumentOpt = Annotated[
    str, typer.Option("--instrument", "-i", help="Instrument id (see `cchc survey list`) or a .yaml path.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _fail(lines: list[str] | str, code: int = 2) -> None:
    if isinstance(lines, str):
        lines = [lines]
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(code)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _load(ref: str):
    from cchc.surveys.model import InstrumentError
    from cchc.surveys.registry import load_instrument

    try:
        return load_instrument(ref)
    except InstrumentError as exc:
        _fail([f"error: instrument {exc.source}:"] + [f"  {p}" for p in exc.problems])


def _sha256(path: Path | None) -> str | None:
    import hashlib

    if path is None or not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _instrument_path(ref: str) -> Path | None:
    from cchc.surveys.registry import INSTRUMENTS_DIR

    p = Path(ref)
    if p.exists():
        return p
    shipped = INSTRUMENTS_DIR / f"{ref}.yaml"
    return shipped if shipped.exists() else None


def _read_lineage(path: Path, date: str):
    import csv

    from cchc.core.lineage import Lineage

    if not path.exists():
        _fail(f"error: lineage file {path} not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.reader(fh) if len(r) >= 2 and r[0].strip()]
    if rows and rows[0][0].strip().casefold() in ("old", "old_unit", "from", "đơn vị cũ", "province_old"):
        rows = rows[1:]
    if not rows:
        _fail(f"error: lineage file {path} has no old,new rows")
    return Lineage.from_mapping(date, {r[0].strip(): r[1].strip() for r in rows})


def _day_before(iso: str) -> str:
    from datetime import date, timedelta

    try:
        return (date.fromisoformat(iso) - timedelta(days=1)).isoformat()
    except ValueError:
        _fail(f"error: --lineage-date must be an ISO date like 2025-07-01 (got {iso!r})")
    return iso


def _read_units(path: Path | None) -> list[str] | None:
    if path is None:
        return None
    if not path.exists():
        _fail(f"error: unit list {path} not found")
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(path, read_only=True).worksheets[0]
        vals = [str(r[0]).strip() for r in ws.iter_rows(values_only=True) if r and r[0] is not None]
    else:
        import csv

        with path.open(encoding="utf-8-sig", newline="") as fh:
            vals = [row[0].strip() for row in csv.reader(fh) if row and row[0].strip()]
    if vals and vals[0].casefold() in ("unit", "don_vi", "đơn vị", "name", "ten", "tên"):
        vals = vals[1:]
    return vals


@app.command("list")
def list_cmd(as_json: JsonOpt = False) -> None:
    """List the shipped instruments (bộ câu hỏi có sẵn)."""
    from cchc.surveys.registry import list_instruments

    items = [
        {
            "id": i.id,
            "version": i.version,
            "status": i.status,
            "title_vi": i.title_vi,
            "title_en": i.title_en,
            "questions": len(i.questions),
        }
        for i in list_instruments()
    ]
    if as_json:
        _print_json(items)
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Bộ câu hỏi khảo sát / survey instruments")
    for col in ("id", "status", "questions", "title"):
        t.add_column(col)
    for it in items:
        t.add_row(it["id"], it["status"], str(it["questions"]), it["title_vi"])
    Console().print(t)


@app.command("show")
def show_cmd(
    instrument: Annotated[str, typer.Argument(help="Instrument id or .yaml path.")], as_json: JsonOpt = False
) -> None:
    """Show an instrument: aspects, elements, question codes, scales, satisfied answers."""
    from cchc.surveys.registry import describe

    d = describe(_load(instrument))
    if as_json:
        _print_json(d)
        return
    typer.echo(f"{d['id']} ({d['status']}) — {d['title_vi']}")
    if d["legal_basis"]:
        typer.echo(f"  {d['legal_basis']}")
    agg = d["aggregation"]
    typer.echo(f"  aggregation: element={agg['element']} aspect={agg['aspect']} overall={agg['overall']}")
    for a in d["aspects"]:
        flag = "" if a["in_overall"] else "  [not in overall]"
        typer.echo(f"  {a['code']}  {a['vi']}{flag}")
        for e in a["elements"]:
            typer.echo(f"    {e['code']}  {e['vi']}")
            for q in e["questions"]:
                sat = ",".join(str(v) for v in q["satisfied"])
                typer.echo(
                    f"      {q['code']:<8} [{q['measure']}, {q['scale']}, satisfied={sat}, {q['status']}]  {q['vi']}"
                )
    for u in d["unknown"]:
        typer.echo(f"  unknown: {u}")


@app.command("validate")
def validate_cmd(files: Annotated[list[Path], typer.Argument(help="Instrument YAML files.")]) -> None:
    """Check instrument files; every problem is listed as file:line: path: reason (exit 2 if any)."""
    from cchc.surveys.model import InstrumentError, load_instrument_file

    failed = False
    for f in files:
        try:
            inst = load_instrument_file(f)
        except (InstrumentError, OSError) as exc:
            failed = True
            problems = exc.problems if isinstance(exc, InstrumentError) else [str(exc)]
            typer.echo(f"{f}: {len(problems)} problem(s)", err=True)
            for pr in problems:
                typer.echo(f"  {pr}", err=True)
            continue
        typer.echo(f"{f}: ok ({inst.id}, {len(inst.questions)} questions)")
    if failed:
        raise typer.Exit(2)


@app.command("template")
def template_cmd(
    instrument: Annotated[str, typer.Argument(help="Instrument id or .yaml path.")],
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Output workbook (.xlsx).")],
    units: Annotated[
        Path | None,
        typer.Option(
            "--units", help="Unit list (CSV/TXT, one per line, or XLSX first column) for the unit drop-down."
        ),
    ] = None,
) -> None:
    """Write the data-entry workbook: one column per code, validation lists, a codebook sheet."""
    from cchc.surveys.template import write_template

    inst = _load(instrument)
    if xlsx.suffix.lower() != ".xlsx":
        _fail(f"error: --xlsx must end in .xlsx (got {xlsx})")
    out = write_template(inst, xlsx, units=_read_units(units))
    typer.echo(f"wrote {out}")


@app.command("xlsform")
def xlsform_cmd(
    instrument: Annotated[str, typer.Argument(help="Instrument id or .yaml path.")],
    xlsx: Annotated[
        Path, typer.Option("--xlsx", help="Output XLSForm (.xlsx) for KoBoToolbox / ODK Central.")
    ],
    units: Annotated[Path | None, typer.Option("--units", help="Unit list for the unit question.")] = None,
) -> None:
    """Write an XLSForm whose field and choice names are the instrument's codes, so exports import back as is."""
    from cchc.surveys.template import write_xlsform

    inst = _load(instrument)
    if xlsx.suffix.lower() != ".xlsx":
        _fail(f"error: --xlsx must end in .xlsx (got {xlsx})")
    typer.echo(f"wrote {write_xlsform(inst, xlsx, units=_read_units(units))}")


@app.command("sample-size")
def sample_size_cmd(
    population: Annotated[
        list[int], typer.Argument(help="Population(s) N, e.g. dossiers received per unit.")
    ],
    margin: Annotated[float, typer.Option("--margin", "-e", help="Margin of error e (default 5%).")] = 0.05,
    as_json: JsonOpt = False,
) -> None:
    """Sample size by the rule in SIPAS guidance, n = N / (1 + N·e²), rounded up."""
    from cchc.surveys.design import yamane

    if not 0 < margin < 1:
        _fail("error: --margin must be between 0 and 1 (e.g. 0.05)")
    if any(p < 0 for p in population):
        _fail("error: populations must be non-negative")
    rows = [{"population": p, "margin": margin, "sample": yamane(p, margin)} for p in population]
    if as_json:
        _print_json(rows)
        return
    for r in rows:
        typer.echo(f"N = {r['population']}: n = {r['sample']} (e = {margin:g})")


def _import(path: Path, inst, units: list[str] | None, skip_invalid: bool, as_json: bool):
    from cchc.surveys.importer import ImportFailed, import_responses

    try:
        res = import_responses(path, inst, units=units, skip_invalid=skip_invalid)
    except ImportFailed as exc:
        if as_json:
            from dataclasses import asdict

            _print_json(
                {"ok": False, "problems": [asdict(p) for p in exc.problems], "warnings": exc.warnings}
            )
            raise typer.Exit(2) from None
        lines = [f"error: {path}: {len(exc.problems)} problem(s); nothing was imported."]
        lines += ["sheet\trow\tcolumn\tvalue\treason"]
        lines += [f"{p.sheet}\t{p.row}\t{p.column}\t{p.value}\t{p.reason}" for p in exc.problems]
        lines += [f"warning: {w}" for w in exc.warnings]
        if exc.problems and exc.problems[0].row != 1 and exc.problems[0].row != 0:
            lines.append(
                "hint: --skip-invalid imports the valid rows and writes the rejected ones to a file."
            )
        _fail(lines)
    return res


@app.command("import")
def import_cmd(
    responses: Annotated[
        Path,
        typer.Argument(
            help="Workbook from `survey template`, CSV/XLSX with codes as columns, or a KoBoToolbox/ODK export."
        ),
    ],
    instrument: InstrumentOpt,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the validated responses here (.csv, .xlsx or .parquet)."),
    ] = None,
    units: Annotated[
        Path | None, typer.Option("--units", help="Known unit names; other units are rejected.")
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="Import the valid rows; write rejected rows with reasons to --rejected."
        ),
    ] = False,
    rejected: Annotated[
        Path | None,
        typer.Option(
            "--rejected",
            help="Where to write rejected rows (default: OUT.rejected.csv or RESPONSES.rejected.csv).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate and import responses. All problems are reported at once; nothing is written unless all rows
    are valid (or --skip-invalid is given)."""
    from cchc.surveys.importer import write_rejected, write_responses

    inst = _load(instrument)
    res = _import(responses, inst, _read_units(units), skip_invalid, as_json)
    rej_path = None
    if res.rejected:
        base = out or responses
        rej_path = rejected or base.with_name(base.stem + ".rejected.csv")
        write_rejected(res.rejected, rej_path)
    if out is not None:
        write_responses(res.responses, out)
    summary = res.summary()
    summary["ok"] = True
    summary["out"] = str(out) if out else None
    summary["rejected_file"] = str(rej_path) if rej_path else None
    if as_json:
        _print_json(summary)
        return
    typer.echo(
        f"{responses}: {res.responses.n} response(s) valid ({res.source_format}); instrument {inst.id}"
    )
    for w in res.warnings:
        typer.echo(f"warning: {w}", err=True)
    if res.rejected:
        typer.echo(f"{len(res.rejected)} row(s) rejected, with reasons, in {rej_path}")
    if out:
        typer.echo(f"wrote {out}")


def _parse_aggregation(text: str | None, inst):
    if not text:
        return None
    from pydantic import ValidationError

    from cchc.surveys.model import Aggregation

    data = inst.aggregation.model_dump()
    for part in text.split(","):
        if "=" not in part:
            _fail(f"error: --aggregation expects level=rule pairs, e.g. overall=item_weighted (got {part!r})")
        k, v = (s.strip() for s in part.split("=", 1))
        if k not in ("element", "aspect", "overall"):
            _fail(f"error: --aggregation level must be element, aspect or overall (got {k!r})")
        data[k] = v
    try:
        return Aggregation(**data)
    except ValidationError:
        _fail("error: --aggregation rule must be plain, item_weighted or weighted")


def _conversion(kind: str, steps: str | None, zero_at: float, full_at: float):
    from cchc.core.framework import LinearConversion, Step, TableConversion

    if kind == "table":
        if not steps:
            _fail("error: --conversion table needs --steps MIN:POINTS,… (e.g. 80:8.5,85:9)")
        try:
            parsed = [
                Step(min=float(a), points=float(b)) for a, b in (s.split(":") for s in steps.split(","))
            ]
        except ValueError:
            _fail(f"error: cannot read --steps {steps!r}; expected MIN:POINTS,… e.g. 80:8.5,85:9")
        return TableConversion(steps=sorted(parsed, key=lambda s: s.min))
    if kind != "linear":
        _fail("error: --conversion must be linear or table")
    if full_at <= zero_at:
        _fail("error: --full-at must be above --zero-at")
    return LinearConversion(zero_at=zero_at, full_at=full_at)


@app.command("compute")
def compute_cmd(
    responses: Annotated[Path, typer.Argument(help="Responses (any format `survey import` accepts).")],
    instrument: InstrumentOpt,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="Break down by an attribute: unit, procedure, channel, respondent_group, sex, … (repeatable).",
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Cluster column for the bootstrap (default: the instrument's cluster attribute when filled).",
        ),
    ] = None,
    no_cluster: Annotated[
        bool, typer.Option("--no-cluster", help="Resample respondents even when a cluster column exists.")
    ] = False,
    replicates: Annotated[
        int, typer.Option("--replicates", "-B", min=0, help="Bootstrap replicates (0: no composite CIs).")
    ] = 1000,
    confidence: Annotated[float, typer.Option("--confidence", min=0.5, max=0.999)] = 0.95,
    min_n: Annotated[
        int | None,
        typer.Option(
            "--min-n",
            min=1,
            help="Cells with fewer respondents are flagged and not ranked (default: the instrument's).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 20240417,
    no_weights: Annotated[bool, typer.Option("--no-weights", help="Ignore the weight column.")] = False,
    aggregation: Annotated[
        str | None,
        typer.Option("--aggregation", help="Override rules, e.g. overall=item_weighted,element=plain."),
    ] = None,
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="Outcome question for the drivers analysis.")
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="Last year's `survey compute --json` output: adds year-over-year changes with significance.",
        ),
    ] = None,
    lineage: Annotated[
        Path | None,
        typer.Option(
            "--lineage",
            help="CSV old_unit,new_unit: renames and merges since the previous survey (e.g. the 2025 reorganisation).",
        ),
    ] = None,
    lineage_date: Annotated[
        str, typer.Option("--lineage-date", help="Date the lineage changes took effect (ISO).")
    ] = "2025-07-01",
    max_points: Annotated[
        float | None,
        typer.Option("--max-points", help="Convert the overall index to framework points (e.g. 10)."),
    ] = None,
    conversion: Annotated[str, typer.Option("--conversion", help="linear or table.")] = "linear",
    steps: Annotated[
        str | None, typer.Option("--steps", help="Table conversion MIN:POINTS,… (e.g. 80:8.5,85:9).")
    ] = None,
    zero_at: Annotated[float, typer.Option("--zero-at")] = 0.0,
    full_at: Annotated[float, typer.Option("--full-at")] = 100.0,
    units: Annotated[
        Path | None, typer.Option("--units", help="Known unit names (rows with other units are problems).")
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Compute on the valid rows only.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the JSON result to this file.")
    ] = None,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Also write the results as an Excel workbook.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute the indices with confidence intervals: overall, aspects, elements, criteria, perception and
    expectation shares, breakdowns, ranks, drivers, and optionally framework points."""
    from cchc.surveys.indices import Options, compare, compute, to_points

    inst = _load(instrument)
    agg = _parse_aggregation(aggregation, inst)
    conv = _conversion(conversion, steps, zero_at, full_at) if max_points is not None else None
    prev = None
    if previous is not None:
        try:
            prev = json.loads(previous.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _fail(f"error: cannot read --previous {previous}: {exc}")
    res = _import(responses, inst, _read_units(units), skip_invalid, as_json)
    if res.responses.n == 0:
        _fail(f"error: {responses}: no valid responses")
    by_list = list(by or [])
    unit_att = inst.attribute("unit")
    by_list = [unit_att.name if (b == "unit" and unit_att) else b for b in by_list]
    opts = Options(
        by=by_list,
        cluster=None if no_cluster else (cluster or "auto"),
        replicates=replicates,
        confidence=confidence,
        min_n=min_n,
        seed=seed,
        use_weights=not no_weights,
        aggregation=agg,
        outcome=outcome,
    )
    try:
        result = compute(res.responses, opts)
    except ValueError as exc:
        _fail(f"error: {exc}")
    result["import"] = {"rows": res.responses.n, "rejected": len(res.rejected), "warnings": res.warnings}
    result["inputs"] = {
        "responses": responses.name,
        "responses_sha256": _sha256(responses),
        "instrument_sha256": _sha256(_instrument_path(instrument)),
    }
    if conv is not None:
        result["points"] = {
            "max_points": max_points,
            "conversion": conv.model_dump(),
            "overall": float(to_points(result["overall"]["index"], conv, max_points))
            if result["overall"]["index"] is not None
            else None,
        }
        for u in result.get("units", []):
            idx = u["overall"]["index"]
            u["points"] = float(to_points(idx, conv, max_points)) if idx is not None else None
    if prev is not None:
        lin = _read_lineage(lineage, lineage_date) if lineage is not None else None
        # the previous survey predates the changes: follow every event from the day they took effect
        since = _day_before(lineage_date) if lin is not None else None
        result["change"] = compare(result, prev, confidence, lineage=lin, since=since)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if xlsx is not None:
        from cchc.surveys.report import write_results_xlsx

        write_results_xlsx(result, xlsx)
    if as_json:
        _print_json(result)
        return
    _print_tables(result)
    if xlsx is not None:
        typer.echo(f"wrote {xlsx}")


app.command("indices", help="Alias of `compute`.")(compute_cmd)


def _fmt(x: float | None) -> str:
    from cchc.core.numbers import format_number_vi

    return "—" if x is None else format_number_vi(x, 2)


def _change(c: dict[str, Any] | None) -> str:
    from cchc.core.numbers import format_number_vi

    if not c or c.get("change") is None:
        return "—"
    return format_number_vi(c["change"], 2, signed=True) + ("*" if c.get("significant") else "")


def _print_tables(r: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    o = r["overall"]
    con.print(
        f"[bold]{r['instrument']}[/bold]  chỉ số chung / overall: [bold]{_fmt(o['index'])}%[/bold] "
        f"(KTC {int(r['method']['confidence'] * 100)}%: {_fmt(o['ci_low'])}–{_fmt(o['ci_high'])}), n = {o['n']}"
    )
    changes = r.get("change", {})
    if changes.get("overall"):
        con.print(
            f"so với kỳ trước / vs previous: {_change(changes['overall'])}  (* = có ý nghĩa thống kê / significant)"
        )
    t = Table(title="Yếu tố / elements")
    for c in ("code", "yếu tố", "index", "CI", "expectation", "gap"):
        t.add_column(c)
    for e in r["elements"]:
        t.add_row(
            e["code"],
            e["vi"],
            _fmt(e["index"]),
            f"{_fmt(e['ci_low'])}–{_fmt(e['ci_high'])}",
            _fmt(e["expectation"]),
            _fmt(e["gap"]),
        )
    con.print(t)
    if "units" in r:
        t = Table(title="Đơn vị / units")
        cols = ["rank", "unit", "index", "CI", "n", "rank CI", "flag"]
        if changes:
            cols.append("Δ")
        for c in cols:
            t.add_column(c)
        for u in sorted(r["units"], key=lambda u: (u["rank"] is None, u["rank"] or 0)):
            rci = u.get("rank_ci")
            t.add_row(
                str(u["rank"]) if u["rank"] else "—",
                u["label"],
                _fmt(u["overall"]["index"]),
                f"{_fmt(u['overall']['ci_low'])}–{_fmt(u['overall']['ci_high'])}",
                str(u["n"]),
                f"{rci[0]}–{rci[1]}" if rci else "",
                "n nhỏ / low n" if u["low_n"] else "",
                *([_change(changes.get("units", {}).get(u["label"]))] if changes else []),
            )
        con.print(t)
    d = r.get("drivers", {})
    if d.get("available"):
        t = Table(title=f"Động lực / drivers of {d['outcome']} (R² = {_fmt(d['r2'])})")
        for c in ("element", "importance %", "performance", "quadrant"):
            t.add_column(c)
        for e in d["elements"]:
            t.add_row(e["element"], _fmt(e["importance"]), _fmt(e["performance"]), e["quadrant"])
        con.print(t)
    if "points" in r:
        con.print(f"điểm / points: {_fmt(r['points']['overall'])} / {r['points']['max_points']:g}")
    for w in r.get("import", {}).get("warnings", []):
        print(f"warning: {w}", file=sys.stderr)
