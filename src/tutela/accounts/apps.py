from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tutela.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from tutela.accounts import signals
        from tutela.accounts.models import AccessToken, Account

        # Password hashes and token hashes never go into the audit trail. Which schools a
        # staff account sees, and its groups and permissions, decide whose records it can
        # read: those changes are audited too.
        auditlog.register(
            Account,
            exclude_fields=["password", "last_login"],
            m2m_fields={"schools", "groups", "user_permissions"},
        )
        auditlog.register(AccessToken, exclude_fields=["token_hash"])
        user_logged_in.connect(signals.on_signed_in, dispatch_uid="tutela-signed-in")
        user_logged_out.connect(signals.on_signed_out, dispatch_uid="tutela-signed-out")
        user_login_failed.connect(signals.on_sign_in_failed, dispatch_uid="tutela-sign-in-failed")
        user_locked_out.connect(signals.on_locked_out, dispatch_uid="tutela-locked-out")
