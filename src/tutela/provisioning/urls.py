"""AutoCreate's staff screens, under ``/staff/autocreate/``."""

from django.urls import path

from tutela.provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("", views.autocreate, name="autocreate"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/progress.json", views.job_progress_json, name="job-progress"),
    path("jobs/<int:job_id>/plan.csv", views.job_plan_csv, name="job-plan"),
    path("jobs/<int:job_id>/run/", views.job_run_for_real, name="job-run"),
    path("jobs/<int:job_id>/retry/", views.job_retry, name="job-retry"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_edit, name="template-new"),
    path("templates/<int:template_id>/", views.template_edit, name="template"),
]
