"""Half-year review figures: per unit and per plan, tasks due in the period, done on time, done late, overdue,
cancelled, completion rate, and the overdue list — plain rows the review report embeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cchc.core.periods import Period
from cchc.steering.tasks import OPEN_STATES, TaskFacts, TaskState, done_on_time, is_overdue


@dataclass(frozen=True)
class TaskFigures:
    key: str
    due: int
    done_on_time: int
    done_late: int
    overdue: int
    cancelled: int
    open_not_due: int

    @property
    def completion_rate(self) -> float | None:
        """Done (on time or late) ÷ due tasks that were not cancelled, in percent."""
        base = self.due - self.cancelled
        return None if base <= 0 else 100.0 * (self.done_on_time + self.done_late) / base


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """'2024' → 1 Jan–31 Dec; '2024-H1' → 1 Jan–30 Jun; '2024-H2' → 1 Jul–31 Dec (:class:`cchc.core.periods.Period`).
    ValueError for anything else.

    >>> period_bounds("2024-H1")
    (datetime.date(2024, 1, 1), datetime.date(2024, 6, 30))
    """
    return Period.parse(period).bounds()


def task_figures(tasks: Iterable[TaskFacts], period: str, today: dt.date,
                 key: Callable[[TaskFacts], str] = lambda t: t.lead_unit) -> list[TaskFigures]:
    """Figures per key (lead unit by default; ``lambda t: t.plan`` per plan) for tasks due in the period.

    Overdue is :func:`cchc.steering.tasks.is_overdue` (past the deadline: deadline < day), judged on ``today``
    while the period runs and on the day after its end once it is over: a half-year review counts what was past
    its deadline when the period ended, and on any day it agrees with the task list and the overdue list."""
    start, end = period_bounds(period)
    as_of = min(today, end + dt.timedelta(days=1))
    groups: dict[str, list[TaskFacts]] = {}
    for task in tasks:
        if task.deadline is None or not (start <= task.deadline <= end):
            continue
        groups.setdefault(key(task) or "—", []).append(task)
    out = []
    for name in sorted(groups):
        items = groups[name]
        out.append(TaskFigures(
            key=name,
            due=len(items),
            done_on_time=sum(1 for t in items if done_on_time(t) is True),
            done_late=sum(1 for t in items if done_on_time(t) is False),
            overdue=sum(1 for t in items if is_overdue(t, as_of)),
            cancelled=sum(1 for t in items if t.state == TaskState.CANCELLED),
            open_not_due=sum(1 for t in items if t.state in OPEN_STATES
                             and not is_overdue(t, as_of)),
        ))
    return out


def overdue_list(tasks: Iterable[TaskFacts], today: dt.date) -> list[TaskFacts]:
    return sorted((t for t in tasks if is_overdue(t, today)), key=lambda t: (t.deadline or dt.date.max, t.lead_unit, t.title))


def next_period(tasks: Iterable[TaskFacts], start: dt.date, months: int = 6) -> list[TaskFacts]:
    """Open tasks (not started, in progress — overdue ones included) due before ``start`` + ``months`` months
    (from 1 July: up to 31 December): the "next six months" section of a review, by deadline.

    >>> t = TaskFacts(1, "A", "X", dt.date(2026, 12, 31), TaskState.NOT_STARTED)
    >>> [x.id for x in next_period([t], dt.date(2026, 7, 1))]
    [1]
    """
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    import calendar

    end = dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    keep = [t for t in tasks if t.state in (TaskState.NOT_STARTED, TaskState.IN_PROGRESS)
            and t.deadline is not None and t.deadline < end]
    return sorted(keep, key=lambda t: (t.deadline, t.lead_unit, str(t.id)))
