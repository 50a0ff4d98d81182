"""File formats of the command line: tabular readers with located errors, assessments, result tables,
reference data. This is the I/O shell around :mod:`cchc.core`."""
