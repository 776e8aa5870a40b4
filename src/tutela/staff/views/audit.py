"""The district admin's audit screen (``/staff/audit/``): the audit trail filtered by student,
contact, actor, date and kind, fifty entries a page, and the same selection as CSV (every
cell neutralised: an object's name a parent typed must not become a spreadsheet formula)."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tutela.accounts.access import district_admin_required
from tutela.accounts.models import Account
from tutela.core.spreadsheets import csv_writer
from tutela.privacy.audit_trail import (
    CSV_HEADER,
    KINDS,
    AuditFilter,
    actor_of,
    audit_entries,
    changes_text,
    csv_row,
    kind_of,
)

PER_PAGE = 50


class AuditFilterForm(forms.Form):
    student = forms.CharField(label="Student number", required=False, max_length=32)
    contact = forms.IntegerField(label="Contact ID", required=False, min_value=1)
    actor = forms.CharField(label="Actor (username)", required=False, max_length=150)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any"), *((v, lab) for v, lab, _ in KINDS)]
    )

    def chosen(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            student_number=(data.get("student") or "").strip(),
            contact_id=data.get("contact"),
            actor=(data.get("actor") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
            kind=data.get("kind") or "",
        )


@district_admin_required
@require_GET
def audit_trail(request: HttpRequest, account: Account) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    chosen = form.chosen() if form.is_valid() else AuditFilter()
    if form.is_bound and not form.is_valid():
        entries = audit_entries(chosen).none()
    else:
        entries = audit_entries(chosen)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        writer = csv_writer(response)
        writer.writerow(CSV_HEADER)
        for entry in entries.iterator(chunk_size=2000):
            writer.writerow(csv_row(entry))
        return response
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "actor": actor_of(entry),
            "kind": kind_of(entry),
            "changes": changes_text(entry),
        }
        for entry in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "staff/audit.html",
        {"form": form, "rows": rows, "page": page, "query": query.urlencode()},
    )
