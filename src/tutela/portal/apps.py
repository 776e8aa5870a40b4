from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tutela.portal"
    label = "portal"
