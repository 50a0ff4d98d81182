"""``cchc report review|decision|template``: the review report and the results-decision annex as DOCX, XLSX,
PNG/SVG charts and PDF (when LibreOffice is installed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from cchc.cli.common import fail

app = typer.Typer(help="Báo cáo: sơ kết, tổng kết, phụ lục quyết định (reports).", no_args_is_help=True)


def _internal(framework: str | None, assessment: Path | None, previous: Path | None, year: int):
    from cchc.core.framework import FrameworkError
    from cchc.core.scoring import ScoringError, score_cycle
    from cchc.frameworks import load_framework
    from cchc.io.assessments import read_assessments
    from cchc.io.tables import InputError
    from cchc.reports.sections import InternalIndex

    if assessment is None:
        return []
    if framework is None:
        fail(["--framework: needed with --assessment"])
    try:
        fw = load_framework(framework)
        cycle = score_cycle(fw, read_assessments(assessment, fw))
        before = score_cycle(fw, read_assessments(previous, fw)) if previous else None
    except FrameworkError as error:
        fail(error.problems, "Bộ chỉ số không hợp lệ / invalid framework")
    except (InputError, ScoringError) as error:
        fail(error.problems)
    return [InternalIndex(fw, cycle, year, before)]


def _national(files: list[Path], label: str, framework: str | None, index_name: str):
    from cchc.frameworks import load_framework
    from cchc.io.results import read_results
    from cchc.io.tables import InputError
    from cchc.reports.sections import NationalIndex

    if not files:
        return []
    try:
        results = read_results(files)
    except InputError as error:
        fail(error.problems)
    return [NationalIndex(label, results, load_framework(framework) if framework else None, index_name)]


def _survey_section(path: Path, instrument: str, period: str):
    from cchc.reports.sections_surveys import survey_section
    from cchc.surveys.importer import ImportFailed, import_responses
    from cchc.surveys.indices import compute, standard_options
    from cchc.surveys.registry import load_instrument

    try:
        inst = load_instrument(instrument)
        imported = import_responses(path, inst)
    except ImportFailed as error:
        fail([str(p) for p in error.problems])
    except (ValueError, FileNotFoundError) as error:
        fail([f"--survey/--instrument: {error}"])
    result = compute(imported.responses, standard_options())
    return [survey_section(result, inst.title_vi, period)]


def _finish(written: dict, out: Path) -> None:
    for key in ("docx", "xlsx", "pdf"):
        if key in written:
            typer.echo(f"{key.upper():5} {written[key]}")
    for chart in written.get("charts", []):
        typer.echo(f"PNG   {chart}")
    if "pdf_error" in written:
        typer.echo(f"PDF   không tạo được / not made: {written['pdf_error']}", err=True)


@app.command("review")
def review(
    period: str = typer.Option(..., help="2024 (tổng kết năm) or 2024-H1 / 2024-H2 (sơ kết 6 tháng)"),
    province: str = typer.Option(..., help="province name, e.g. 'Kon Tum'"),
    out: Path = typer.Option(..., help="output directory"),
    national: list[Path] = typer.Option([], help="PAR INDEX result tables (cchc results format)"),
    sipas: list[Path] = typer.Option([], help="SIPAS result tables"),
    papi: list[Path] = typer.Option([], help="PAPI result tables"),
    framework: str | None = typer.Option(None, help="internal framework (id or YAML) for --assessment"),
    assessment: Path | None = typer.Option(None, help="internal index assessment file of the period's year"),
    previous: Path | None = typer.Option(None, help="the previous year's assessment file, for changes"),
    from_db: bool = typer.Option(False, "--from-db", help="the internal index from the web app's published cycles of the year"),
    dossiers: Path | None = typer.Option(None, help="dossier store (cchc dossiers import) for the service-delivery section"),
    survey: Path | None = typer.Option(None, help="satisfaction survey responses (cchc survey import formats)"),
    instrument: str = typer.Option("province-sipas-example", help="instrument of --survey (id or YAML)"),
    template: Path | None = typer.Option(None, help="DOCX template (see `cchc report template`)"),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="make a PDF with LibreOffice when installed"),
    signer: str = typer.Option("", help="name in the signature block"),
) -> None:
    """Báo cáo sơ kết / tổng kết công tác CCHC (review report)."""
    from cchc.core.periods import Period
    from cchc.io.reference import unit_kinds
    from cchc.reports.review import ReviewInputs, build_review, write_report
    from cchc.reports.sections_services import KIND as SERVICES_KIND

    try:
        chosen = Period.parse(period)
    except ValueError as error:
        fail([f"--period: {error}"])
    year, half = chosen.year, chosen.half
    if template is not None and not template.exists():
        fail([f"--template: {template}: file not found"])
    indices = (_national(national, "PAR INDEX", "par-index-876-provincial", "Chỉ số CCHC")
               + _national(sipas, "SIPAS", None, "Chỉ số SIPAS") + _national(papi, "PAPI", None, "Chỉ số PAPI"))
    extra = _survey_section(survey, instrument, chosen.words_vi()) if survey else []
    if dossiers:
        from cchc.reports.sections_services import services_section

        if not dossiers.exists():
            fail([f"--dossiers: {dossiers}: no such store"])
        try:
            extra.append(services_section(dossiers, year, half))
        except (ValueError, FileNotFoundError) as error:
            fail([f"--dossiers: {error}"])
    internal = _internal(framework, assessment, previous, year)
    if from_db:
        from cchc.cli.web import setup_django

        setup_django(migrate=True)  # an empty data directory is a database without results, not an error
        from cchc.web.reports.sources import (
            internal_indices,
            steering_sections,
            survey_and_service_sections,
        )

        internal += internal_indices(year)
        # --dossiers gave the service-delivery section already: the web's store does not add a second one
        stored = [s for s in survey_and_service_sections(year, half) if not (dossiers and s.kind == SERVICES_KIND)]
        extra += stored + steering_sections(year, half)
    inputs = ReviewInputs(province=province, year=year, half=half, national=indices,
                          internal=internal, kinds=unit_kinds(),
                          extra_sections=extra, signer_name=signer, date=dt.date.today())
    report = build_review(inputs)
    stem = f"bao-cao-cchc-{chosen.label}"
    _finish(write_report(report, out, stem, template=template, pdf=pdf), out)


@app.command("decision")
def decision(
    province: str = typer.Option(..., help="province name"),
    out: Path = typer.Option(..., help="output directory"),
    cycle: int | None = typer.Option(None, help="a published cycle of the web app (its id)"),
    year: int | None = typer.Option(None, help="year of the results (with --framework/--assessment)"),
    framework: str | None = typer.Option(None, help="internal framework (id or YAML)"),
    assessment: Path | None = typer.Option(None, help="assessment file of the year"),
    template: Path | None = typer.Option(None, help="DOCX template"),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf"),
) -> None:
    """Phụ lục kèm Quyết định phê duyệt và công bố Chỉ số CCHC (results-decision annex)."""
    from cchc.reports.review import build_decision_annex, write_report

    if cycle is not None:
        from cchc.cli.web import setup_django

        setup_django(migrate=True)
        from cchc.web.assessments.models import Cycle
        from cchc.web.reports.sources import cycle_index

        found = Cycle.objects.filter(pk=cycle).first()
        if found is None:
            fail([f"--cycle: no cycle {cycle}"])
        try:
            internal = [cycle_index(found)]
        except ValueError as error:
            fail([f"--cycle: {error}"])
    else:
        if year is None or framework is None or assessment is None:
            fail(["give --cycle ID, or --year, --framework and --assessment"])
        internal = _internal(framework, assessment, None, year)
    report = build_decision_annex(internal, province, dt.date.today())
    stem = f"phu-luc-chi-so-cchc-{internal[0].year}"
    _finish(write_report(report, out, stem, template=template, pdf=pdf, charts=False), out)


@app.command("template")
def template(out: Path = typer.Option(..., help="where to write the default DOCX template")) -> None:
    """Write the default DOCX template, to restyle in Word (placeholders: docs/formats/report-template.md)."""
    from cchc.reports.docx_render import default_template

    out.write_bytes(default_template())
    typer.echo(f"DOCX  {out}")
