"""Shared helpers of the command line: error exits and JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

import typer


def fail(problems: Iterable[str], title: str = "Lỗi dữ liệu đầu vào / input errors") -> NoReturn:
    """Print every problem on stderr and exit with code 2 (bad input)."""
    lines = list(problems)
    typer.echo(f"{title} ({len(lines)}):", err=True)
    for line in lines:
        typer.echo(f"  {line}", err=True)
    raise typer.Exit(code=2)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
