from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "tutela.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        # Import jobs are the audit record of bulk writes; the uploads and saved mappings
        # are single changes, audited by auditlog (not the file's headers and first rows:
        # children's data the log would keep after the upload is deleted).
        from auditlog.registry import auditlog

        from tutela.imports import models

        auditlog.register(models.ImportUpload, exclude_fields=["headers", "sample"])
        auditlog.register(models.ColumnMapping)
