from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tutela.api"
    label = "api"
    verbose_name = "OneRoster API"
    default_auto_field = "django.db.models.BigAutoField"
