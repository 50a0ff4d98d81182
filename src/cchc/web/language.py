"""The language the page is being made in: Vietnamese first, English when the person chose it."""

from django.utils.translation import get_language


def in_english() -> bool:
    """Whether the current request (or job) speaks English; Vietnamese otherwise, also when none is active."""
    return (get_language() or "vi").startswith("en")
