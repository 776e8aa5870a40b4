"""Import jobs get the lifecycle every job has: status, heartbeat, error.

Every job recorded before this was recorded once its import had committed: done.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_rejected_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="error",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="importjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importjob",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="done",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="queued",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
