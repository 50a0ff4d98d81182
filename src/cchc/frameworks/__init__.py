"""Shipped frameworks (YAML) and the loader that validates a framework file.

``load_framework("example-department")`` loads a shipped framework by id; ``load_framework(path)`` loads a
province's own file. Every problem is reported with the file name and the node path.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from cchc.core.framework import Framework, FrameworkError, parse_framework

_PACKAGE = "cchc.frameworks"


def _shipped_paths() -> dict[str, Path]:
    root = resources.files(_PACKAGE)
    out = {}
    for entry in root.iterdir():
        if entry.name.endswith((".yaml", ".yml")):
            out[entry.name.rsplit(".", 1)[0]] = Path(str(entry))
    return out


def shipped_ids() -> list[str]:
    """Ids of the frameworks shipped with cchc, sorted."""
    return sorted(_shipped_paths())


def read_framework_file(path: str | Path) -> Framework:
    """Parse and validate one YAML framework file; raise :class:`FrameworkError` naming the file."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkError([f"{source}: file not found"]) from None
    except UnicodeDecodeError as error:
        raise FrameworkError([f"{source}: not UTF-8 text ({error.reason} at byte {error.start})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise FrameworkError([f"{source}: {where}YAML syntax error: {problem}"]) from None
    return parse_framework(data, source)


@cache
def _load_shipped(framework_id: str) -> Framework:
    return read_framework_file(_shipped_paths()[framework_id])


def load_framework(id_or_path: str | Path) -> Framework:
    """A shipped framework by id, or a framework file by path."""
    key = str(id_or_path)
    if key in _shipped_paths():
        return _load_shipped(key)
    path = Path(key)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return read_framework_file(path)
    raise FrameworkError(
        [f"{key}: not a file and not a shipped framework id (shipped: {', '.join(shipped_ids())})"]
    )


def shipped_frameworks() -> list[Framework]:
    """Every shipped framework, validated."""
    return [_load_shipped(i) for i in shipped_ids()]


def data_path(name: str) -> Path:
    """Path of a reference data file shipped in ``cchc/frameworks/data`` (regions, 2025 lineage)."""
    return Path(str(resources.files(_PACKAGE).joinpath("data", name)))
