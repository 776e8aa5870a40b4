"""The staff search (``/staff/search/``): one box, every match, page by page.

Contacts and students are two tables, each paginated and sortable (django-tables2) and each
headed by how many matched, so nothing is ever cut off unsaid. Which students a contact's row
names is the reader's ``Scope``: another school's children are only counted.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_tables2 import RequestConfig

from tutela.accounts.access import staff_required
from tutela.accounts.models import Account
from tutela.accounts.scopes import Scope
from tutela.people.models import Contact
from tutela.people.search import search_students
from tutela.people.selectors import with_students
from tutela.staff.filters import ContactSearchFilter
from tutela.staff.tables import PER_PAGE, ContactTable, StudentTable


@staff_required
def search(request: HttpRequest, account: Account) -> HttpResponse:
    search_filter = ContactSearchFilter(request.GET, actor=account)
    query = request.GET.get("q", "").strip()
    context: dict[str, object] = {"filter": search_filter, "query": query}
    if query:
        contacts = ContactTable(
            with_students(search_filter.qs).prefetch_related("phones__phone"), prefix="c-"
        )
        students = StudentTable(search_students(actor=account, text=query), prefix="s-")
        paging = RequestConfig(request, paginate={"per_page": PER_PAGE})
        paging.configure(contacts)
        paging.configure(students)
        shown: list[Contact] = [row.record for row in contacts.page.object_list]
        contacts.seen = Scope.of(account).students_among(
            link.student_id for contact in shown for link in contact.student_links.all()
        )
        context.update(contacts=contacts, students=students)
    return render(request, "staff/search.html", context)


@staff_required
def old_search(request: HttpRequest, account: Account) -> HttpResponse:
    """``/staff/contacts/``, the search's first address, still answers with the search."""
    query = request.META.get("QUERY_STRING", "")
    target = reverse("staff:search")
    return redirect(f"{target}?{query}" if query else target)
