"""Reminders: which e-mails to send today, each with a key so sending twice on the same day sends once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cchc.steering.tasks import OPEN_STATES, TaskFacts, is_overdue


@dataclass(frozen=True)
class Reminder:
    kind: str  # "upcoming" or "overdue"
    unit: str
    task_id: int | str
    title: str
    deadline: dt.date
    key: str  # idempotency key: kind:task:date


def reminders_due(tasks: Iterable[TaskFacts], today: dt.date, days_before: int = 7) -> list[Reminder]:
    """Upcoming (deadline within ``days_before`` days, sent once per task) and overdue (sent once a day)."""
    out = []
    for t in tasks:
        if t.deadline is None or t.state not in OPEN_STATES:
            continue
        if is_overdue(t, today):
            out.append(Reminder("overdue", t.lead_unit, t.id, t.title, t.deadline, f"overdue:{t.id}:{today.isoformat()}"))
        elif (t.deadline - today).days <= days_before:
            out.append(Reminder("upcoming", t.lead_unit, t.id, t.title, t.deadline, f"upcoming:{t.id}:{t.deadline.isoformat()}"))
    return sorted(out, key=lambda r: (r.unit, r.deadline, str(r.task_id)))


def unsent(reminders: Iterable[Reminder], sent_keys: set[str]) -> list[Reminder]:
    return [r for r in reminders if r.key not in sent_keys]
