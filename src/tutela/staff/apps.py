from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "tutela.staff"
    label = "staff"
