"""The OneRoster 1.2 Rostering endpoints."""

from django.urls import path, re_path

from tutela.api import views

app_name = "oneroster"

urlpatterns = [
    path("users", views.users, name="users"),
    path("users/<str:sourced_id>", views.user, name="user"),
    path("students", views.students, name="students"),
    path("students/<str:sourced_id>", views.student, name="student"),
    path("orgs", views.orgs, name="orgs"),
    path("orgs/<str:sourced_id>", views.org, name="org"),
    path("schools", views.schools, name="schools"),
    path("schools/<str:sourced_id>/students", views.school_students, name="school-students"),
    path("schools/<str:sourced_id>", views.school, name="school"),
    re_path(r"^(?P<path>.*)$", views.not_found, name="unknown"),
]
