"""From the web app's published cycles to the report builders' plain inputs (no formula here: the results
are recomputed by the core from each snapshot's stored inputs, exactly as the results pages do)."""

from __future__ import annotations

from cchc.reports.sections import InternalIndex


def internal_indices(year: int) -> list[InternalIndex]:
    """Every published cycle of ``year``, with the previous published cycle for changes."""
    from cchc.web.assessments.models import Cycle, FrameworkRecord
    from cchc.web.engine import previous_result, published_snapshot, score

    out = []
    for cycle in Cycle.objects.filter(year=year, state="published").order_by("pk"):
        snap = published_snapshot(cycle, with_inputs=True)
        if snap is None:
            continue
        record = FrameworkRecord.objects.get(framework_id=snap.framework_id, version=snap.framework_version)
        fw = record.framework
        out.append(InternalIndex(fw, score(fw, snap.inputs), year, previous_result(cycle)))
    return out


def cycle_index(cycle) -> InternalIndex:
    from cchc.web.assessments.models import FrameworkRecord
    from cchc.web.engine import previous_result, published_snapshot, score

    snap = published_snapshot(cycle, with_inputs=True)
    if snap is None:
        raise ValueError(f"cycle {cycle.pk} ({cycle}) is not published")
    record = FrameworkRecord.objects.get(framework_id=snap.framework_id, version=snap.framework_version)
    return InternalIndex(record.framework, score(record.framework, snap.inputs), cycle.year, previous_result(cycle))
