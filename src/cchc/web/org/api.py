"""Units API (read-only)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from cchc.web.accounts import policy
from cchc.web.org.models import Unit


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = ["code", "name", "unit_type", "parent", "region", "active_from", "active_to"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return policy.visible_units(self.request.user, Unit.objects.select_related("parent").order_by("code"))


def register(router) -> None:
    router.register("units", UnitViewSet, basename="api-unit")
