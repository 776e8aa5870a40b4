"""``/api/v1/``, the schema at ``/api/schema/`` and its documentation page at ``/api/docs/``."""

from csp.decorators import csp_update
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from tutela.api import views

app_name = "api"

router = SimpleRouter()
router.register("students", views.StudentViewSet, basename="student")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("links", views.LinkViewSet, basename="link")
router.register("accounts", views.AccountViewSet, basename="account")
router.register("imports", views.ImportViewSet, basename="import")
router.register("import-jobs", views.ImportJobViewSet, basename="import-job")
router.register("autocreate-jobs", views.AutoCreateJobViewSet, basename="autocreate-job")

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its script as a file of its own: the content security policy
    # refuses inline scripts. Swagger UI sets a few inline styles; this page alone, which
    # shows no district data, allows them.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
]
