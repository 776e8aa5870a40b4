"""Staff screens, under ``/staff/``."""

from django.urls import include, path

from tutela.staff.views import (
    accounts,
    audit,
    contact_account,
    contact_addresses,
    contact_emails,
    contact_phones,
    contact_students,
    contacts,
    duplicates,
    home,
    merge,
    search,
    sign_in,
    staff_people,
    students,
    sync,
)

app_name = "staff"

CONTACT = "contacts/<int:contact_id>/"
LINK = CONTACT + "students/<int:link_id>/"
STUDENT = "students/<int:student_id>/"

urlpatterns = [
    path("accounts/", accounts.account_list, name="accounts"),
    path("accounts/new/", accounts.account_new, name="account-new"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account"),
    path("accounts/<int:pk>/students/", accounts.account_tie, name="account-tie"),
    path("accounts/<int:pk>/<str:action>/", accounts.account_status, name="account-status"),
    path("people/", staff_people.staff_list, name="staff-people"),
    path("people/new/", staff_people.staff_new, name="staff-new"),
    path("people/<int:pk>/", staff_people.staff_person, name="staff-person"),
    path("people/<int:pk>/<str:action>/", staff_people.staff_status, name="staff-status"),
    path("", home.home, name="home"),
    path("sync/", sync.sync_targets, name="sync-targets"),
    path("sync/new/", sync.sync_target_new, name="sync-target-new"),
    path("sync/<int:pk>/", sync.sync_target, name="sync-target"),
    path("sync/<int:pk>/run/", sync.sync_target_run, name="sync-target-run"),
    path("sign-in/", sign_in.sign_in, name="sign-in"),
    path("search/", search.search, name="search"),
    path("contacts/", search.old_search, name="contact-search"),
    path("imports/", include("tutela.staff.imports.urls")),
    path("contacts/new/", contacts.contact_new, name="contact-new"),
    path(CONTACT, contacts.contact_detail, name="contact"),
    path(CONTACT + "names/", contacts.contact_names, name="contact-names"),
    path(CONTACT + "account/", contact_account.account_create, name="account-create"),
    path(CONTACT + "account/username/", contact_account.account_username, name="account-username"),
    path(CONTACT + "emails/", contact_emails.email_add, name="email-add"),
    path(CONTACT + "emails/<int:email_id>/", contact_emails.email_edit, name="email-edit"),
    path(
        CONTACT + "emails/<int:email_id>/primary/",
        contact_emails.email_primary,
        name="email-primary",
    ),
    path(
        CONTACT + "emails/<int:email_id>/delete/", contact_emails.email_delete, name="email-delete"
    ),
    path(CONTACT + "phones/", contact_phones.phone_add, name="phone-add"),
    path(CONTACT + "phones/<int:phone_id>/", contact_phones.phone_edit, name="phone-edit"),
    path(
        CONTACT + "phones/<int:phone_id>/delete/", contact_phones.phone_delete, name="phone-delete"
    ),
    path(CONTACT + "addresses/", contact_addresses.address_add, name="address-add"),
    path(
        CONTACT + "addresses/<int:address_id>/",
        contact_addresses.address_edit,
        name="address-edit",
    ),
    path(
        CONTACT + "addresses/<int:address_id>/delete/",
        contact_addresses.address_delete,
        name="address-delete",
    ),
    path(CONTACT + "students/add/", contact_students.students_add, name="students-add"),
    path(LINK, contact_students.link_edit, name="link-edit"),
    path(LINK + "details/", contact_students.link_detail_add, name="link-detail-add"),
    path(
        LINK + "details/<int:detail_id>/end/",
        contact_students.link_detail_end,
        name="link-detail-end",
    ),
    path(LINK + "restricted/", contact_students.link_restricted, name="link-restricted"),
    path(LINK + "lift/", contact_students.link_lift, name="link-lift"),
    path(LINK + "remove/", contact_students.link_remove, name="link-remove"),
    path(
        CONTACT + "merge-into/<int:target_id>/",
        merge.contact_merge,
        name="contact-merge",
    ),
    path(
        CONTACT + "account/<str:action>/",
        contact_account.account_action,
        name="account-action",
    ),
    path("duplicates/", duplicates.duplicate_list, name="duplicates"),
    path("duplicates/<int:a>/<int:b>/", duplicates.duplicate_pair, name="duplicate-pair"),
    path(
        "duplicates/<int:a>/<int:b>/not-duplicates/",
        duplicates.duplicate_not,
        name="duplicate-not",
    ),
    path(STUDENT, students.student_detail, name="student"),
    path(STUDENT + "attach/", students.student_attach, name="student-attach"),
    path(STUDENT + "access-code/", students.student_access_code, name="student-access-code"),
    path("audit/", audit.audit_trail, name="audit"),
    path(STUDENT + "keep-access/", students.student_keep_access, name="student-keep-access"),
    path(
        STUDENT + "contacts/<int:link_id>/move/",
        students.student_contact_move,
        name="student-contact-move",
    ),
]
