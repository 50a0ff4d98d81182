"""Task states: ``not_started → in_progress → done``, ``cancelled`` (with a reason), and the derived ``overdue``.

A transition is allowed or refused here, with the reason a person would read; the web app records who, when,
old, new and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class TaskState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


LABELS_VI = {
    "not_started": "Chưa thực hiện",
    "in_progress": "Đang thực hiện",
    "done": "Hoàn thành",
    "cancelled": "Hủy",
    "overdue": "Quá hạn",
}

# (from, to) → what the transition needs
TRANSITIONS: dict[tuple[TaskState, TaskState], str] = {
    (TaskState.NOT_STARTED, TaskState.IN_PROGRESS): "",
    (TaskState.NOT_STARTED, TaskState.DONE): "completion",
    (TaskState.IN_PROGRESS, TaskState.DONE): "completion",
    (TaskState.NOT_STARTED, TaskState.CANCELLED): "reason",
    (TaskState.IN_PROGRESS, TaskState.CANCELLED): "reason",
    (TaskState.DONE, TaskState.IN_PROGRESS): "reason",  # reopened: the evidence did not hold
    (TaskState.CANCELLED, TaskState.NOT_STARTED): "reason",  # restored
}


class TransitionError(ValueError):
    pass


@dataclass(frozen=True)
class TaskFacts:
    """What the rules need to know about a task."""

    id: int | str
    title: str
    lead_unit: str
    deadline: dt.date | None
    state: TaskState
    completed_on: dt.date | None = None
    plan: str | None = None
    criterion: str | None = None


def check_transition(current: TaskState, new: TaskState, *, reason: str = "", completion_note: str = "",
                     evidence_count: int = 0) -> None:
    """Raise :class:`TransitionError` unless ``current → new`` is allowed with what is given."""
    if current == new:
        raise TransitionError(f"the task is already '{LABELS_VI[new]}'")
    need = TRANSITIONS.get((TaskState(current), TaskState(new)))
    if need is None:
        raise TransitionError(f"a task cannot go from '{LABELS_VI[current]}' to '{LABELS_VI[new]}'")
    if need == "reason" and not reason.strip():
        raise TransitionError(f"going from '{LABELS_VI[current]}' to '{LABELS_VI[new]}' needs a reason")
    if need == "completion" and not completion_note.strip():
        raise TransitionError("a task is marked done with a completion note (what was delivered)")
    if need == "completion" and evidence_count == 0:
        raise TransitionError("a task is marked done with at least one evidence document")


OPEN_STATES = (TaskState.NOT_STARTED, TaskState.IN_PROGRESS)


def past_deadline(deadline: dt.date | None, today: dt.date) -> bool:
    """The one overdue rule: a deadline is past when it is before ``today`` (on the deadline day a task is
    still in time). The task list, the overdue list, the reminders and the half-year figures all use it.

    >>> past_deadline(dt.date(2024, 6, 30), dt.date(2024, 6, 30)), past_deadline(dt.date(2024, 6, 30), dt.date(2024, 7, 1))
    (False, True)
    """
    return deadline is not None and deadline < today


def is_overdue(task: TaskFacts, today: dt.date) -> bool:
    """Open (not started or in progress) and past its deadline (:func:`past_deadline`)."""
    return task.state in OPEN_STATES and past_deadline(task.deadline, today)


def display_state(task: TaskFacts, today: dt.date) -> str:
    """The state a person sees: ``overdue`` when :func:`is_overdue`, else the stored state."""
    return "overdue" if is_overdue(task, today) else str(task.state)


def done_on_time(task: TaskFacts) -> bool | None:
    """True/False for a done task with a deadline; None otherwise."""
    if task.state != TaskState.DONE or task.deadline is None or task.completed_on is None:
        return None
    return task.completed_on <= task.deadline
