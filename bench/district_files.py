"""Realistic district files for benchmarks: a students file and a PowerSchool contacts file.

Built from ``tutela.sampledata.district.generate_district``: families with siblings who share
guardians (and a home phone and address), guardians with one or two emails and two phones,
grandparents as emergency contacts. Each guardian is one group of related rows (keyed by
``Identifier``): one row per child, email or phone, whichever is most, the address and the
access account on the first row.

    python bench/district_files.py --students 100000 --out /tmp/district
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from tutela.sampledata.district import District, SamplePhone, generate_district

STUDENT_HEADER = [
    "Student_Number",
    "First_Name",
    "Last_Name",
    "SchoolID",
    "Grade_Level",
    "School_Name",
]
CONTACT_HEADER = [
    "Identifier",
    "LastName",
    "FirstName",
    "Prefix",
    "Gender",
    "Employer",
    "IsActive",
    "Access Account User Name",
    "Access Account Email Address",
    "EmailAddress",
    "EmailType",
    "IsPrimaryEmailAddress",
    "PhoneNumber (as entered)",
    "PhoneTypeCode",
    "IsSMS",
    "Street",
    "City",
    "State",
    "PostalCode",
    "AddressType",
    "StudentNumber",
    "OriginalContactType",
    "RelationshipType",
    "ContactHasCustody",
    "ContactLivesWith",
    "ContactAllowSchoolPickup",
    "IsEmergencyContact",
    "ContactReceivesMailings",
    "AllowDataAccess",
]


def flag(value: bool) -> str:
    return "1" if value else "0"


def write_students(district: District, path: Path) -> int:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STUDENT_HEADER)
        for s in district.students:
            writer.writerow(
                [s.number, s.first_name, s.last_name, s.school.number, s.grade, s.school.name]
            )
    return len(district.students)


def write_contacts(district: District, path: Path) -> int:
    """Write the contacts file; return its number of data rows."""
    rows = 0
    work_serial = 0
    taken: set[str] = set()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CONTACT_HEADER)
        for family in district.families:
            address = family.address
            for g in family.guardians:
                emergency = g.contact_type.startswith("emergency")
                if g.employer and len(g.phones) == 2:
                    # A working parent also gives a work number (with an extension).
                    work_serial += 1
                    number = f"8{work_serial // 10_000_000 % 100:02d}-"
                    number += f"{work_serial // 10000 % 1000:03d}-{work_serial % 10000:04d}"
                    g.phones.append(
                        SamplePhone(f"{number} x{work_serial % 900 + 100}", "Work", False)
                    )
                count = max(len(family.children), len(g.emails), len(g.phones))
                username = g.emails[0].split("@")[0] if g.allow_data_access and g.emails else ""
                account_email = g.emails[0] if username else ""
                if username and username in taken:
                    # Two parents of one family with the same first name share an address.
                    username += f"-{g.key.rsplit('-', 1)[-1]}"
                    account_email = f"{username}@example.net"
                taken.add(username)
                for index in range(count):
                    first = index == 0
                    email = g.emails[index] if index < len(g.emails) else ""
                    phone = g.phones[index] if index < len(g.phones) else None
                    child = family.children[index] if index < len(family.children) else None
                    writer.writerow(
                        [
                            g.key,
                            g.last_name,
                            g.first_name,
                            g.prefix if first else "",
                            g.gender,
                            g.employer if first else "",
                            "1" if first else "",
                            username if first else "",
                            account_email if first else "",
                            email,
                            ("Home" if index == 0 else "Work") if email else "",
                            ("1" if index == 0 else "0") if email else "",
                            phone.number if phone else "",
                            phone.phone_type if phone else "",
                            flag(phone.is_sms) if phone else "",
                            address.street if first and not emergency else "",
                            address.city if first and not emergency else "",
                            address.state if first and not emergency else "",
                            address.postal_code if first and not emergency else "",
                            "Home" if first and not emergency else "",
                            child.number if child else "",
                            g.contact_type if child else "",
                            g.relationship if child else "",
                            flag(g.has_custody) if child else "",
                            flag(g.lives_with) if child else "",
                            flag(not emergency) if child else "",
                            flag(emergency) if child else "",
                            flag(g.has_custody) if child else "",
                            flag(g.allow_data_access) if child else "",
                        ]
                    )
                    rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    district = generate_district(args.students)
    students = write_students(district, args.out / "students.csv")
    rows = write_contacts(district, args.out / "contacts.csv")
    print(f"{students} students, {rows} contact rows ({rows / students:.2f} per student)")


if __name__ == "__main__":
    main()
