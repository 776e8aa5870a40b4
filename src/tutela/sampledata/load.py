"""Writing a generated district straight into the database, in bulk.

Used by ``tutela demo`` and by benchmarks that need a populated district before they measure
something else. This is sample data, not a district's real records, so it is written with
``bulk_create`` and audited by nothing but this docstring.
"""

from __future__ import annotations

from django.db import transaction

from tutela.core.phones import phone_digits
from tutela.people.codesets import CodeBook
from tutela.people.models import (
    Address,
    CodeType,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Phone,
    School,
    Student,
    StudentContact,
    StudentContactDetail,
)
from tutela.sampledata.district import District

BATCH = 5000


@transaction.atomic
def load_district(district: District) -> dict[str, int]:
    """Create the district's schools, students, contacts and links; return counts."""
    book = CodeBook.load()
    schools = {
        s.number: School.objects.get_or_create(school_number=s.number, defaults={"name": s.name})[0]
        for s in district.schools
    }
    students = [
        Student(
            student_number=s.number,
            first_name=s.first_name,
            last_name=s.last_name,
            school=schools[s.school.number],
            grade_level=s.grade,
        )
        for s in district.students
    ]
    Student.objects.bulk_create(students, batch_size=BATCH)
    student_by_number = {s.student_number: s for s in students}

    contacts: list[Contact] = []
    for family in district.families:
        for g in family.guardians:
            contacts.append(
                Contact(
                    last_name=g.last_name,
                    first_name=g.first_name,
                    gender=book.match(CodeType.GENDER, g.gender),
                    prefix=book.match(CodeType.PREFIX, g.prefix),
                    employer=g.employer,
                    state_contact_id=g.state_contact_id,
                    is_active=True,
                )
            )
    Contact.objects.bulk_create(contacts, batch_size=BATCH)

    phones: dict[str, Phone] = {}
    emails: list[ContactEmail] = []
    phone_links: list[ContactPhone] = []
    addresses: list[Address] = []
    address_links: list[ContactAddress] = []
    links: list[StudentContact] = []
    details: list[StudentContactDetail] = []
    priority: dict[str, int] = {}
    state = book.match(CodeType.STATE, "US_TX")
    contact_iter = iter(contacts)
    for family in district.families:
        for g in family.guardians:
            contact = next(contact_iter)
            for order, email in enumerate(g.emails, start=1):
                emails.append(
                    ContactEmail(
                        contact=contact,
                        address=email,
                        email_type=book.match(
                            CodeType.EMAIL_TYPE, "Home" if order == 1 else "Work"
                        ),
                        is_primary=order == 1,
                        order=order,
                    )
                )
            for order, p in enumerate(g.phones, start=1):
                phone = phones.get(p.number)
                if phone is None:
                    phone = phones[p.number] = Phone(
                        number=p.number, digits=phone_digits(p.number), is_sms=p.is_sms
                    )
                phone_links.append(
                    ContactPhone(
                        contact=contact,
                        phone=phone,
                        phone_type=book.match(CodeType.PHONE_TYPE, p.phone_type),
                        priority_order=order,
                        is_preferred=order == 1,
                    )
                )
            if g.lives_with:
                a = family.address
                address = Address(
                    street=a.street, city=a.city, state=state, postal_code=a.postal_code
                )
                addresses.append(address)
                address_links.append(
                    ContactAddress(
                        contact=contact,
                        address=address,
                        address_type=book.match(CodeType.ADDRESS_TYPE, "Home"),
                        priority_order=1,
                    )
                )
            for child in family.children:
                priority[child.number] = priority.get(child.number, 0) + 1
                link = StudentContact(
                    student=student_by_number[child.number],
                    contact=contact,
                    contact_priority_order=priority[child.number],
                    original_contact_type=g.contact_type,
                )
                links.append(link)
                details.append(
                    StudentContactDetail(
                        link=link,
                        relationship_type=book.match(CodeType.RELATIONSHIP_TYPE, g.relationship),
                        has_custody=g.has_custody,
                        lives_with=g.lives_with,
                        allow_school_pickup=g.has_custody or g.contact_type.startswith("emergency"),
                        is_emergency_contact=True,
                        receives_mailings=g.lives_with,
                        allow_data_access=g.allow_data_access,
                    )
                )
    Phone.objects.bulk_create(list(phones.values()), batch_size=BATCH)
    ContactEmail.objects.bulk_create(emails, batch_size=BATCH)
    # bulk_create fills each foreign key from the related object saved just before.
    ContactPhone.objects.bulk_create(phone_links, batch_size=BATCH)
    Address.objects.bulk_create(addresses, batch_size=BATCH)
    ContactAddress.objects.bulk_create(address_links, batch_size=BATCH)
    StudentContact.objects.bulk_create(links, batch_size=BATCH)
    StudentContactDetail.objects.bulk_create(details, batch_size=BATCH)
    return {
        "schools": len(schools),
        "students": len(students),
        "contacts": len(contacts),
        "links": len(links),
    }
