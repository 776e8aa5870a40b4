from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tutela.notifications"
    label = "notifications"
