"""The OneRoster 1.2 Rostering service's URLs, under ``/ims/oneroster/rostering/v1p2/``."""

from django.urls import URLPattern, path

from . import views
from .records import COLLECTIONS

app_name = "oneroster"

NESTED_PATHS = {
    "school-students": "schools/<str:sourced_id>/students",
    "school-teachers": "schools/<str:sourced_id>/teachers",
    "school-classes": "schools/<str:sourced_id>/classes",
    "school-courses": "schools/<str:sourced_id>/courses",
    "school-enrollments": "schools/<str:sourced_id>/enrollments",
    "school-terms": "schools/<str:sourced_id>/terms",
    "class-students": "classes/<str:sourced_id>/students",
    "class-teachers": "classes/<str:sourced_id>/teachers",
    "course-classes": "courses/<str:sourced_id>/classes",
    "term-classes": "terms/<str:sourced_id>/classes",
    "student-classes": "students/<str:sourced_id>/classes",
    "teacher-classes": "teachers/<str:sourced_id>/classes",
    "user-classes": "users/<str:sourced_id>/classes",
}

urlpatterns: list[URLPattern] = [
    *(
        path(
            f"schools/<str:school_id>/classes/<str:class_id>/{listed}",
            views.school_class,
            {"listed": listed},
            name=f"school-class-{listed}",
        )
        for listed in ("enrollments", "students", "teachers")
    ),
    *(path(route, views.nested, {"name": name}, name=name) for name, route in NESTED_PATHS.items()),
    *(path(name, views.collection, {"name": name}, name=name) for name in COLLECTIONS),
    *(
        path(f"{name}/<str:sourced_id>", views.single, {"name": name}, name=f"{name}-object")
        for name in COLLECTIONS
    ),
]
