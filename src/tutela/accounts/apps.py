from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tutela.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from tutela.accounts.models import Account

        # Password hashes never go into the audit trail.
        auditlog.register(Account, exclude_fields=["password", "last_login"])
