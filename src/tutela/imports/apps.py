from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "tutela.imports"
    label = "imports"
    verbose_name = "Imports"
