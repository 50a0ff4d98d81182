"""Today's date for steering (deadlines, overdue tasks, reminders): one place that tests can set."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()
