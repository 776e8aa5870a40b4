"""factory_boy factories for the people models.

Each factory is generic in its model, so ``XFactory.create(...)`` is typed as the model it
makes; calling the factory itself (``XFactory(...)``) is not typed by factory_boy.
"""

from __future__ import annotations

import factory

from tutela.accounts.models import Account
from tutela.people.models import Contact, School, Student
from tutela.sections.models import Section


class SchoolFactory(factory.django.DjangoModelFactory[School]):
    class Meta:
        model = School
        django_get_or_create = ("school_number",)

    school_number = factory.Sequence(lambda n: str(100 + n))
    name = factory.LazyAttribute(lambda o: f"School {o.school_number}")


class StudentFactory(factory.django.DjangoModelFactory[Student]):
    class Meta:
        model = Student

    student_number = factory.Sequence(lambda n: str(1001 + n))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    school = factory.SubFactory(SchoolFactory)
    grade_level = "5"


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    last_name = factory.Faker("last_name")
    first_name = factory.Faker("first_name")


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    """A staff or parent account; pass ``contact=`` for a parent. No password unless given."""

    class Meta:
        model = Account
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.LazyAttribute(lambda o: o.username if "@" in o.username else "")
    is_active = True
    password = factory.django.Password(None)


class SectionFactory(factory.django.DjangoModelFactory[Section]):
    class Meta:
        model = Section
        skip_postgeneration_save = True

    section_id = factory.Sequence(lambda n: f"S{1000 + n}")
    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Homeroom {n}")

    @factory.post_generation
    def teachers(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.teachers.set(extracted)

    @factory.post_generation
    def students(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.students.set(extracted)
