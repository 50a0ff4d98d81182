"""E-mail upcoming-deadline and overdue task reminders to each lead unit. Cron-friendly and idempotent per day:
every reminder has a key (kind:task:date) stored once sent, so running it twice sends nothing new.

    python -m cchc.web send_reminders [--date 2026-07-01] [--days-before 7] [--dry-run]
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from cchc.web.steering import services


class Command(BaseCommand):
    help = "Gửi thư nhắc nhiệm vụ CCHC sắp đến hạn và quá hạn (mỗi nhắc việc một lần)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None, help="as-of date (default today)")
        parser.add_argument("--days-before", type=int, default=7)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, date=None, days_before=7, dry_run=False, **options):
        out = services.send_reminders(date, days_before, dry_run)
        self.stdout.write(f"due {out['due']} · sent {out['sent']} · no e-mail address {out['no_address']} · failed {out['failed']}"
                          + (" (dry run)" if dry_run else ""))
