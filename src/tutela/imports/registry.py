"""The kinds of file ``tutela import KIND FILE`` understands."""

from __future__ import annotations

from tutela.imports.runner import Importer


def importers() -> dict[str, Importer]:
    from tutela.imports.contacts.importer import ContactImporter
    from tutela.imports.students import StudentImporter
    from tutela.provisioning.account_imports import AccountImporter, AccountStudentImporter
    from tutela.sections.importer import SectionImporter

    found: list[Importer] = [
        StudentImporter(),
        ContactImporter(),
        AccountImporter(),
        AccountStudentImporter(),
        SectionImporter(),
    ]
    return {importer.kind: importer for importer in found}
