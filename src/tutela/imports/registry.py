"""The kinds of file ``tutela import KIND FILE`` understands."""

from __future__ import annotations

from tutela.imports.runner import Importer


def importers() -> dict[str, Importer]:
    from tutela.imports.contacts.importer import ContactImporter
    from tutela.imports.students import StudentImporter
    from tutela.provisioning.account_imports import AccountImporter, AccountStudentImporter

    found: list[Importer] = [
        StudentImporter(),
        ContactImporter(),
        AccountImporter(),
        AccountStudentImporter(),
    ]
    return {importer.kind: importer for importer in found}
