from django.apps import AppConfig


class WebConfig(AppConfig):
    """How Tutela is served: the application server and job worker commands, the trusted
    reverse proxy, health answers for the load balancer and the headers every page gets."""

    name = "tutela.web"
    label = "web"
    verbose_name = "Serving"
