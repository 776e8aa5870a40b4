from django.apps import AppConfig


class AccessCodesConfig(AppConfig):
    name = "tutela.accesscodes"
    label = "accesscodes"
    verbose_name = "Parent access codes"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from tutela.accesscodes import models

        # The code itself never enters the audit trail: it is a key to a child's records.
        auditlog.register(models.AccessCode, exclude_fields=["code"])
        auditlog.register(models.PendingLink)
        # Registration requests, attempts and blocks are themselves audit records.
