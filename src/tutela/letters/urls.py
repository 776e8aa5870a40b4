"""The letters staff screens, under ``/staff/letters/``."""

from django.urls import path

from tutela.letters import views

app_name = "letters"

urlpatterns = [
    path("", views.print_view, name="print"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:template_id>/", views.template_edit, name="template"),
    path(
        "templates/<int:template_id>/preview.pdf",
        views.template_preview_pdf,
        name="template-preview",
    ),
]
