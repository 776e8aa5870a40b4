from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tutela.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from tutela.api.models import ApiToken

        # The token's hash never goes into the audit trail; its last use would fill it.
        auditlog.register(ApiToken, exclude_fields=["token_hash", "last_used_at"])
