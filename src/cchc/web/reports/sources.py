"""From the web app's published cycles to the report builders' plain inputs (no formula here: the results
are recomputed by the core from each snapshot's stored inputs, exactly as the results pages do)."""

from __future__ import annotations

from cchc.core.periods import Period
from cchc.reports.sections import InternalIndex
from cchc.reports.sections_services import services_section
from cchc.reports.sections_steering import next_tasks_section, rewards_section, tasks_section
from cchc.reports.sections_surveys import survey_section
from cchc.surveys.registry import load_instrument
from cchc.web.assessments.models import Cycle
from cchc.web.assessments.scoring import score
from cchc.web.dossiers.services import has_data, store_root
from cchc.web.results.services import previous_result, published_snapshot
from cchc.web.steering import services
from cchc.web.surveys.models import SurveyImport


def published_index(cycle) -> InternalIndex | None:
    """A cycle as the report's internal index: its published snapshot's stored inputs scored by the core under
    the snapshot's framework version, with the previous published cycle for changes; None when not published."""

    snap = published_snapshot(cycle, with_inputs=True)
    if snap is None:
        return None
    fw = snap.framework_record().framework
    return InternalIndex(fw, score(fw, snap.inputs), cycle.year, previous_result(cycle))


def internal_indices(year: int) -> list[InternalIndex]:
    """Every published cycle of ``year``, with the previous published cycle for changes."""

    cycles = Cycle.objects.filter(year=year, state="published").order_by("pk")
    return [index for index in map(published_index, cycles) if index is not None]


def cycle_index(cycle) -> InternalIndex:
    """One published cycle (the results-decision annex); a cycle without a published snapshot is refused."""

    index = published_index(cycle)
    if index is None:
        raise ValueError(f"cycle {cycle.pk} ({cycle}) is not published")
    return index


def steering_sections(year: int, half: str | None, today=None) -> list:
    """Sections 5–7 from the steering app: tasks and targets, reward proposals, next-period tasks."""

    period = Period(year, half)
    today = today or services.today()
    as_of = min(today, period.bounds()[1])
    sections = [tasks_section(services.task_figure_rows(period.label, on=as_of), services.overdue_rows(as_of),
                              services.target_rows(as_of), period.words_vi())]
    reward_rows = []
    for cycle in Cycle.objects.filter(year=year, state="published").order_by("pk"):
        reward_rows.extend(services.reward_rows(cycle))
    sections.append(rewards_section(reward_rows, year))
    sections.append(next_tasks_section(services.next_period_tasks(as_of), open_count=services.open_task_count()))
    return sections


def survey_and_service_sections(year: int, half: str | None) -> list:
    """Section 3 from the latest survey import of the year (per instrument) and section 4 from the dossier
    store, when the web app holds them; absent ones are reported as absent by the review builder."""

    sections = []
    latest = {}
    for imp in SurveyImport.objects.filter(year=year, status=SurveyImport.Status.IMPORTED).exclude(result=None).order_by("uploaded_at"):
        latest[imp.instrument] = imp
    for instrument, imp in sorted(latest.items()):
        try:
            title = load_instrument(instrument).title_vi
        except (ValueError, FileNotFoundError):
            title = instrument
        sections.append(survey_section(imp.result, title, Period(year, half).words_vi()))
    if has_data():
        sections.append(services_section(store_root(), year, half))
    return sections
