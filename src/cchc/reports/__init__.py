"""Reports: the half-year / annual review (báo cáo sơ kết, tổng kết), the results-decision annex, their XLSX
workbook, charts and PDF.

Sections are built from the core's results as plain blocks (:mod:`cchc.reports.blocks`), then rendered to DOCX
(:mod:`cchc.reports.docx_render`, on a replaceable docxtpl template), XLSX (:mod:`cchc.reports.xlsx_render`)
and PNG/SVG charts (:mod:`cchc.reports.charts`). The web page and the CLI call the same builders.
"""
