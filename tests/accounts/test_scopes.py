"""``Scope.of(actor)``: one answer per role, the same wherever it is asked."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from tests.cast import Cast
from tests.factories import AccountFactory, SectionFactory
from tutela.accounts.scopes import Scope
from tutela.core.audit import command_line_user
from tutela.people.models import Contact


def test_the_command_line_and_district_admins_reach_the_whole_district(cast: Cast) -> None:
    for actor in (command_line_user(), cast.dana):
        scope = Scope.of(actor)
        assert scope.district_wide and scope.is_district_admin
        assert scope.covers_school(cast.hillcrest.pk) and scope.covers_school(cast.lakeside.pk)
        assert set(scope.students()) == {cast.holly, cast.hugo, cast.lila}
        assert scope.covers_contact(cast.hana_contact)


def test_a_superuser_without_staff_screens_is_district_wide_but_no_district_admin(
    cast: Cast,
) -> None:
    scope = Scope.of(AccountFactory.create(username="root", is_superuser=True))
    assert scope.district_wide
    assert not scope.is_district_admin


def test_a_school_admin_reaches_only_their_schools_students_and_contacts(cast: Cast) -> None:
    scope = Scope.of(cast.sam)
    assert not scope.district_wide and scope.is_school_staff
    assert scope.covers_school(cast.lakeside.pk)
    assert not scope.covers_school(cast.hillcrest.pk)
    assert list(scope.students()) == [cast.lila]
    assert set(scope.contacts()) == {cast.leo_contact, cast.una_contact}
    assert list(scope.schools()) == [cast.lakeside]
    assert not scope.covers_students([cast.lila.pk, cast.holly.pk])
    assert scope.covers_students([cast.lila.pk])


def test_a_school_admin_never_reaches_another_schools_sections_without_a_teacher(
    cast: Cast,
) -> None:
    SectionFactory.create(section_id="HR-H", school=cast.hillcrest, students=[cast.holly])
    scope = Scope.of(cast.sam)
    assert list(scope.students()) == [cast.lila]
    assert set(scope.contacts()) == {cast.leo_contact, cast.una_contact}
    assert set(scope.contacts_within(Contact.objects.all())) == {cast.leo_contact, cast.una_contact}


def test_a_contact_with_a_child_elsewhere_is_not_wholly_in_a_school_scope(cast: Cast) -> None:
    from tutela.people.services import link_student

    link_student(
        actor=command_line_user(),
        contact=cast.leo_contact,
        student=cast.holly,
        allow_data_access=True,
    )
    scope = Scope.of(cast.sam)
    assert cast.leo_contact in scope.contacts()
    assert not scope.covers_contact(cast.leo_contact)
    assert scope.covers_contact(cast.una_contact)


def test_a_teacher_reaches_the_sections_they_teach_and_those_students(cast: Cast) -> None:
    lou = AccountFactory.create(username="lou")
    taught = SectionFactory.create(section_id="HR-L", school=cast.lakeside, teachers=[lou])
    taught.students.add(cast.lila)
    SectionFactory.create(section_id="OTHER", school=cast.lakeside)
    scope = Scope.of(lou)
    assert not scope.staff and not scope.covers_school(cast.lakeside.pk)
    assert list(scope.sections()) == [taught]
    assert list(scope.students()) == [cast.lila]


def test_parents_disabled_accounts_and_visitors_reach_nothing(cast: Cast) -> None:
    cast.sam.is_active = False
    cast.sam.save()
    for actor in (cast.hana, cast.sam, AnonymousUser(), None):
        scope = Scope.of(actor)
        assert not scope.district_wide and not scope.staff
        assert not scope.students().exists()
        assert not scope.contacts().exists()
        assert not scope.sections().exists()
        assert not scope.schools().exists()


def test_whole_contacts_are_those_with_every_child_in_scope(cast: Cast) -> None:
    from tutela.people.services import link_student

    link_student(actor=command_line_user(), contact=cast.una_contact, student=cast.holly)
    sam = Scope.of(cast.sam)
    assert set(sam.whole_contacts()) == {cast.leo_contact}
    assert sam.students_among([cast.lila.pk, cast.holly.pk]) == {cast.lila.pk}
    assert set(Scope.of(cast.dana).whole_contacts()) == {
        cast.hana_contact,
        cast.leo_contact,
        cast.una_contact,
    }


def test_school_students_leave_out_a_teachers_sections(cast: Cast) -> None:
    lou = AccountFactory.create(username="lou", is_staff=True)
    lou.schools.add(cast.hillcrest)
    SectionFactory.create(
        section_id="HR-L", school=cast.lakeside, teachers=[lou], students=[cast.lila]
    )
    scope = Scope.of(lou)
    assert set(scope.students()) == {cast.holly, cast.hugo, cast.lila}
    assert set(scope.school_students()) == {cast.holly, cast.hugo}
    assert set(Scope.of(command_line_user()).school_students()) == {
        cast.holly,
        cast.hugo,
        cast.lila,
    }


def test_code_distributors_are_staff_and_teachers_of_a_section(cast: Cast) -> None:
    lou = AccountFactory.create(username="lou")
    assert not Scope.of(lou).is_code_distributor
    SectionFactory.create(section_id="HR-L", school=cast.lakeside, teachers=[lou])
    assert Scope.of(lou).is_code_distributor
    assert Scope.of(cast.sam).is_code_distributor
    assert not Scope.of(cast.hana).is_code_distributor
