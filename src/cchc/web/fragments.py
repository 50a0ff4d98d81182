"""Rendered page fragments shared between requests and between people (issue 3: the results page, a unit's
result page and the assessment sheet under load).

A fragment is the HTML of a page's main content, rendered once and stored in the ``fragments`` cache under a
key made of *everything the HTML was rendered from*: the identity of a published snapshot (immutable), or a
digest of a participation's stored rows; the cycle, unit and participation rows as loaded; what the viewer
may do there; the query-string choices; the active language and time zone. When data changes, the key
changes, so an old fragment is never served and nothing has to be invalidated (old entries age out of the
cache). The page around the fragment (user name, messages, the language form, CSRF tokens) is rendered per
request as before; the main menu is a fragment of its own, keyed by the menu rights (``cchc_tags.main_nav``).

Shared fragments are rendered without the request: no ``user``, ``request``, ``messages`` or roles in their
context, so nothing about the person can end up in HTML that others get. A ``{% csrf_token %}`` in a shared
fragment renders a fixed slot that :func:`personal` replaces with the requesting person's token.
"""

from __future__ import annotations

import hashlib

from django.core.cache import caches
from django.db import connections, router
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

CACHE = "fragments"
# Part of every key: bump when a fragment template changes meaning and the cache outlives a deployment
# (a shared cache server; the default per-process memory cache starts empty with every new process).
VERSION = 1
TIMEOUT = 24 * 3600

CSRF_SLOT = "cchc-csrf-slot"
# What ``{% csrf_token %}`` renders for the slot. It starts with "<", which autoescaping turns into "&lt;" in
# anything a person typed, so only the template can produce it.
_SLOT_HTML = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_SLOT}">'


def key(kind: str, *parts) -> str:
    """The cache key of a fragment of ``kind`` rendered from ``parts`` (plain values: strings, numbers,
    dates, tuples) in the active language and time zone, for links under the active URL prefix."""
    material = repr((VERSION, kind, get_language() or "", timezone.get_current_timezone_name(), get_script_prefix(),
                     parts))
    return f"cchc:{kind}:{hashlib.sha256(material.encode('utf-8')).hexdigest()}"


def digest(value) -> str:
    """A short stable digest of plain data (rows as tuples), for keys that must cover many rows."""
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


def row(obj) -> tuple:
    """Every concrete column of a loaded model instance, as a tuple (deferred columns are skipped, never
    loaded)."""
    deferred = obj.get_deferred_fields()
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in deferred)


class FixedQuery:
    """A query of ``model`` that differs only in one parameter (``make(value)`` builds it), compiled by the ORM
    once per process and database, its rows read straight from the driver's cursor: no query building and no
    per-row work by Django on every request. Only for columns Django does not convert (numbers, text, foreign
    keys; see :func:`plain_columns`), so the rows equal what ``values_list`` would give."""

    def __init__(self, model, make):
        self.model = model
        self.make = make
        self._sql: dict[str, str] = {}

    def rows(self, value) -> tuple[tuple, ...]:
        using = router.db_for_read(self.model)
        sql = self._sql.get(using)
        if sql is None:
            sql, params = self.make(0).query.get_compiler(using).as_sql()
            if list(params) != [0]:
                raise ValueError(f"not a one-parameter query: {params!r}")
            self._sql[using] = sql
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [value])
            return tuple(map(tuple, cursor.fetchall()))


PLAIN_TYPES = frozenset({"AutoField", "BigAutoField", "ForeignKey", "IntegerField", "PositiveIntegerField",
                         "PositiveBigIntegerField", "BigIntegerField", "FloatField", "CharField", "TextField"})


def plain_columns(model, *skip: str) -> tuple[str, ...]:
    """Every concrete column of ``model`` but ``skip``, for :class:`FixedQuery`. A column of another type (a
    date, a boolean, JSON) is refused loudly, so that a column added to the model is never silently left out of
    a key."""
    fields = [f for f in model._meta.concrete_fields if f.name not in skip]
    other = [f.name for f in fields if f.get_internal_type() not in PLAIN_TYPES]
    if other:
        raise TypeError(f"{model.__name__}: columns {other} need conversion by Django; key them another way "
                        "or skip them")
    return tuple(f.attname for f in fields)


def get(k: str) -> str | None:
    return caches[CACHE].get(k)


def put(k: str, html: str) -> None:
    caches[CACHE].set(k, str(html), TIMEOUT)


def render_shared(template_name: str, context: dict) -> str:
    """Render a fragment that may be served to other people: without the request (so without the user,
    session, messages or context processors), CSRF tokens as slots."""
    return render_to_string(template_name, {**context, "csrf_token": CSRF_SLOT})


def personal(html: str, request) -> SafeString:
    """The fragment for this request: its CSRF slots filled with the person's token."""
    if _SLOT_HTML in html:
        html = html.replace(_SLOT_HTML, format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
                                                    get_token(request)))
    return mark_safe(html)  # rendered by our templates, autoescaped


def viewer(grants) -> tuple:
    """A person's roles as a key part: everything :mod:`cchc.web.accounts.policy` decides from."""
    return (tuple(sorted(grants.roles)), tuple(sorted(grants.focal_units)), tuple(sorted(grants.appraiser_units)),
            tuple(sorted(grants.appraiser_fields)), grants.superuser)
