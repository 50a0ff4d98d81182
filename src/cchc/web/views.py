"""The project's own pages: the home page (every role's starting point) and the 404 handler. Each area's pages
live in its app (``<area>/views.py``); every permission question goes to :mod:`cchc.web.accounts.policy`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.defaults import page_not_found

from cchc.web.accounts import policy
from cchc.web.assessments.models import Cycle, Participation, State


@login_required
def home(request):
    cycles = policy.visible_cycles(request.user, Cycle.objects.select_related("framework"))
    g = policy.grants(request.user)
    mine = (
        Participation.objects.filter(unit_id__in=g.focal_units).select_related("cycle", "unit")
        .exclude(cycle__state=State.DRAFT).order_by("-cycle__year")
        if g.focal_units else []
    )
    return render(request, "cchc/home.html", {"cycles": cycles, "mine": mine})


def not_found(request, exception=None):
    """404: JSON under /api/ (the API speaks JSON only), the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
