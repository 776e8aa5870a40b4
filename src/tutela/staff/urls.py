"""Staff screens, under ``/staff/``."""

from django.urls import path

from tutela.staff.views import (
    contact_account,
    contact_emails,
    contacts,
    merge,
    search,
    sign_in,
)

app_name = "staff"

urlpatterns = [
    path("", search.contact_search, name="home"),
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("contacts/", search.contact_search, name="contact-search"),
    path("contacts/<int:contact_id>/", contacts.contact_detail, name="contact"),
    path(
        "contacts/<int:contact_id>/account/", contact_account.account_create, name="account-create"
    ),
    path("contacts/<int:contact_id>/emails/", contact_emails.email_add, name="email-add"),
    path(
        "contacts/<int:contact_id>/merge-into/<int:target_id>/",
        merge.contact_merge,
        name="contact-merge",
    ),
    path(
        "contacts/<int:contact_id>/account/<str:action>/",
        contact_account.account_action,
        name="account-action",
    ),
]
