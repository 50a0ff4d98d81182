"""API tokens: a token for a username and password."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class TokenView(APIView):
    """``POST /api/token/`` with ``username`` and ``password`` → ``{"token": "…"}``."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=inline_serializer("TokenRequest", {"username": serializers.CharField(),
                                                   "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
                   400: OpenApiResponse(description="wrong credentials")},
        auth=[],
    )
    def post(self, request):
        ser = AuthTokenSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=ser.validated_data["user"])
        return Response({"token": token.key})


urlpatterns = [
    path("token/", TokenView.as_view(), name="api-token"),
]
