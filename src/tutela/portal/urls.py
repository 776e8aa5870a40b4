"""The parent's portal, under ``/portal/``."""

from django.urls import path

from tutela.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("students/<int:student_id>/", views.student, name="student"),
    path("my-details/", views.my_details, name="my-details"),
]
