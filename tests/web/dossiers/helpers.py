"""What the dossier page tests share: a dossier file with one problem of each kind, and flattening JSON for
comparison."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from cchc.services.synth import SynthSpec, write_synth


def bad_csv(tmp_path) -> tuple[Path, Path]:
    out = tmp_path / "records.csv"
    spec = SynthSpec(rows=40, units=2, procedures=5, seed=9, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
    info = write_synth(spec, out)
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    rows[4]["status"] = "12"  # row 5: unknown status code
    rows.append(dict(rows[1]))  # row 41: duplicated dossier id
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return out, Path(info["catalogue"])


def flat(x, path=""):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from flat(v, f"{path}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from flat(v, f"{path}[{i}]")
    else:
        yield path, x


SPEC = SynthSpec(rows=2500, units=3, procedures=10, seed=5, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))


UNITS = {"U0001": "Phường Một", "U0002": "Xã Hai", "U0003": "Xã Ba", "D001": "Thị xã Mẫu"}
