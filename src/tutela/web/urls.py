"""Health answers: ``/health/live`` and ``/health/ready``."""

from django.urls import path

from tutela.web import views

app_name = "health"
urlpatterns = [
    path("live", views.live, name="live"),
    path("ready", views.ready, name="ready"),
]
