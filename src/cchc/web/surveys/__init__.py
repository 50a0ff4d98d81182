"""Survey pages (issue 4, web face): import a responses file against a shipped instrument, see the problem
report or the results per unit with confidence bars and the importance–performance chart, and apply the
units' survey indices to the survey leaves of a cycle.

Numbers come only from :func:`cchc.surveys.indices.compute` (stored as JSON with the import); the pages
display them and add nothing. Permissions are asked of :mod:`cchc.web.accounts.policy`.
"""
