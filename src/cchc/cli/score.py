"""``cchc score``: score an assessment file against a framework; table, JSON, CSV or XLSX out."""

from __future__ import annotations

from pathlib import Path

import typer

from cchc.cli.common import fail, print_json


def score(
    assessment: Path = typer.Argument(..., help="assessment file (.csv or .xlsx), one row per unit × leaf"),
    framework: str = typer.Option(..., "--framework", "-f", help="shipped framework id or YAML file"),
    year: int | None = typer.Option(None, help="year of the cycle (for --csv output)"),
    group_by: str = typer.Option("unit_type", help="rank within: unit_type, region or none"),
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="write a results workbook"),
    csv_out: Path | None = typer.Option(None, "--csv", help="write a results table (cchc results format)"),
) -> None:
    """Chấm điểm và xếp hạng (score and rank every unit in the file)."""
    from cchc.core.framework import FrameworkError
    from cchc.core.scoring import ScoringError, score_cycle
    from cchc.frameworks import load_framework
    from cchc.io.assessments import read_assessments
    from cchc.io.tables import InputError

    if group_by not in ("unit_type", "region", "none"):
        fail([f"--group-by: {group_by!r} is not one of unit_type, region, none"])
    try:
        fw = load_framework(framework)
        units = read_assessments(assessment, fw)
        cycle = score_cycle(fw, units, None if group_by == "none" else group_by)
    except FrameworkError as error:
        fail(error.problems, "Bộ chỉ số không hợp lệ / invalid framework")
    except (InputError, ScoringError) as error:
        fail(error.problems)
    if csv_out:
        from cchc.core.comparison import cycle_rows
        from cchc.io.results import write_results_csv

        write_results_csv(cycle_rows(cycle, year or (fw.years[-1] if fw.years else 0)), csv_out, fw.precision)
    if xlsx:
        from cchc.io.workbook import write_cycle_workbook

        write_cycle_workbook(fw, cycle, xlsx)
    if as_json:
        print_json(_cycle_json(fw, cycle))
        return
    _print_table(fw, cycle)


def _cycle_json(fw, cycle) -> dict:
    from cchc.core.numbers import round_half_up

    p = fw.precision
    leaves = {leaf.code for leaf in fw.leaves()}
    return {
        "framework": {"id": fw.id, "version": fw.version, "status": fw.status},
        "group_by": cycle.group_by,
        "units": [
            {
                "code": u.code, "name": u.name, "unit_type": u.unit_type, "region": u.region, "group": u.group,
                "points": round_half_up(u.total, p), "max_points": u.max_points, "index": u.index,
                "rank": u.rank, "of": u.of,
                "band": u.band.code if u.band else None, "band_vi": u.band.label_vi if u.band else None,
                "fields": {
                    node.code: {"points": round_half_up(u.nodes[node.code].points, p), "max_points": u.nodes[node.code].max_points,
                                "index": None if u.nodes[node.code].index is None else round_half_up(u.nodes[node.code].index, p)}
                    for node in fw.fields if node.code in u.nodes
                },
                "lost_points": round_half_up(sum(v for k, v in u.lost.items() if k in {n.code for n in fw.fields}), p),
                "lost": [
                    {"code": code, "lost": round_half_up(value, p)}
                    for code, value in sorted(
                        ((c, v) for c, v in u.lost.items() if c in leaves and v > 0), key=lambda cv: (-cv[1], cv[0])
                    )
                ],
                "missing": list(u.missing),
            }
            for u in cycle.units
        ],
    }


def _print_table(fw, cycle) -> None:
    from rich.console import Console
    from rich.table import Table

    from cchc.core.numbers import format_number_vi

    table = Table(title=f"{fw.name_vi} ({fw.id} v{fw.version})")
    for column in ("Nhóm", "Hạng", "Mã", "Đơn vị", "Điểm", "Tối đa", "Chỉ số %", "Xếp loại"):
        table.add_column(column, justify="right" if column in ("Hạng", "Điểm", "Tối đa", "Chỉ số %") else "left")
    for u in cycle.units:
        table.add_row(
            str(u.group or ""), f"{u.rank}/{u.of}" if u.rank else "—", u.code, u.name,
            format_number_vi(u.total, fw.precision), format_number_vi(u.max_points, fw.precision),
            format_number_vi(u.index, fw.precision), u.band.label_vi if u.band else "",
        )
    Console(width=160).print(table)
    incomplete = [u for u in cycle.units if u.missing]
    if incomplete:
        typer.echo(f"Chú ý / note: {len(incomplete)} đơn vị thiếu điểm một số tiêu chí (tính 0 điểm): "
                   + "; ".join(f"{u.code}: {', '.join(u.missing[:5])}{' …' if len(u.missing) > 5 else ''}" for u in incomplete[:10]))
