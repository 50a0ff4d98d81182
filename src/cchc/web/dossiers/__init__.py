"""Service-delivery pages (issue 5): the Decision 766 indicators from the one-stop-shop dossier store.

The pages read the Parquet store that ``cchc dossiers import`` writes (setting ``CCHC_DOSSIER_STORE``); numbers
come only from :mod:`cchc.services.indicators` (nothing is copied into Django tables, nothing is recomputed
here). Computed results are cached in-process per (store state, period …): the store changes only on import.
"""
