from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tutela.privacy"
    label = "privacy"
    verbose_name = "Privacy (FERPA)"
