"""The access-code pages: public registration, Add Child in the portal, staff code pages."""

from django.urls import path

from tutela.accesscodes import views

app_name = "accesscodes"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/<str:token>/", views.register_confirm, name="register-confirm"),
    path("portal/add-child/", views.add_child, name="add-child"),
    path("staff/access-codes/", views.codes_home, name="codes"),
    path("staff/access-codes/download/", views.codes_download, name="codes-download"),
    path("staff/access-codes/reset/", views.codes_reset, name="codes-reset"),
    path("staff/access-codes/reset-all/", views.codes_reset_all, name="codes-reset-all"),
    path("staff/restricted-links/", views.restricted_queue, name="restricted"),
    path(
        "staff/restricted-links/<int:pending_id>/<str:decision>/",
        views.restricted_decide,
        name="restricted-decide",
    ),
]
