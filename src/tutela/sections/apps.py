from django.apps import AppConfig


class SectionsConfig(AppConfig):
    name = "tutela.sections"
    label = "sections"
    verbose_name = "Class sections"

    def ready(self) -> None:
        # Changes through the ORM are audited; the sections import is audited by its import job.
        from auditlog.registry import auditlog

        from tutela.sections.models import Section

        auditlog.register(Section, m2m_fields={"teachers", "students"})
