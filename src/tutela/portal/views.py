"""The parent's portal: their granted students, and their own contact details.

Students are only ever fetched through ``accounts.selectors``; a student the parent may not
see answers 404, exactly like one that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tutela.accounts.access import parent_required
from tutela.accounts.email_change import pending_email_change, request_email_change
from tutela.accounts.models import Account
from tutela.accounts.selectors import detail_visible_to, granted_links
from tutela.people.models import ContactEmail
from tutela.people.services import ServiceError, change_email_address, change_phone_number


@parent_required
def home(request: HttpRequest, account: Account) -> HttpResponse:
    links = sorted(
        granted_links(account=account),
        key=lambda link: (link.student.last_name, link.student.first_name),
    )
    return render(request, "portal/home.html", {"links": links})


@parent_required
def student(request: HttpRequest, account: Account, student_id: int) -> HttpResponse:
    detail = detail_visible_to(account=account, student_id=student_id)
    if detail is None:
        raise Http404("no such student")
    contact = account.contact
    assert contact is not None
    return render(
        request,
        "portal/student.html",
        {
            "student": detail.link.student,
            "detail": detail,
            "contact": contact,
            "emails": list(contact.emails.all()),
            "phones": list(contact.phones.select_related("phone", "phone_type")),
        },
    )


class MyDetailsForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=64, required=False)


def _is_sign_in_email(account: Account, email: ContactEmail) -> bool:
    return bool(account.email) and email.address.lower() == account.email.lower()


@parent_required
@require_http_methods(["GET", "POST"])
def my_details(request: HttpRequest, account: Account) -> HttpResponse:
    """The parent corrects their own first email and first phone; each change is audited.

    When that email is the one the account signs in with, the change is a confirmed step
    (``accounts.email_change``): a link goes to the new address, and until it is opened the
    email, on the account and in the school's records, stays as it was.
    """
    contact = account.contact
    assert contact is not None
    email = contact.emails.first()
    phone = contact.phones.select_related("phone").first()
    initial = {
        "email": email.address if email else "",
        "phone": phone.phone.number if phone else "",
    }
    form = MyDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"]
        try:
            with transaction.atomic():
                confirming = ""
                if email is not None and new_email and new_email.lower() != email.address.lower():
                    if _is_sign_in_email(account, email):
                        confirming = request_email_change(actor=account, address=new_email)
                    else:
                        change_email_address(actor=account, email=email, address=new_email)
                if phone is not None and form.cleaned_data["phone"]:
                    change_phone_number(
                        actor=account, contact_phone=phone, number=form.cleaned_data["phone"]
                    )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            if confirming:
                messages.success(
                    request,
                    _(
                        "We emailed a link to %(new)s: your email changes when you open it. "
                        "Until then you keep signing in with %(current)s."
                    )
                    % {"new": confirming, "current": account.email},
                )
            else:
                messages.success(request, _("Your details are saved."))
            return redirect("portal:my-details")
    return render(
        request,
        "portal/my_details.html",
        {
            "form": form,
            "contact": contact,
            "has_email": email is not None,
            "has_phone": phone is not None,
            "pending_email": pending_email_change(account=account),
        },
    )
