"""Staff screens, under ``/staff/``."""

from django.urls import include, path

from tutela.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.contact_search, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("imports/", include("tutela.staff.imports.urls")),
    path("contacts/", views.contact_search, name="contact-search"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact"),
    path("contacts/<int:contact_id>/account/", views.account_create, name="account-create"),
    path("contacts/<int:contact_id>/emails/", views.email_add, name="email-add"),
    path(
        "contacts/<int:contact_id>/merge-into/<int:target_id>/",
        views.contact_merge,
        name="contact-merge",
    ),
    path(
        "contacts/<int:contact_id>/account/<str:action>/",
        views.account_action,
        name="account-action",
    ),
]
