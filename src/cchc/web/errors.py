"""The refusals of the web application: one exception type per kind, each mapped to its HTTP status here, once.

Services raise them; pages and the API do not translate them one by one. :class:`RefusalMiddleware` turns a
refusal that reaches Django into the 403 or 404 page, and :func:`cchc.web.api.errors.api_exception_handler` turns one that reaches
DRF into ``{"detail": …}`` (``{"errors": {field: message}}`` for :class:`Invalid`) with the status of
:data:`API_STATUS`. A page that shows a refusal in place (a form re-rendered with the message, htmx swapping a
409 or 422 fragment) catches it and answers with :data:`PAGE_STATUS`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404


class Refused(Exception):
    """A request refused, with a message for the person (in their language)."""


class NotAllowed(Refused, PermissionError):
    """The policy does not allow this person to do this."""


class NotFound(Refused, LookupError):
    """What the request names does not exist (or is not part of this cycle, unit, framework)."""


class Conflict(Refused):
    """Someone else changed it after the person loaded it; nothing was written."""


class Invalid(Refused, ValueError):
    """Input refused; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class Unacceptable(Refused, ValueError):
    """A file refused before anything is stored (size, type, content)."""


PAGE_STATUS: dict[type[Refused], int] = {NotAllowed: 403, NotFound: 404, Conflict: 409, Invalid: 422,
                                         Unacceptable: 422, Refused: 400}
# The API answers field errors with 400 (its published schema); everything else as the pages.
API_STATUS: dict[type[Refused], int] = PAGE_STATUS | {Invalid: 400}


def status_of(exc: Refused, table: dict[type[Refused], int] = PAGE_STATUS) -> int:
    """The status of a refusal: its own class's, else its nearest listed base's."""
    return next(table[k] for k in type(exc).__mro__ if k in table)


class RefusalMiddleware:
    """A refusal that no view caught: the 403 or 404 page (as ``PermissionDenied`` and ``Http404`` give)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, NotAllowed):
            return response_for_exception(request, PermissionDenied(str(exc)))
        if isinstance(exc, NotFound):
            return response_for_exception(request, Http404(str(exc)))
        return None

