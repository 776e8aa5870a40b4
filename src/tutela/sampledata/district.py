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
    state_contact_id: str = ""
    # A planted duplicate: the key of the guardian this one re-enters, and how it can be told.
    duplicate_of: str = ""
    planted_by: str = ""
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


def generate_district(students: int, seed: int = 2026, duplicates: int = 0) -> District:
    """About ``students`` students in families of one to four children; with ``duplicates``,
    that many guardians entered a second time (``plant_duplicates``). Without it the district
    is exactly what it always was, so other benchmarks are unchanged."""
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
    district = District(schools=schools, families=families)
    if duplicates:
        plant_duplicates(district, duplicates, random.Random(seed + 1))
    return district


# How a planted duplicate can be told from its original, one kind after another.
PLANTED_KINDS = ("email", "phone", "address", "state_id")


def _misspelt(name: str, rng: random.Random) -> str:
    """A typing slip: two letters after the first swapped, or a letter doubled."""
    if len(name) > 3 and rng.random() < 0.5:
        i = rng.randrange(1, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    i = rng.randrange(1, len(name)) if len(name) > 1 else 0
    return name[: i + 1] + name[i] + name[i + 1 :]


def plant_duplicates(district: District, count: int, rng: random.Random) -> None:
    """Enter ``count`` custodial guardians a second time in their own family, as districts do:
    the same mother registered again by another school or by an access code. Each copy shares
    one kind of evidence with its original (``PLANTED_KINDS`` in turn) and nothing else a
    search could pair them by: the same email in other capitals; the same mobile phone and last
    name, the first name misspelt; the same home address, the first name in capitals; the same
    state contact ID, the first name misspelt. ``duplicate_of`` names the original, so a
    benchmark can count what the search finds."""
    parents = [
        (family, g)
        for family in district.families
        for g in family.guardians
        if g.has_custody and g.emails
    ]
    for index, (family, original) in enumerate(rng.sample(parents, min(count, len(parents)))):
        kind = PLANTED_KINDS[index % len(PLANTED_KINDS)]
        copy = SampleGuardian(
            key=f"{original.key}-dup",
            first_name=original.first_name,
            last_name=original.last_name,
            gender=original.gender,
            prefix=original.prefix,
            relationship=original.relationship,
            contact_type="",
            has_custody=original.has_custody,
            lives_with=False,
            allow_data_access=original.allow_data_access,
            duplicate_of=original.key,
            planted_by=kind,
        )
        if kind == "email":
            copy.emails = [original.emails[0].upper()]
        elif kind == "phone":
            copy.first_name = _misspelt(original.first_name, rng)
            copy.phones = [original.phones[0]]
        elif kind == "address":
            copy.first_name = original.first_name.upper()
            copy.lives_with = True
        else:
            copy.first_name = _misspelt(original.first_name, rng)
            original.state_contact_id = copy.state_contact_id = f"TX{900001 + index}"
        family.guardians.append(copy)
