"""``cchc results rank|show``: published or computed result tables — ranks, changes, narrative."""

from __future__ import annotations

from pathlib import Path

import typer

from cchc.cli.common import fail, print_json

app = typer.Typer(help="Kết quả: xếp hạng, so sánh, nhận xét (results: rank, show).", no_args_is_help=True)


def _load(files: list[Path], framework: str | None):
    from cchc.core.framework import FrameworkError
    from cchc.frameworks import load_framework
    from cchc.io.results import read_results
    from cchc.io.tables import InputError

    try:
        fw = load_framework(framework) if framework else None
        results = read_results(files, fw.precision if fw else 2)
    except FrameworkError as error:
        fail(error.problems, "Bộ chỉ số không hợp lệ / invalid framework")
    except InputError as error:
        fail(error.problems)
    return fw, results


@app.command("rank")
def rank(
    files: list[Path] = typer.Argument(..., help="result tables (.csv or .xlsx)"),
    year: int | None = typer.Option(None, help="year (default: the latest)"),
    group_by: str | None = typer.Option(None, "--group-by", help="region or unit_type"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Xếp hạng một năm (rank a year, optionally within regions or unit types); ties share a rank."""
    if group_by not in (None, "region", "unit_type"):
        fail([f"--group-by: {group_by!r} is not one of region, unit_type"])
    _, results = _load(files, None)
    years = results.years()
    if not years:
        fail([f"{', '.join(map(str, files))}: no rows"])
    year = year or years[-1]
    if year not in years:
        fail([f"--year: no rows for {year} (years present: {', '.join(map(str, years))})"])
    groups = results.ranked(year, group_by)
    if as_json:
        print_json(
            [
                {"group": key, "units": [{"unit": r.unit, "rank": r.rank, "of": r.of, "index": r.index, "region": r.region} for r in rows]}
                for key, rows in groups
            ]
        )
        return
    from cchc.core.numbers import format_number_vi

    for key, rows in groups:
        if key is not None:
            typer.echo(f"\n{key}")
        for r in rows:
            index = format_number_vi(r.index) if r.index is not None else "—"
            place = f"{r.rank}/{r.of}" if r.rank else "—"
            typer.echo(f"  {place:>7}  {index:>7}  {r.unit}")


@app.command("show")
def show(
    files: list[Path] = typer.Argument(..., help="result tables (.csv or .xlsx), several years"),
    unit: str = typer.Option(..., help="unit name or code"),
    year: int | None = typer.Option(None, help="year (default: the latest)"),
    framework: str = typer.Option("par-index-876-provincial", help="framework for field names and wording"),
    baseline: str = typer.Option("mean", help="baseline of a merged unit: mean, weighted or none"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Một đơn vị trong một năm: chỉ số, hạng, thay đổi, khu vực, nhận xét (one unit: the whole story)."""
    from dataclasses import asdict

    from cchc.core.comparison import summarize
    from cchc.core.narrative import NarrativeStyle, narrative_en, narrative_vi
    from cchc.core.results import ResultRow
    from cchc.io.reference import MERGER_DATE, lineage_2025, region_names_en, unit_kinds

    if baseline not in ("mean", "weighted", "none"):
        fail([f"--baseline: {baseline!r} is not one of mean, weighted, none (weighted needs weights: use the API)"])
    fw, results = _load(files, framework)
    years = results.years()
    year = year or (years[-1] if years else None)
    if year is None or results.find(unit, year) is None:
        fail([f"--unit/--year: no row for {unit!r} in {year} in {', '.join(map(str, files))}"])
    previous = None
    note = None
    prev_year = results.previous_year(year)
    row = results.find(unit, year)
    crosses_merger = prev_year is not None and prev_year < 2025 <= year
    if crosses_merger and lineage_2025().predecessors(row.unit, "2024-12-31") != (row.unit,):
        # lineage wins over names: the new Quảng Ngãi is not the old Quảng Ngãi
        from cchc.core.lineage import baselines

        successors = [r.unit for r in results.year(year)]
        found = baselines(results.year(prev_year), successors, lineage_2025(), "2024-12-31", baseline, None, fw.precision)
        b = found.get(row.unit)
        if b is not None:
            previous = ResultRow(unit=b.unit, year=prev_year, index=b.index, rank=b.rank, of=b.of)
            note = b.rule
    summary = summarize(results, unit, year, previous=previous, baseline_note=note)
    names = {node.code: node.name_vi for node in fw.fields}
    names_en = {node.code: node.name_en or node.name_vi for node in fw.fields}
    style = NarrativeStyle(unit_noun_vi=fw.unit_noun_vi, unit_noun_en=fw.unit_noun_en, precision=fw.precision)
    text_vi = narrative_vi(summary, names, style, unit_kinds())
    text_en = narrative_en(summary, names_en, style, unit_kinds(), region_names_en())
    data = asdict(summary)
    data.pop("fields")
    data["fields"] = [
        {"code": f.code, "name": names.get(f.code, f.code), "index": f.index, "rank": f.rank,
         "prev_rank": f.prev_rank, "delta_rank": f.delta_rank}
        for f in summary.fields
    ]
    data["narrative_vi"] = text_vi
    data["narrative_en"] = text_en
    data["merger_date"] = MERGER_DATE if note else None
    if as_json:
        print_json(data)
        return
    _panel(data, fw.precision)


def _panel(data: dict, precision: int) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    from cchc.core.numbers import format_number_vi

    def num(value, signed=False):
        return "—" if value is None else format_number_vi(value, precision, signed=signed)

    def place(rank, of):
        return "—" if not rank else (f"{rank}/{of}" if of else str(rank))

    console = Console(width=120)
    facts = Table.grid(padding=(0, 2))
    facts.add_row("Chỉ số / index", f"{num(data['index'])}%", "Xếp hạng / rank", place(data["rank"], data["of"]))
    facts.add_row(f"Năm trước / {data['prev_year'] or '—'}", f"{num(data['prev_index'])}%",
                  "Hạng năm trước / previous rank", place(data["prev_rank"], None))
    delta_rank = data["delta_rank"]
    facts.add_row("Thay đổi điểm / points", num(data["delta_points"], signed=True),
                  "Thay đổi bậc / places", "—" if delta_rank is None else f"{delta_rank:+d}")
    facts.add_row("Khu vực / region", data["region"] or "—", "Hạng trong khu vực", place(data["region_rank"], data["region_size"]))
    if data.get("sipas") is not None:
        facts.add_row("SIPAS", f"{num(data['sipas'])}%", "SIPAS năm trước", f"{num(data.get('prev_sipas'))}%")
    if data.get("baseline_note"):
        facts.add_row("Điểm gốc / baseline", data["baseline_note"], "", "")
    console.print(Panel(facts, title=f"{data['unit']} — {data['year']}"))
    if data["fields"]:
        table = Table("Mã", "Lĩnh vực", "Chỉ số %", "Hạng", "Hạng trước", "Thay đổi")
        for f in data["fields"]:
            table.add_row(f["code"], f["name"], num(f["index"]), place(f["rank"], None), place(f["prev_rank"], None),
                          "—" if f["delta_rank"] is None else f"{f['delta_rank']:+d}")
        console.print(table)
    console.print(data["narrative_vi"])
    console.print("")
    console.print(data["narrative_en"])
