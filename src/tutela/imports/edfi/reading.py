"""Reading Ed-Fi XML interchanges: a folder or a ``.zip`` of them, each file streamed.

A file is known by its content (the root element and an ``http://ed-fi.org/`` namespace),
never by its name; a file that is not an Ed-Fi interchange is passed over. Each record
(a direct child of the root) is read into plain values as its end tag is parsed, then
cleared, so memory does not grow with the size of a file. The parser resolves no entity and
reaches no network, and a document type declaration (the home of every entity bomb and
external entity) refuses the file.

Data Standard 5.x names the parent ``Contact`` (``ContactUniqueId``,
``StudentContactAssociation``); 3.x and 4.x name it ``Parent`` (``ParentUniqueId``,
``StudentParentAssociation``). Both read into the same records.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lxml import etree

from tutela.core.tabular import FileProblem, refuse_oversized_parts

EDFI_NAMESPACE = "http://ed-fi.org/"
PERSON = ("Contact", "Parent")
ASSOCIATION = ("StudentContactAssociation", "StudentParentAssociation")


def descriptor_value(text: str) -> str:
    """A descriptor's code value: ``uri://ed-fi.org/RelationDescriptor#Mother`` is ``Mother``."""
    return text.rpartition("#")[2].strip() if "#" in text else text.strip()


@dataclass(frozen=True, slots=True)
class Place:
    """Where a record is: its file and the line its element starts on."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file} line {self.line}"


@dataclass(slots=True)
class Record:
    """One element of an interchange, as text: ``values`` by element path (``Name/FirstName``),
    ``lists`` of repeated parts (``Telephone``) each as its own values."""

    element: str
    place: Place
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    ref_id: str = ""  # the element's own ``id`` attribute (what a ``ref`` names)
    refs: dict[str, str] = field(default_factory=dict)  # reference element -> its ``ref``

    def get(self, path: str) -> str:
        return self.values.get(path, "")


@dataclass
class Interchanges:
    """Everything read: the records that become rows, and attendance folded into counts."""

    records: list[Record] = field(default_factory=list)
    # (student unique id, school id) -> how many attendance events name them
    attendance: Counter[tuple[str, str]] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)


# The parts of a record read as a list of their own values (the rest is read by path).
REPEATED = {"Address", "Telephone", "ElectronicMail"}
WANTED = {
    "School",
    "Student",
    "StudentSchoolAssociation",
    *PERSON,
    *ASSOCIATION,
}
ATTENDANCE = "StudentSchoolAttendanceEvent"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _flatten(element: etree._Element, prefix: str, into: dict[str, str], record: Record) -> None:
    for child in element:
        if not isinstance(child.tag, str):
            continue  # a comment or a processing instruction
        name = _local(child)
        path = f"{prefix}{name}"
        ref = child.get("ref")
        if ref is not None and not prefix:
            record.refs[name] = ref
        if len(child):
            _flatten(child, f"{path}/", into, record)
        else:
            into.setdefault(path, (child.text or "").strip())


def _record(element: etree._Element, name: str, place: Place) -> Record:
    record = Record(name, place, ref_id=element.get("id") or "")
    for child in element:
        if not isinstance(child.tag, str):
            continue
        local = _local(child)
        if local in REPEATED:
            part: dict[str, str] = {}
            _flatten(child, "", part, record)
            record.lists.setdefault(local, []).append(part)
        else:
            ref = child.get("ref")
            if ref is not None:
                record.refs[local] = ref
            if len(child):
                _flatten(child, f"{local}/", record.values, record)
            else:
                record.values.setdefault(local, (child.text or "").strip())
    return record


def read_interchanges(path: Path) -> Interchanges:
    """Every Ed-Fi record in the folder or ``.zip`` at ``path``; ``FileProblem`` if none."""
    found = Interchanges()
    if not path.exists():
        raise FileProblem(f"{path}: no such file or folder")
    for name, opened in _members(path):
        with opened() as handle:
            if _read_file(name, handle, found):
                found.files.append(name)
    if not found.files:
        raise FileProblem(
            f"{path}: holds no Ed-Fi XML interchange (an XML file whose root element is in "
            f"the {EDFI_NAMESPACE} namespace)"
        )
    return found


def _members(path: Path) -> Iterator[tuple[str, _Opener]]:
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            if file.suffix.lower() == ".xml":
                yield str(file.relative_to(path)), _opener(file)
        return
    if path.suffix.lower() == ".xml":
        yield path.name, _opener(path)
        return
    if not zipfile.is_zipfile(path):
        raise FileProblem(f"{path}: give a folder, a .zip of Ed-Fi XML files or one .xml file")
    archive = zipfile.ZipFile(path)
    members = sorted(
        (i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".xml")),
        key=lambda i: i.filename,
    )
    # Uploaded on the imports screen too: a member is measured before a byte of it is read.
    refuse_oversized_parts(path, members, what="the archive", instead="split it")
    for info in members:
        yield info.filename, _zip_opener(archive, info.filename)


class _Opener:
    def __init__(self, open_it: object) -> None:
        self.open_it = open_it

    @contextmanager
    def __call__(self) -> Iterator[IO[bytes]]:
        handle = self.open_it()  # type: ignore[operator]
        try:
            yield handle
        finally:
            handle.close()


def _opener(file: Path) -> _Opener:
    return _Opener(lambda: file.open("rb"))


def _zip_opener(archive: zipfile.ZipFile, name: str) -> _Opener:
    return _Opener(lambda: archive.open(name))


def _read_file(name: str, handle: IO[bytes], found: Interchanges) -> bool:
    """Read one file's records into ``found``; ``False``: not an Ed-Fi interchange."""
    parser = etree.iterparse(
        handle,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    depth = 0
    starts: dict[int, int] = {}
    try:
        for event, element in parser:
            if event == "start":
                depth += 1
                if depth == 1:
                    doctype = element.getroottree().docinfo.doctype
                    if doctype:
                        raise FileProblem(
                            f"{name}: holds a document type declaration ({doctype}); Ed-Fi "
                            "files have none, and entities (an entity bomb, an external "
                            "entity) are refused"
                        )
                    namespace = etree.QName(element).namespace or ""
                    if not namespace.startswith(EDFI_NAMESPACE):
                        return False
                elif depth == 2:
                    starts[id(element)] = element.sourceline or 0
                continue
            depth -= 1
            if depth != 1:
                continue
            local = _local(element)
            line = starts.pop(id(element), element.sourceline or 0)
            if local in WANTED:
                found.records.append(_record(element, local, Place(name, line)))
            elif local == ATTENDANCE:
                event_record = _record(element, local, Place(name, line))
                student = event_record.get("StudentReference/StudentIdentity/StudentUniqueId")
                school = event_record.get("SchoolReference/SchoolIdentity/SchoolId")
                if student and school:
                    found.attendance[(student, school)] += 1
            element.clear()
            while element.getprevious() is not None:
                parent = element.getparent()
                assert parent is not None
                del parent[0]
    except etree.XMLSyntaxError as error:
        message = str(error.msg or error)
        if "entit" in message.lower():
            message += " (entities are refused)"
        raise FileProblem(f"{name} line {error.lineno}: not well-formed XML: {message}") from None
    return True
