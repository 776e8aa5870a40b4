"""A generated sample district: schools, students and their families.

Families are realistic enough to exercise the hard cases: siblings who share guardians, two
parents who share a home phone and address, guardians with several emails and phones, and
grandparents as emergency contacts. Names come from the Ed-Fi "Grand Bend" sample district.
The same generator feeds ``tutela demo`` and the benchmarks in ``bench/``.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any


@cache
def names() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("tutela.sampledata").joinpath("grand_bend.json").read_text("utf-8")
    )
    return data


@dataclass
class SampleSchool:
    number: str
    name: str
    grades: list[str]


@dataclass
class SampleStudent:
    number: str
    first_name: str
    last_name: str
    school: SampleSchool
    grade: str


@dataclass
class SamplePhone:
    number: str
    phone_type: str
    is_sms: bool


@dataclass
class SampleGuardian:
    """A guardian of a family; ``contact_type`` is the legacy slot (mother, father …)."""

    key: str
    first_name: str
    last_name: str
    gender: str
    prefix: str
    relationship: str
    contact_type: str
    emails: list[str] = field(default_factory=list)
    phones: list[SamplePhone] = field(default_factory=list)
    employer: str = ""
    has_custody: bool = True
    lives_with: bool = True
    allow_data_access: bool = True


@dataclass
class SampleAddress:
    street: str
    city: str
    state: str
    postal_code: str


@dataclass
class Family:
    children: list[SampleStudent]
    guardians: list[SampleGuardian]
    address: SampleAddress


@dataclass
class District:
    schools: list[SampleSchool]
    families: list[Family]

    @property
    def students(self) -> list[SampleStudent]:
        return [child for family in self.families for child in family.children]


def generate_district(students: int, seed: int = 2026) -> District:
    """About ``students`` students in families of one to four children."""
    rng = random.Random(seed)
    pool = names()
    schools = [SampleSchool(n, name, grades.split()) for n, name, grades in pool["schools"]]
    families: list[Family] = []
    made = 0
    phone_serial = 0
    family_serial = 0

    def phone() -> str:
        nonlocal phone_serial
        phone_serial += 1
        # 555-01xx style numbers are reserved for fiction; spread them over area codes.
        area = 200 + phone_serial // 10_000_000 % 800
        rest = phone_serial % 10_000_000
        return f"{area}-{rest // 10000:03d}-{rest % 10000:04d}"

    while made < students:
        family_serial += 1
        last = rng.choice(pool["last_names"])
        count = min(students - made, rng.choices([1, 2, 3, 4], weights=[45, 35, 15, 5])[0])
        children = []
        for _ in range(count):
            made += 1
            school = rng.choice(schools)
            children.append(
                SampleStudent(
                    number=str(100000 + made),
                    first_name=rng.choice(pool["student_first_names"]),
                    last_name=last,
                    school=school,
                    grade=rng.choice(school.grades),
                )
            )
        home = phone()
        address = SampleAddress(
            street=f"{rng.randint(1, 9999)} {rng.choice(pool['streets'])}",
            city=pool["city"],
            state=pool["state"],
            postal_code=pool["postal_code"],
        )
        shape = rng.choices(["two", "mother", "father", "guardian"], weights=[60, 25, 8, 7])[0]
        roles = {
            "two": [("mother", "F"), ("father", "M")],
            "mother": [("mother", "F")],
            "father": [("father", "M")],
            "guardian": [("guardian", rng.choice("FM"))],
        }[shape]
        guardians = []
        for index, (role, gender) in enumerate(roles):
            first = rng.choice(
                pool["female_first_names"] if gender == "F" else pool["male_first_names"]
            )
            key = f"F{family_serial}-{index + 1}"
            slug = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
            guardian = SampleGuardian(
                key=key,
                first_name=first,
                last_name=last,
                gender=gender,
                prefix=rng.choice(["Mrs", "Ms"]) if gender == "F" else "Mr",
                relationship=role.capitalize(),
                contact_type=role,
                emails=[f"{slug}.{family_serial}@example.org"],
                phones=[
                    SamplePhone(phone(), "Mobile", True),
                    SamplePhone(home, "Home", False),
                ],
                employer=rng.choice(["", "", "Grand Bend ISD", "County Hospital", "H-E-B"]),
            )
            if rng.random() < 0.3:
                guardian.emails.append(f"{slug}.work{family_serial}@example.com")
            guardians.append(guardian)
        if shape == "two" and rng.random() < 0.1:
            # A non-custodial parent: on file, but not granted the portal.
            guardians[1].has_custody = guardians[1].lives_with = False
            guardians[1].allow_data_access = False
        if rng.random() < 0.25:
            gender = rng.choice("FM")
            first = rng.choice(
                pool["female_first_names"] if gender == "F" else pool["male_first_names"]
            )
            guardians.append(
                SampleGuardian(
                    key=f"F{family_serial}-e",
                    first_name=first,
                    last_name=rng.choice(pool["last_names"]),
                    gender=gender,
                    prefix="Mrs" if gender == "F" else "Mr",
                    relationship="Grandmother" if gender == "F" else "Grandfather",
                    contact_type="emergency1",
                    phones=[SamplePhone(phone(), "Mobile", False)],
                    has_custody=False,
                    lives_with=False,
                    allow_data_access=False,
                )
            )
        families.append(Family(children=children, guardians=guardians, address=address))
    return District(schools=schools, families=families)
