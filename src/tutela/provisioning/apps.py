from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "tutela.provisioning"
    label = "provisioning"
    verbose_name = "Account provisioning"

    def ready(self) -> None:
        # Single changes are audited by auditlog; AutoCreate runs and account imports are
        # bulk writes, audited by their job records instead.
        from auditlog.registry import auditlog

        from tutela.provisioning import models

        auditlog.register(models.StudentAccount)
        # What parents are sent is the district's word: every edit is recorded.
        auditlog.register(models.EmailTemplate)
