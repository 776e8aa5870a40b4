"""Staff screens, under ``/staff/``."""

from django.urls import path

from tutela.staff import home, search, views

app_name = "staff"

urlpatterns = [
    path("", home.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("search/", search.search, name="search"),
    path("contacts/", search.old_search, name="contact-search"),
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
