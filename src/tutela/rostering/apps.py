from django.apps import AppConfig


class RosteringConfig(AppConfig):
    name = "tutela.rostering"
    label = "rostering"
    verbose_name = "Rostering for learning systems"

    def ready(self) -> None:
        # Who may read the OneRoster API is audited; the hash of a client's secret is not.
        from auditlog.registry import auditlog
        from oauth2_provider.models import Application

        from tutela.rostering.models import RosteringClient, SyncDelivery, SyncTarget

        auditlog.register(RosteringClient, m2m_fields={"schools"})
        auditlog.register(Application, exclude_fields=["client_secret"])
        auditlog.register(SyncTarget, m2m_fields={"schools"})
        auditlog.register(SyncDelivery)
