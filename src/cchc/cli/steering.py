"""``cchc steering``: reminders and the plan's task table (XLSX) from the command line.

    cchc steering remind [--date 2026-07-01] [--days-before 7] [--dry-run]     # cron: once a day
    cchc steering import-tasks plan.xlsx --plan 3                               # or --title/--year for a new plan
    cchc steering export-tasks out.xlsx [--plan 3]
    cchc steering figures 2026-H1 [--by plan] [--json]

Uses the web application's database (``CCHC_DATA_DIR`` or ``DATABASE_URL``). Import errors print
``file: row R, column C: what is wrong`` and exit with code 2; nothing is imported then.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from cchc.cli.web import setup_django

app = typer.Typer(help="Chỉ đạo, điều hành CCHC: nhắc việc, nhập/xuất bảng nhiệm vụ (steering work).",
                  no_args_is_help=True)


DATA_DIR = typer.Option(None, "--data-dir", help="CCHC_DATA_DIR of the web application.")


@app.command()
def remind(date: str = typer.Option(None, help="as-of date YYYY-MM-DD (default today)"),
           days_before: int = typer.Option(7, help="remind this many days before the deadline"),
           dry_run: bool = typer.Option(False, "--dry-run", help="list, send nothing, record nothing"),
           data_dir: Path = DATA_DIR) -> None:
    """E-mail upcoming and overdue task reminders per unit; idempotent per day (safe to run from cron).
    It does not migrate the database (a cron job should not upgrade a schema)."""
    setup_django(data_dir)
    from cchc.web.steering import services

    on = dt.date.fromisoformat(date) if date else None
    if dry_run:
        for r, _t, sent in services.due_reminders(on, days_before):
            mark = "\t(đã gửi)" if sent else ""
            typer.echo(f"{r.kind}\t{r.unit}\t{r.deadline:%d/%m/%Y}\t{r.title}{mark}")
    out = services.send_reminders(on, days_before, dry_run)
    typer.echo(f"due {out['due']} · sent {out['sent']} · no e-mail address {out['no_address']} · failed {out['failed']}"
               + (" (dry run)" if dry_run else ""))


@app.command("import-tasks")
def import_tasks(path: Path = typer.Argument(..., exists=True, dir_okay=False),
                 plan: int = typer.Option(None, help="id of an existing plan"),
                 title: str = typer.Option(None, help="title of a new plan"),
                 year: int = typer.Option(None, help="year of a new plan"),
                 decision: str = typer.Option("", help="issuing decision of a new plan"),
                 data_dir: Path = DATA_DIR) -> None:
    """Import the tasks of a plan from its XLSX table (all rows or none)."""
    setup_django(data_dir, migrate=True)
    from django.db import transaction

    from cchc.web.steering import xlsx
    from cchc.web.steering.models import Plan

    if plan is None and not (title and year):
        typer.echo("give --plan ID, or --title and --year for a new plan", err=True)
        raise typer.Exit(2)
    try:
        with transaction.atomic():
            target = Plan.objects.get(pk=plan) if plan else Plan.objects.create(title=title, year=year, decision=decision)
            made = xlsx.import_tasks(target, path.read_bytes())
    except Plan.DoesNotExist:
        typer.echo(f"no plan with id {plan}", err=True)
        raise typer.Exit(2) from None
    except xlsx.ImportError_ as exc:
        for p in exc.problems:
            typer.echo(f"{path}: {p}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{len(made)} tasks imported into plan {target.pk} “{target.title}”")


@app.command("export-tasks")
def export_tasks(path: Path = typer.Argument(...), plan: int = typer.Option(None, help="only this plan"),
                 data_dir: Path = DATA_DIR) -> None:
    """Export the task table with status (same columns as the import, plus status, progress, completion)."""
    setup_django(data_dir, migrate=True)
    from cchc.web.steering import xlsx
    from cchc.web.steering.models import Plan, Task

    qs = Task.objects.select_related("lead_unit", "plan").order_by("plan_id", "pk")
    title = "Nhiệm vụ CCHC"
    if plan:
        p = Plan.objects.get(pk=plan)
        qs, title = qs.filter(plan=p), f"{p.title} — {p.decision}"
    path.write_bytes(xlsx.export_tasks(qs, title))
    typer.echo(f"{qs.count()} tasks → {path}")


@app.command()
def figures(period: str = typer.Argument(..., help="2026, 2026-H1 or 2026-H2"),
            by: str = typer.Option("unit", help="unit or plan"), as_json: bool = typer.Option(False, "--json"),
            data_dir: Path = DATA_DIR) -> None:
    """Half-year review figures: due, done on time, done late, overdue, cancelled, completion rate."""
    setup_django(data_dir, migrate=True)
    from cchc.web.steering import services

    rows = services.task_figure_rows(period, by)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    typer.echo("\t".join(["", "due", "on time", "late", "overdue", "cancelled", "open", "rate %"]))
    for r in rows:
        rate = "—" if r["completion_rate"] is None else f"{r['completion_rate']:.1f}".replace(".", ",")
        typer.echo("\t".join(str(x) for x in [r["key"], r["due"], r["done_on_time"], r["done_late"], r["overdue"],
                                              r["cancelled"], r["open_not_due"], rate]))


@app.command()
def observations(path: Path = typer.Argument(..., exists=True, dir_okay=False),
                 province: str = typer.Option(None, help="take this province's row of a national results table"),
                 data_dir: Path = DATA_DIR) -> None:
    """Import national observations (PAR INDEX value and rank, SIPAS, field indices) for targets and national
    proposals: a metric,year,value CSV, or a national results table with --province."""
    setup_django(data_dir, migrate=True)
    from cchc.web.steering import services

    try:
        n = services.import_observations(path.read_text(encoding="utf-8-sig"), province, note=path.name)
    except ValueError as exc:
        for line in str(exc).splitlines():
            typer.echo(f"{path}: {line}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{n} observations stored")
