"""The ``cchc`` command line: files in, tables or JSON out; the web application's commands.

Each area registers its own Typer sub-application here; the modules stay small and import heavy
libraries lazily so that ``cchc --help`` is fast.
"""

from __future__ import annotations

import typer

from cchc.cli import dossiers as _dossiers
from cchc.cli import framework as _framework
from cchc.cli import report as _report
from cchc.cli import results as _results
from cchc.cli import score as _score
from cchc.cli import steering as _steering
from cchc.cli import survey as _survey
from cchc.cli import web as _web

app = typer.Typer(
    name="cchc",
    help="cchc — Chỉ số cải cách hành chính: chấm điểm, xếp hạng, so sánh (PAR index tools).",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(_framework.app, name="framework")
app.add_typer(_results.app, name="results")
app.command("score")(_score.score)
app.add_typer(_survey.app, name="survey")
app.add_typer(_dossiers.app, name="dossiers")
app.add_typer(_report.app, name="report")
app.add_typer(_steering.app, name="steering")
for _name in ("serve", "demo", "backup", "restore"):
    app.command(_name)(getattr(_web, _name))


def main() -> None:
    app()
