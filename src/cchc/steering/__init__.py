"""Steering work (issue 6): tasks and their states, remedial proposals from lost points, targets and their
attainment, reward eligibility rules, reminders and half-year figures. Pure Python: the web app persists and
shows; this package decides."""
