"""Reading a OneRoster CSV package (1EdTech's CSV binding, 1.1 or 1.2): a ``.zip`` whose
``manifest.csv`` says what it holds, with ``orgs.csv`` and ``users.csv`` (and, in 1.2, the
users' roles in ``roles.csv``).

The package is read where it is, never unpacked to disk: a member whose name could climb out
of a folder (``../``, an absolute path, a drive) refuses the package, and so does one that
would unpack to more than ``TUTELA_MAX_SHEET_MB`` (a small zip can unpack to many GB). Each
row keeps its file and row number (the header is row 1) for every message.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tutela.core.tabular import MAX_CELL_CHARACTERS, FileProblem, refuse_oversized_parts

VERSIONS = ("1.1", "1.2")
# The columns each file must have for Tutela to read it (the binding's required ones it uses).
REQUIRED = {
    "manifest.csv": ("propertyName", "value"),
    "orgs.csv": ("sourcedId", "name", "type"),
    "users.csv": ("sourcedId", "enabledUser", "username", "givenName", "familyName"),
    "roles.csv": ("userSourcedId", "roleType", "role", "orgSourcedId"),
}
# In 1.1 (and a 1.2 package written the 1.1 way) each user names its role and orgs itself.
USER_ROLE_COLUMNS = ("role", "orgSourcedIds")


@dataclass(frozen=True, slots=True)
class Place:
    """Where a row is: its file and its row number (the header is row 1)."""

    file: str
    row: int

    def __str__(self) -> str:
        return f"{self.file} row {self.row}"


@dataclass(slots=True)
class Record:
    """One row of ``orgs.csv`` or ``users.csv``: its values by the binding's column names."""

    place: Place
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def listed(self, name: str) -> list[str]:
        """A list field (comma-separated values in one cell), without blanks."""
        return [value.strip() for value in self.get(name).split(",") if value.strip()]


@dataclass
class Package:
    """What the package holds: its version, its orgs and its users (roles folded in)."""

    version: str
    orgs: list[Record] = field(default_factory=list)
    users: list[Record] = field(default_factory=list)

    @property
    def records(self) -> list[Record]:
        return [*self.orgs, *self.users]


def read_package(path: Path) -> Package:
    """The package at ``path``; ``FileProblem`` says why it is not one Tutela can read."""
    if not path.is_file():
        raise FileProblem(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise FileProblem(f"{path}: not a OneRoster package (a .zip of CSV files)")
    with zipfile.ZipFile(path) as archive:
        members = _members(path, archive)
        if "manifest.csv" not in members:
            raise FileProblem(f"{path}: not a OneRoster package: it has no manifest.csv")
        manifest = {
            r.get("propertyName"): r.get("value")
            for r in _rows(path, archive, members["manifest.csv"], "manifest.csv")
        }
        version = manifest.get("oneroster.version", "")
        if version not in VERSIONS:
            raise FileProblem(
                f"{path}: manifest.csv gives oneroster.version {version!r}; Tutela reads "
                f"OneRoster {' and '.join(VERSIONS)} packages"
            )
        if "users.csv" not in members:
            raise FileProblem(f"{path}: the package has no users.csv")
        package = Package(version)
        if "orgs.csv" in members:
            package.orgs = list(_rows(path, archive, members["orgs.csv"], "orgs.csv"))
        users = _rows(path, archive, members["users.csv"], "users.csv")
        first = next(users, None)
        package.users = [first, *users] if first is not None else []
        if first is not None and not all(name in first.values for name in USER_ROLE_COLUMNS):
            if "roles.csv" not in members:
                raise FileProblem(
                    f"{path}: users.csv has no role and orgSourcedIds columns, and the package "
                    "has no roles.csv to give them"
                )
            _fold_roles(package.users, _rows(path, archive, members["roles.csv"], "roles.csv"))
    return package


def _members(path: Path, archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The package's CSV files by name; refuses names that climb out and oversized files."""
    found: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise FileProblem(f"{path}: refused: the member {name!r} names a place outside it")
        if not info.is_dir() and len(parts) == 1:
            found[name] = info
    wanted = [found[name] for name in REQUIRED if name in found]
    refuse_oversized_parts(path, wanted, what="the package", instead="split it")
    return found


def _rows(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str
) -> Iterator[Record]:
    """The rows of one CSV file of the package, UTF-8 (a byte-order mark allowed)."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARACTERS))
    with archive.open(info) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text, strict=True)
        try:
            headers = [h.strip() for h in next(reader, [])]
            missing = [column for column in REQUIRED[name] if column not in headers]
            if missing:
                raise FileProblem(
                    f"{path}: {name} is missing the column(s) {', '.join(missing)} "
                    f"(its header row: {','.join(headers)[:200]!r})"
                )
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(headers):
                    raise FileProblem(
                        f"{path}: {name} row {number} has {len(cells)} cells but the header "
                        f"has {len(headers)}"
                    )
                yield Record(Place(name, number), dict(zip(headers, cells, strict=True)))
        except UnicodeDecodeError:
            raise FileProblem(f"{path}: {name} is not UTF-8 text") from None
        except csv.Error as error:
            raise FileProblem(
                f"{path}: {name} near line {reader.line_num} cannot be read: {error}"
            ) from None


def _fold_roles(users: list[Record], roles: Iterator[Record]) -> None:
    """A 1.2 package's ``roles.csv`` into each user's ``role`` and ``orgSourcedIds``: its
    primary role (else its first), and the orgs of every role it has."""
    found: dict[str, list[Record]] = {}
    for role in roles:
        found.setdefault(role.get("userSourcedId"), []).append(role)
    for user in users:
        held = found.get(user.get("sourcedId"), [])
        primary = next((r for r in held if r.get("roleType").lower() == "primary"), None)
        chosen = primary or (held[0] if held else None)
        user.values["role"] = chosen.get("role") if chosen else ""
        orgs = dict.fromkeys(r.get("orgSourcedId") for r in held if r.get("orgSourcedId"))
        user.values["orgSourcedIds"] = ",".join(orgs)
