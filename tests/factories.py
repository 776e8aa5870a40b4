"""factory_boy factories for the people models."""

from __future__ import annotations

import factory

from tutela.people.models import Contact, School, Student


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("school_number",)

    school_number = factory.Sequence(lambda n: str(100 + n))
    name = factory.LazyAttribute(lambda o: f"School {o.school_number}")


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    student_number = factory.Sequence(lambda n: str(1001 + n))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    school = factory.SubFactory(SchoolFactory)
    grade_level = "5"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    last_name = factory.Faker("last_name")
    first_name = factory.Faker("first_name")


class AccountFactory(factory.django.DjangoModelFactory):
    """A staff or parent account; pass ``contact=`` for a parent. No password unless given."""

    class Meta:
        model = "accounts.Account"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.LazyAttribute(lambda o: o.username if "@" in o.username else "")
    is_active = True
    password = factory.django.Password(None)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sections.Section"
        skip_postgeneration_save = True

    section_id = factory.Sequence(lambda n: f"S{1000 + n}")
    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Homeroom {n}")

    @factory.post_generation
    def teachers(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.teachers.set(extracted)  # type: ignore[attr-defined]

    @factory.post_generation
    def students(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.students.set(extracted)  # type: ignore[attr-defined]
