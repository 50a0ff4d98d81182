"""The functional core: framework model, scoring, ranking, comparison, lineage, diagnostics, narrative.

Pure Python and numpy. No Django, no files, no database: callers pass plain data in and get plain data back.
"""
