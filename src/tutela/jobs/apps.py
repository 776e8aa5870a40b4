from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "tutela.jobs"
    label = "jobs"
    verbose_name = "Jobs"
