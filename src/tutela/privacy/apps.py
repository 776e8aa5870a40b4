from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tutela.privacy"
    label = "privacy"
    verbose_name = "Privacy (FERPA)"

    def ready(self) -> None:
        from auditlog.models import LogEntry
        from django.db.models.signals import post_save

        from tutela.privacy.chain import seal_entry

        # The audit trail's own bookkeeping, not a side effect of the project's models: every
        # entry is sealed in the transaction that writes it, whichever service writes it.
        post_save.connect(seal_entry, sender=LogEntry, dispatch_uid="tutela-audit-seal")

        from auditlog.registry import auditlog

        from tutela.privacy.models import MajorityException, MajorityHandover

        auditlog.register(MajorityException)
        auditlog.register(MajorityHandover)
