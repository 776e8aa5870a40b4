"""The imports screens, under ``/staff/imports/``."""

from django.urls import path

from tutela.staff.imports import downloads, views

app_name = "imports"

urlpatterns = [
    path("", views.history, name="history"),
    path("new/", views.new_import, name="new"),
    path("uploads/<int:upload_id>/", views.upload_detail, name="upload"),
    path("uploads/<int:upload_id>/map/", views.map_columns, name="map"),
    path("uploads/<int:upload_id>/progress.json", views.upload_progress, name="progress"),
    path("uploads/<int:upload_id>/confirm/", views.confirm, name="confirm"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/rejected/", downloads.rejected_rows, name="rejected"),
    path("jobs/<int:job_id>/rows.csv", downloads.all_rows, name="rows"),
]
