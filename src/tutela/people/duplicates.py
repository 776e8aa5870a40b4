"""Finding contacts that are the same person entered twice, without comparing every pair.

The same mother entered at two schools, a father with two spellings, a registrant who typed an
access code instead of being found: each is a parent who sees only some of their children, or
keeps access through one record after a court order was entered on the other.

Contacts are grouped by *blocking keys* (an email, a phone's digits with the sound of the last
name, a street address, a state contact ID, the sound of the whole name), and only contacts
sharing a key are compared. A key held by more than ``BLOCK_LIMIT`` contacts names no one
person (a school's office phone, a shelter's address) and pairs nobody. Each compared pair
collects its evidence:

- the same email on both (any of their emails, ignoring case);
- the same phone digits and the same last name;
- the same street address and similar first and last names;
- the same state contact ID;

and a score from 0 to 1: the evidence's weights combined, scaled by how alike the names are
(first and last names folded for case and accents, compared by Jaro-Winkler similarity from
rapidfuzz, the first name weighing most), so a mother and father sharing the home phone do not
look like one person. Pairs
scoring under ``MIN_SCORE``, and pairs staff marked "not duplicates", are not listed.

The contacts are read in a few queries and compared in memory: a district of 100,000 students
(111,481 contacts) is searched in seconds (docs/performance.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from rapidfuzz.distance import JaroWinkler

from tutela.accounts.scopes import Actor, Scope
from tutela.people.models import (
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    NotDuplicates,
    School,
)

BLOCK_LIMIT = 25
MIN_SCORE = 0.4
# Jaro-Winkler at or above this is a "similar" name: Jon/John 0.93, Smith/Smyth 0.89.
SIMILAR = 0.85

WEIGHTS = {"email": 0.7, "phone": 0.5, "address": 0.5, "state_id": 0.8}

_ABBREVIATIONS = {
    "street": "st",
    "avenue": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "boulevard": "blvd",
    "court": "ct",
    "place": "pl",
    "circle": "cir",
    "highway": "hwy",
    "parkway": "pkwy",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "apartment": "apt",
    "suite": "ste",
}


def fold(text: str) -> str:
    """``text`` without case, accents or punctuation, its words single-spaced: José → jose."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", bare).split())


_SOUND_GROUPS = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def name_sound(name: str) -> str:
    """A name's sound, American Soundex's way: its first letter and the groups of the
    consonants after it, so Smith and Smyth, Catherine and Cathryn, share a key."""
    letters = [c for c in fold(name) if c.isalpha()]
    if not letters:
        return ""
    code, last = [letters[0]], _SOUND_GROUPS.get(letters[0], "")
    for letter in letters[1:]:
        group = _SOUND_GROUPS.get(letter, "")
        if group and group != last:
            code.append(group)
        if letter not in "hw":
            last = group
    return "".join(code)[:4].ljust(4, "0")


def address_key(street: str, unit: str, city: str, postal_code: str) -> str:
    """A street address as a key: folded, the usual words abbreviated (Street → st), with its
    unit and its postal code (or city, when there is none)."""
    words = [_ABBREVIATIONS.get(word, word) for word in fold(f"{street} {unit}").split()]
    place = fold(postal_code)[:5] or fold(city)
    return f"{' '.join(words)}|{place}" if words else ""


@dataclass
class Person:
    """What the search compares of one contact, folded once."""

    pk: int
    first: str
    last: str
    state_id: str
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    addresses: dict[str, str] = field(default_factory=dict)  # key → the street as written


@dataclass(frozen=True)
class Pair:
    """Two contacts that may be one person: ``a`` the lower id, the score, and why."""

    a: int
    b: int
    score: float
    evidence: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": self.score, "evidence": self.evidence}


def touching(school: School) -> Q:
    """Contacts that touch ``school``: linked to one of its students, or put in it by a
    parent file."""
    return Q(student_links__student__school=school) | Q(schools=school)


def searched_contacts(*, actor: Actor, school: School | None = None) -> QuerySet[Contact]:
    """The contacts a search by ``actor`` looks among: those its scope reaches (a school's
    staff, the contacts touching their schools), narrowed to one school's if asked."""
    contacts = Scope.of(actor).contacts()
    if school is not None:
        contacts = contacts.filter(pk__in=Contact.objects.filter(touching(school)).values("pk"))
    return contacts


def load_people(contacts: QuerySet[Contact], *, everyone: bool = False) -> dict[int, Person]:
    """The people behind ``contacts``, in four queries (``everyone``: no filter at all, the
    district-wide search's plain table scans)."""

    def among(rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows if everyone else rows.filter(contact__in=contacts.values("pk"))

    people = {
        pk: Person(pk, fold(first), fold(last), state_id.strip().casefold())
        for pk, first, last, state_id in (
            Contact.objects.all() if everyone else Contact.objects.filter(pk__in=contacts)
        ).values_list("pk", "first_name", "last_name", "state_contact_id")
    }
    emails = among(ContactEmail.objects.all()).values_list("contact_id", Lower("address"))
    for pk, address in emails:
        if pk in people:
            people[pk].emails.add(address.strip())
    for pk, digits in among(ContactPhone.objects.all()).values_list("contact_id", "phone__digits"):
        if pk in people and digits:
            people[pk].phones.add(digits)
    addresses = among(ContactAddress.objects.all()).values_list(
        "contact_id", "address__street", "address__unit", "address__city", "address__postal_code"
    )
    for pk, street, unit, city, postal_code in addresses:
        key = address_key(street, unit, city, postal_code)
        if pk in people and key:
            people[pk].addresses[key] = street
    return people


def blocking_keys(person: Person) -> Iterable[tuple[str, ...]]:
    """The keys a person is filed under; only people sharing a key are compared."""
    last_sound = name_sound(person.last)
    for email in person.emails:
        yield ("email", email)
    for digits in person.phones:
        yield ("phone", digits, last_sound)
    for key in person.addresses:
        yield ("address", key)
    if person.state_id:
        yield ("state_id", person.state_id)
    if last_sound:
        yield ("name", last_sound, name_sound(person.first))


def similarity(x: str, y: str) -> float:
    return float(JaroWinkler.normalized_similarity(x, y)) if x and y else 0.0


def compare(x: Person, y: Person) -> Pair | None:
    """The evidence that ``x`` and ``y`` are one person, and its score; ``None`` for none."""
    evidence: list[str] = []
    weights: list[float] = []
    # A blank first name (an initial-less "Mr Lake") neither helps nor hurts.
    first = similarity(x.first, y.first) if x.first and y.first else 0.9
    last = similarity(x.last, y.last)
    for email in sorted(x.emails & y.emails):
        evidence.append(f"same email {email}")
        weights.append(WEIGHTS["email"])
    if x.last == y.last:
        for digits in sorted(x.phones & y.phones):
            evidence.append(f"same phone {digits} and last name")
            weights.append(WEIGHTS["phone"])
    if first >= SIMILAR and last >= SIMILAR:
        for key in sorted(x.addresses.keys() & y.addresses.keys()):
            evidence.append(f"same address {x.addresses[key]} and similar names")
            weights.append(WEIGHTS["address"])
    if x.state_id and x.state_id == y.state_id:
        evidence.append("same state contact ID")
        weights.append(WEIGHTS["state_id"])
    if not evidence:
        return None
    doubt = 1.0
    for weight in weights:
        doubt *= 1 - weight
    # The first name weighs most: a household shares a last name, a phone, an address.
    evidence.append(f"name similarity {first:.2f} (first), {last:.2f} (last)")
    score = round((1 - doubt) * (0.2 + 0.8 * first) * (0.6 + 0.4 * last), 3)
    a, b = sorted((x.pk, y.pk))
    return Pair(a=a, b=b, score=score, evidence=evidence)


def decided_pairs() -> set[tuple[int, int]]:
    return set(NotDuplicates.objects.values_list("contact_a_id", "contact_b_id"))


def pairs_among(people: dict[int, Person], *, min_score: float = MIN_SCORE) -> list[Pair]:
    """Every pair of ``people`` sharing a blocking key and scoring ``min_score`` or more,
    best first; pairs marked "not duplicates" left out."""
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for person in people.values():
        for key in set(blocking_keys(person)):
            blocks[key].append(person.pk)
    decided = decided_pairs()
    seen: set[tuple[int, int]] = set()
    found: list[Pair] = []
    for members in blocks.values():
        if len(members) < 2 or len(members) > BLOCK_LIMIT:
            continue
        for one, other in combinations(sorted(members), 2):
            if (one, other) in seen or (one, other) in decided:
                continue
            seen.add((one, other))
            pair = compare(people[one], people[other])
            if pair is not None and pair.score >= min_score:
                found.append(pair)
    found.sort(key=lambda p: (-p.score, p.a, p.b))
    return found


def find_duplicates(*, actor: Actor, school: School | None = None) -> list[Pair]:
    """The pairs of contacts ``actor`` may see that may be one person, best first: both
    contacts in ``actor``'s scope (and touching ``school``, when given)."""
    district_wide = Scope.of(actor).district_wide and school is None
    contacts = searched_contacts(actor=actor, school=school)
    return pairs_among(load_people(contacts, everyone=district_wide))


def pair_of(*, actor: Actor, a: int, b: int) -> Pair | None:
    """The evidence for two contacts ``actor`` may see, as the search would list them (whether
    or not it would: staff may open any two of their contacts side by side)."""
    people = load_people(searched_contacts(actor=actor).filter(pk__in=[a, b]))
    if len(people) != 2 or a == b:
        return None
    return compare(people[a], people[b])
