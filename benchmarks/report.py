"""Benchmark: the full annual review report (DOCX + XLSX + charts) for 150 units, PDF excluded.

Baseline: the same document written with the straightforward python-docx idiom ``table.cell(i, j).text = …``
(which re-reads the table grid on every call). Ours: :func:`cchc.reports.review.write_report` (rows appended
once, cells taken row by row). Same data, one run; prints both times and the ratio. Target: ours under 5 s.

    .venv/bin/python benchmarks/report.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from cchc.core.scoring import score_cycle
from cchc.frameworks import load_framework
from cchc.frameworks.synth import synthetic_assessments
from cchc.io.reference import unit_kinds
from cchc.io.results import read_results
from cchc.reports.blocks import Table
from cchc.reports.review import ReviewInputs, build_review, write_report
from cchc.reports.sections import InternalIndex, NationalIndex

ROOT = Path(__file__).parents[1]


def inputs() -> ReviewInputs:
    dept, commune = load_framework("example-department"), load_framework("example-commune")
    depts = [(f"S{i:02d}", f"Sở số {i}", "department") for i in range(1, 41)]
    communes = [(f"X{i:03d}", f"Xã số {i}", "commune" if i % 5 else "ward") for i in range(1, 111)]
    internal = []
    for fw, units in ((dept, depts), (commune, communes)):
        now = score_cycle(fw, synthetic_assessments(fw, units, seed=2025))
        before = score_cycle(fw, synthetic_assessments(fw, units, seed=2024))
        internal.append(InternalIndex(fw, now, 2025, before))
    national = read_results([ROOT / "examples" / "par_index_national_2022_2023.csv"])
    return ReviewInputs(province="Kon Tum", year=2023, national=[NationalIndex("PAR INDEX", national, load_framework("par-index-876-provincial"))],
                        internal=internal, kinds=unit_kinds())


def baseline(report, out: Path) -> None:
    """Straightforward python-docx: one table per block, every cell through table.cell(i, j)."""
    from docx import Document

    doc = Document()
    for section in report.sections:
        doc.add_heading(section.title, level=1)
        for block in section.blocks:
            if isinstance(block, Table):
                table = doc.add_table(rows=len(block.rows) + 1, cols=len(block.header))
                for j, head in enumerate(block.header):
                    table.cell(0, j).text = head
                for i, row in enumerate(block.rows, start=1):
                    for j, value in enumerate(row):
                        table.cell(i, j).text = "" if value is None else str(value)
            elif hasattr(block, "text"):
                doc.add_paragraph(block.text)
    doc.save(out / "baseline.docx")


def main() -> None:
    data = inputs()
    n_units = sum(len(i.cycle.units) for i in data.internal)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        report = build_review(data)
        write_report(report, out / "ours", "bao-cao", pdf=False, charts=False)
        t_docs = time.perf_counter() - t0
        t0 = time.perf_counter()
        write_report(report, out / "ours-charts", "bao-cao", pdf=False, charts=True)
        t_full = time.perf_counter() - t0
        t0 = time.perf_counter()
        baseline(report, out)
        t_base = time.perf_counter() - t0
    cells = sum(len(t.rows) * len(t.header) for t in report.tables())
    print(f"annual review report, {n_units} units, {len(report.tables())} tables ({cells:,} cells), {len(report.charts())} charts")
    print(f"baseline (python-docx table.cell(i, j), tables only, no styling): {t_base:.2f} s")
    print(f"cchc DOCX + XLSX (build + write, no charts):                   {t_docs:.2f} s")
    print(f"cchc DOCX + XLSX + PNG/SVG charts (PDF excluded):              {t_full:.2f} s")
    print(f"ratio (baseline / cchc tables only): {t_base / t_docs:.1f}×")


if __name__ == "__main__":
    main()
