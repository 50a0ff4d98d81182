"""The report page (issue 7): the review report and the results-decision annex from published cycles."""
