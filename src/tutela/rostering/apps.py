from django.apps import AppConfig


class RosteringConfig(AppConfig):
    name = "tutela.rostering"
    label = "rostering"
    verbose_name = "Rostering for learning systems"
