"""Staff screens, under ``/staff/``."""

from django.urls import path

from tutela.staff import views, views_accounts, views_staff_people

app_name = "staff"

urlpatterns = [
    path("accounts/", views_accounts.account_list, name="accounts"),
    path("accounts/new/", views_accounts.account_new, name="account-new"),
    path("accounts/<int:pk>/", views_accounts.account_detail, name="account"),
    path("accounts/<int:pk>/students/", views_accounts.account_tie, name="account-tie"),
    path("accounts/<int:pk>/<str:action>/", views_accounts.account_status, name="account-status"),
    path("people/", views_staff_people.staff_list, name="staff-people"),
    path("people/new/", views_staff_people.staff_new, name="staff-new"),
    path("people/<int:pk>/", views_staff_people.staff_person, name="staff-person"),
    path("people/<int:pk>/<str:action>/", views_staff_people.staff_status, name="staff-status"),
    path("", views.contact_search, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
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
