from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tutela.core"
    label = "core"
    verbose_name = "Tutela core"
