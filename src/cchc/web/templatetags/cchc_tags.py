"""Template filters: locale-aware numbers (Vietnamese decimal comma), signed deltas, dictionary look-up; the
main menu (cached)."""

from django import template
from django.utils.safestring import mark_safe

from cchc.core.numbers import format_number_en, format_number_vi
from cchc.web import fragments
from cchc.web.language import in_english
from cchc.web.org.models import UnitType

register = template.Library()


@register.filter
def num(value, decimals=2):
    """``86,14`` in Vietnamese, ``86.14`` in English; ``—`` for missing values."""
    if value is None or value == "":
        return "—"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return value
    if value != value:
        return "—"
    fmt = format_number_en if in_english() else format_number_vi
    return fmt(value, int(decimals))


@register.filter
def pts(value):
    """Points without trailing zeros: ``0,5``, ``2``."""
    if value is None or value == "":
        return "—"
    text = f"{float(value):g}"
    return text.replace(".", ",") if not in_english() else text


@register.filter
def signed(value, decimals=2):
    if value is None or value == "":
        return "—"
    value = float(value)
    text = num(abs(value), decimals) if decimals != "0" else f"{abs(int(value))}"
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text


@register.filter
def local_name(thing):
    """A framework node's (or a dict's) name in the page's language: ``name_en`` on English pages when the
    framework gives one, else ``name_vi``."""
    get = thing.get if isinstance(thing, dict) else (lambda k: getattr(thing, k, None))
    if in_english() and get("name_en"):
        return get("name_en")
    return get("name_vi") or ""


@register.filter
def survey_reason(reason):
    """A survey import reason (kept in English) in the page's language."""
    from cchc.surveys.importer import reason_vi  # start-up time: pandas loads on first use

    return reason if in_english() else reason_vi(str(reason))


@register.filter
def get(mapping, key):
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key)


@register.filter
def band_label(band):
    if not band:
        return "—"
    return band.get("label_en") if in_english() else band.get("label_vi")


@register.filter
def unit_type_label(value):

    return UnitType(value).label if value in UnitType.values else (value or "—")


@register.simple_tag(takes_context=True)
def main_nav(context):
    """The main menu: the same HTML for everyone with the same menu rights, so rendered once per (rights,
    language) and kept in the fragments cache (:mod:`cchc.web.fragments`)."""

    user = context.get("user")
    flags = {
        "authenticated": bool(user is not None and user.is_authenticated),
        "reads_all": bool(context.get("cchc_reads_all")),
        "is_admin": bool(context.get("cchc_is_admin")),
        "focal": "focal" in (context.get("cchc_roles") or ()),
    }
    key = fragments.key("nav", tuple(sorted(flags.items())))
    html = fragments.get(key)
    if html is None:
        html = fragments.render_shared("cchc/_nav.html", flags)
        fragments.put(key, html)
    return mark_safe(html)  # rendered by our template, autoescaped
