"""The web app's URLs."""

from django.contrib import admin
from django.urls import include, path
from oauth2_provider.views import TokenView

from tutela.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("tutela.accounts.urls")),
    path("portal/", include("tutela.portal.urls")),
    path("staff/autocreate/", include("tutela.provisioning.urls")),
    path("staff/letters/", include("tutela.letters.urls")),
    path("staff/api-tokens/", include("tutela.api.screen_urls")),
    path("staff/", include("tutela.staff.urls")),
    path("admin/", admin.site.urls),
    path("health/", include("tutela.web.urls")),
    # The OneRoster 1.2 Rostering service and its OAuth 2.0 client-credentials token endpoint.
    path("ims/oneroster/rostering/v1p2/", include("tutela.rostering.api.urls")),
    path("oauth/token", TokenView.as_view(), name="oauth-token"),
    path("api/", include("tutela.api.urls")),
    # Access codes: /register/, /portal/add-child/, /staff/access-codes/, /staff/restricted-links/
    path("", include("tutela.accesscodes.urls")),
]

handler500 = "tutela.web.views.server_error"
