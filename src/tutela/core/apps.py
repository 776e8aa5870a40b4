from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tutela.core"
    label = "core"
    verbose_name = "Tutela core"

    def ready(self) -> None:
        from auditlog.models import LogEntry
        from django.db.models.signals import pre_save

        from tutela.core.audit import name_command_line_actor

        pre_save.connect(
            name_command_line_actor, sender=LogEntry, dispatch_uid="tutela-command-line-actor"
        )
