from django.apps import AppConfig


class RosteringConfig(AppConfig):
    name = "tutela.rostering"
    label = "rostering"
    verbose_name = "Rostering for learning systems"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from tutela.rostering.models import SyncDelivery, SyncTarget

        auditlog.register(SyncTarget, m2m_fields={"schools"})
        auditlog.register(SyncDelivery)
