"""The kinds of file ``tutela import KIND FILE`` (and the web upload) understand, by name."""

from __future__ import annotations

from typing import Any

from tutela.imports.engine import ImportKind


def importers() -> dict[str, ImportKind[Any]]:
    """Every import kind, in the order the command and the web page list them."""
    from tutela.imports.accounts import AccountImporter, AccountStudentImporter
    from tutela.imports.associations import AssociationImporter
    from tutela.imports.contacts.importer import ContactImporter
    from tutela.imports.edfi.importer import EdfiImporter
    from tutela.imports.oneroster.importer import OneRosterImporter
    from tutela.imports.parents import ParentImporter
    from tutela.imports.sections import SectionImporter
    from tutela.imports.students import StudentImporter

    found: list[ImportKind[Any]] = [
        StudentImporter(),
        ContactImporter(),
        AccountImporter(),
        AccountStudentImporter(),
        SectionImporter(),
        ParentImporter(),
        AssociationImporter(),
        EdfiImporter(),
        OneRosterImporter(),
    ]
    return {importer.kind: importer for importer in found}
