"""Service delivery from one-stop-shop dossier records (Decision 766/QĐ-TTg indicators).

- :mod:`cchc.services.schema`: dossier and catalogue columns with the portal's Vietnamese aliases
- :mod:`cchc.services.calendar`: working-day calendar (``holidays`` + yearly overrides)
- :mod:`cchc.services.importer`: import CSV / Parquet / JSON Lines with per-row validation into a Parquet store
- :mod:`cchc.services.rules`: the named on-time rules (due date, supplements, open at period end …)
- :mod:`cchc.services.indicators`: indicator sets as YAML, computed with Ibis (DuckDB by default)
- :mod:`cchc.services.synth`: deterministic synthetic dossiers for demos and benchmarks
"""
