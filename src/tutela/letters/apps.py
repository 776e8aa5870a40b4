from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "tutela.letters"
    label = "letters"
    verbose_name = "Letters home"

    def ready(self) -> None:
        # What families are told on paper is the district's word: every edit is recorded.
        from auditlog.registry import auditlog

        from tutela.letters import models

        auditlog.register(models.LetterTemplate)
