"""The staff screen of personal API tokens, under ``/staff/api-tokens/``."""

from django.urls import path

from tutela.api import screens

app_name = "api-tokens"

urlpatterns = [
    path("", screens.tokens, name="list"),
    path("<int:token_id>/revoke/", screens.revoke, name="revoke"),
]
