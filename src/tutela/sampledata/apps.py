from django.apps import AppConfig


class SampleDataConfig(AppConfig):
    """The generated sample district and ``tutela demo``, which serves it on localhost."""

    name = "tutela.sampledata"
    label = "sampledata"
    verbose_name = "Sample district"
