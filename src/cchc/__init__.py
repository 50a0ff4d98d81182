"""cchc: administrative reform (cải cách hành chính) scoring, benchmarking and monitoring."""

__version__ = "0.1.0"
