"""Satisfaction and sociological surveys (khảo sát sự hài lòng, điều tra xã hội học).

- :mod:`cchc.surveys.model` — instruments as validated YAML data (aspects → elements → questions).
- :mod:`cchc.surveys.registry` — the shipped instruments and loading by id or path.
- :mod:`cchc.surveys.template` — the data-entry workbook.
- :mod:`cchc.surveys.importer` — responses from the workbook, CSV/XLSX or KoBoToolbox/ODK exports, validated.
- :mod:`cchc.surveys.indices` — shares, means, composites, confidence intervals, drivers, points.
"""
