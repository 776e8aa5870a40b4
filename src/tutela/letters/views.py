"""The letters staff screens: print letters home (PDF or mail-merge CSV), and edit and preview
the district's letter texts. Thin adapters over ``services`` and ``printing``.

Printing is open to district and school admins, each for the schools ``Scope`` gives them;
editing the texts, which every school's families read, to district admins, as the email
templates are. A letter's links travel only in the downloaded file: never in a message, a URL
or a log.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tutela.accounts.access import district_admin_required, school_staff_required
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.core.audit import audited
from tutela.letters.forms import LetterTemplateForm, PrintLettersForm
from tutela.letters.models import LETTER_PLACEHOLDERS, LetterKind, LetterTemplate
from tutela.letters.printing import letter_text, letters_pdf, print_letters
from tutela.letters.services import (
    Letter,
    LetterRequest,
    LetterRun,
    district_values,
    letters_already_printed,
    preview_values,
)
from tutela.people.services import ServiceError

CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
# The answer that confirms voiding the earlier letters' links.
CONFIRM_VOID = "void"


def _download(data: bytes, output: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[output])
    response["Content-Disposition"] = f'attachment; filename="{name}.{output}"'
    return response


@school_staff_required
@require_http_methods(["GET", "POST"])
def print_view(request: HttpRequest, account: Account) -> HttpResponse:
    """Choose the letters; printing activation letters again first says how many earlier
    letters it voids, and prints only once that is confirmed."""
    scope = Scope.of(account)
    form = PrintLettersForm(request.POST or None, scope=scope)
    already = 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        output = request.POST.get("output", "")
        letters = LetterRequest(
            kind=data["kind"],
            school=data["school"],
            grades=data["grades"],
            section=data["section"],
            language=data["language"],
        )
        if output not in CONTENT_TYPES:
            form.add_error(None, "Choose the PDF or the mail-merge CSV.")
        else:
            try:
                already = letters_already_printed(actor=account, request=letters)
                if not already or request.POST.get("confirm") == CONFIRM_VOID:
                    kept: list[bytes] = []
                    run = print_letters(
                        actor=account, request=letters, output=output, keep=kept.append
                    )
                    name = f"letters-{run.kind}-{timezone.localdate():%Y%m%d}"
                    return _download(kept[0], output, name)
            except ServiceError as error:
                form.add_error(None, str(error))
                already = 0
    return render(
        request,
        "letters/print.html",
        {
            "form": form,
            "already": already,
            "confirm_void": CONFIRM_VOID,
            "district_admin": scope.is_district_admin,
        },
    )


@district_admin_required
@require_GET
def template_list(request: HttpRequest, account: Account) -> HttpResponse:
    return render(request, "letters/templates.html", {"templates": LetterTemplate.objects.all()})


def _preview_run(template: LetterTemplate) -> LetterRun:
    """One letter of ``template``'s kind and language, for an invented family."""
    values = preview_values(template.kind)
    link = values.get("activation_link") or values.get("registration_link") or ""
    return LetterRun(
        kind=template.kind,
        letters=[Letter(language=template.language, values=values, link=link, key="preview")],
    )


@district_admin_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, account: Account, template_id: int) -> HttpResponse:
    template = get_object_or_404(LetterTemplate, pk=template_id)
    form = LetterTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        with audited(account), transaction.atomic():
            saved = form.save()
        messages.success(request, f"Letter saved: {saved}.")
        return redirect("letters:template", template_id=saved.pk)
    template.refresh_from_db()  # the preview shows the saved text, not a refused edit
    title, body = letter_text(template, {**district_values(), **preview_values(template.kind)})
    return render(
        request,
        "letters/template_edit.html",
        {
            "form": form,
            "template": template,
            "preview_title": title,
            "preview_body": body,
            "placeholders": LETTER_PLACEHOLDERS.get(template.kind, {}),
            "activation": template.kind == LetterKind.ACTIVATION,
        },
    )


@district_admin_required
@require_GET
def template_preview_pdf(request: HttpRequest, account: Account, template_id: int) -> HttpResponse:
    """The saved text printed as one letter, exactly as the families' letters are laid out."""
    template = get_object_or_404(LetterTemplate, pk=template_id)
    name = f"letter-preview-{template.kind}-{template.language}"
    return _download(letters_pdf(_preview_run(template)), "pdf", name)
