"""``python -m cchc.web <command>``: Django's manage.py for cchc (migrate, createsuperuser, shell, …)."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.web.settings")

    execute_from_command_line(["cchc.web", *sys.argv[1:]])


if __name__ == "__main__":
    main()
