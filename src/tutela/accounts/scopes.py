"""Who may reach what: one answer for every screen, command, import, export and API.

A district's records are reached by four kinds of actor, and ``Scope.of(actor)`` is the only
place that tells them apart:

- **District-wide**: the ``tutela`` command (whoever runs it administers the server), a
  superuser, or a staff account marked as district admin. Every school, student and section.
- **School staff**: a staff account with schools. The students of those schools, the contacts
  linked to them, and the schools' sections.
- **Teachers**: any enabled account named as a section's teacher. The sections they teach and
  those sections' students. A teacher's account needs no schools (schools without the staff
  flag widen nothing); making it staff with schools makes it school staff as well
  (``accounts.staff_members`` names these roles).
- **Everyone else** (parents, disabled accounts, anonymous visitors) reaches nothing here: what
  a parent sees is the district's data-access grant, read by ``accounts.selectors``.

Selectors narrow their querysets with the scope's ``students()``, ``contacts()``, ``schools()``
and ``sections()``; services and the import engine ask ``covers_school`` and
``covers_students`` before they change anything, so every face of Tutela gets the same rule.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, TypeAlias

from django.db.models import Q, QuerySet

from tutela.core.audit import CommandLineUser

if TYPE_CHECKING:
    from tutela.accounts.models import Account
    from tutela.people.models import Contact, School, Student
    from tutela.sections.models import Section

# Whoever makes a change: a signed-in account or the person running a ``tutela`` command.
Actor: TypeAlias = "Account | CommandLineUser"


@dataclass(frozen=True)
class Scope:
    """What one actor may reach; build it with ``Scope.of(actor)``.

    ``school_ids`` is empty for a district-wide scope, which covers every school; ``teacher_id``
    is the account whose taught sections (and their students) the scope adds.
    """

    district_wide: bool = False
    staff: bool = False
    school_ids: frozenset[int] = frozenset()
    teacher_id: int | None = None

    @classmethod
    def of(cls, actor: object) -> Scope:
        """The scope of ``actor``: the command line, an account, or whoever is signed in on a
        page (an anonymous visitor, like a disabled account, reaches nothing)."""
        from tutela.accounts.models import Account

        if isinstance(actor, CommandLineUser):
            return cls(district_wide=True, staff=True)
        if not isinstance(actor, Account) or not actor.is_active:
            return cls()
        staff = bool(actor.is_staff)
        if actor.is_superuser or (staff and actor.is_district_admin):
            return cls(district_wide=True, staff=staff)
        schools = frozenset(actor.schools.values_list("pk", flat=True)) if staff else frozenset()
        return cls(staff=staff, school_ids=schools, teacher_id=actor.pk)

    # --- what kind of actor -------------------------------------------------------------

    @property
    def is_district_admin(self) -> bool:
        """District-wide and allowed on the staff screens: AutoCreate, templates, every school."""
        return self.district_wide and self.staff

    @property
    def is_school_staff(self) -> bool:
        """A staff member bound to schools (district admins count too: they cover them all)."""
        return self.staff and (self.district_wide or bool(self.school_ids))

    @property
    def reaches_nothing(self) -> bool:
        return not (self.district_wide or self.school_ids or self.teacher_id is not None)

    @property
    def is_code_distributor(self) -> bool:
        """Staff, and teachers of at least one section: who hands out parent access codes."""
        return self.staff or self.sections().exists()

    # --- questions a service asks before it changes anything ---------------------------

    def covers_school(self, school_id: int | None) -> bool:
        """Whether every student of this school is in scope (a teacher covers no whole school)."""
        return self.district_wide or (school_id is not None and school_id in self.school_ids)

    def students_among(self, student_ids: Iterable[int]) -> set[int]:
        """Which of these students are in scope (one query, none for a district-wide scope)."""
        wanted = set(student_ids)
        if self.district_wide or not wanted:
            return wanted
        return set(self.students().filter(pk__in=wanted).values_list("pk", flat=True))

    def covers_students(self, student_ids: Iterable[int]) -> bool:
        """Whether every one of these students is in scope; an empty list is covered."""
        wanted = set(student_ids)
        return self.students_among(wanted) == wanted

    def covers_contact(self, contact: Contact) -> bool:
        """Whether every student linked to ``contact`` is in scope (see ``whole_contacts``)."""
        return self.district_wide or self.whole_contacts().filter(pk=contact.pk).exists()

    # --- querysets selectors narrow ----------------------------------------------------

    def schools(self) -> QuerySet[School]:
        from tutela.people.models import School

        if self.district_wide:
            return School.objects.all()
        return School.objects.filter(pk__in=self.school_ids)

    def sections(self) -> QuerySet[Section]:
        from tutela.sections.models import Section

        if self.district_wide:
            return Section.objects.all()
        if self.reaches_nothing:
            return Section.objects.none()
        return Section.objects.filter(
            Q(school__in=self.school_ids) | Q(teachers=self.teacher_id)
        ).distinct()

    def students(self) -> QuerySet[Student]:
        from tutela.people.models import Student

        if self.district_wide:
            return Student.objects.all()
        if self.reaches_nothing:
            return Student.objects.none()
        return Student.objects.filter(self._reaching(student="pk", school="school"))

    def students_within(self, students: QuerySet[Student]) -> QuerySet[Student]:
        """Those of ``students`` in scope, found from them (a search's few matches) rather
        than from every student of the scope's schools."""
        from tutela.people.models import Student

        if self.district_wide:
            return students
        if self.reaches_nothing:
            return Student.objects.none()
        return Student.objects.filter(pk__in=students.values("pk")).filter(
            self._reaching(student="pk", school="school")
        )

    def _reaching(self, *, student: str, school: str) -> Q:
        """The condition "this student is in scope", on the fields named ``student`` (its id)
        and ``school`` (its school), so a query may ask it of a link's student too.

        The taught students are a subquery of the enrolment table, not a join: a join would
        repeat each student per section and make every query built on this one pass over the
        whole district's students (docs/performance.md, the staff search).
        """
        from tutela.sections.models import Section

        reached = []
        if self.school_ids:
            reached.append(Q(**{f"{school}__in": self.school_ids}))
        if self.teacher_id is not None:
            enrolled = Section.students.through.objects.filter(section__teachers=self.teacher_id)
            reached.append(Q(**{f"{student}__in": enrolled.values("student_id")}))
        return reduce(operator.or_, reached)

    def contacts(self) -> QuerySet[Contact]:
        """The contacts linked to at least one student in scope."""
        from tutela.people.models import Contact, StudentContact

        if self.district_wide:
            return Contact.objects.all()
        if self.reaches_nothing:
            return Contact.objects.none()
        linked = StudentContact.objects.filter(student__in=self.students().values("pk"))
        return Contact.objects.filter(pk__in=linked.values("contact_id"))

    def contacts_within(self, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
        """Those of ``contacts`` in scope, found from them: the database looks up the links of
        just these contacts (a search's few matches), where ``contacts()`` would first list
        every contact of the scope's schools."""
        from tutela.people.models import Contact, StudentContact

        if self.district_wide:
            return contacts
        if self.reaches_nothing:
            return Contact.objects.none()
        links = StudentContact.objects.filter(contact__in=contacts.values("pk")).filter(
            self._reaching(student="student", school="student__school")
        )
        return Contact.objects.filter(pk__in=links.values("contact_id"))

    def whole_contacts(self) -> QuerySet[Contact]:
        """The contacts every one of whose students is in scope.

        Changing a person (their account, a merge) changes what they see at every school they
        have a child at, and naming them tells who they are: only a scope covering all of
        those children may do either. A contact with no student yet is whole to district-wide
        scopes only.
        """
        from tutela.people.models import Contact, StudentContact

        if self.district_wide:
            return Contact.objects.all()
        outside = StudentContact.objects.exclude(student__in=self.students().values("pk"))
        return self.contacts().exclude(pk__in=outside.values("contact_id"))

    def school_students(self) -> QuerySet[Student]:
        """The students of the schools this scope covers wholly (not a teacher's sections):
        whose codes it may reset, whose restricted links it decides."""
        from tutela.people.models import Student

        if self.district_wide:
            return Student.objects.all()
        return Student.objects.filter(school__in=self.school_ids)
