"""cchc.web — the Django web application: persistence, workflow, roles, audit, API and pages.

The index arithmetic lives in :mod:`cchc.core`; this package stores inputs, calls the core and keeps
immutable result snapshots.
"""
