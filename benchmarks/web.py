"""Benchmark: the web application under 20 concurrent clients for 60 s on a large province
(150 units × 150 leaves × 5 years): results page, a unit profile, a self-assessment page.

Baseline: Django's threaded development server (what ``cchc serve`` runs). Ours in production: gunicorn with
``--workers`` sync worker processes (docs/production.md; ``--threads N`` for gthread workers). Same seeded database, one run; prints p50, p95 and
requests/s per page for both and the p95 ratio. SQLite by default; with ``DATABASE_URL`` set, PostgreSQL.

    .venv/bin/python benchmarks/web.py [--seconds 60] [--workers 8] [--threads 1] [--think 0]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def run(args: list[str], env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, str(Path(__file__).with_name("web_load.py")), *args], env=env, capture_output=True, text=True, check=True)
    print(out.stdout, end="")
    return out.stdout


def p95s(text: str) -> dict[str, float]:
    return {m[1].strip(): float(m[2]) for m in re.finditer(r"^(.{16}) p50 +[\d.]+ ms +p95 +([\d.]+) ms", text, re.M)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--think", type=float, default=0.0, help="mean seconds between a client's requests (0: saturation)")
    a = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("CCHC_DATA_DIR", tempfile.mkdtemp(prefix="cchc-bench-web-"))
    common = ["--units", "150", "--leaves", "150", "--years", "5", "--clients", str(a.clients), "--seconds", str(a.seconds),
              "--think", str(a.think)]
    base = p95s(run(common + ["--port", "8801"], env))
    ours = p95s(run(common + ["--port", "8802", "--gunicorn", str(a.workers), "--threads", str(a.threads)], env))
    for page in base:
        if page in ours and ours[page]:
            print(f"{page:16s} p95 dev server / gunicorn: {base[page] / ours[page]:.1f}×")


if __name__ == "__main__":
    main()
