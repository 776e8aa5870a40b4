"""Row results move from a JSON column to gzipped JSON; existing jobs keep theirs."""

import gzip
import json

from django.db import migrations, models


def compress(apps, schema_editor):
    ImportJob = apps.get_model("imports", "ImportJob")
    for job in ImportJob.objects.only("pk", "row_results").iterator(chunk_size=100):
        text = json.dumps(job.row_results, ensure_ascii=False, separators=(",", ":"))
        job.row_results_gz = gzip.compress(text.encode("utf-8"), compresslevel=1)
        job.save(update_fields=["row_results_gz"])


def expand(apps, schema_editor):
    ImportJob = apps.get_model("imports", "ImportJob")
    for job in ImportJob.objects.only("pk", "row_results_gz").iterator(chunk_size=100):
        data = bytes(job.row_results_gz)
        job.row_results = json.loads(gzip.decompress(data)) if data else []
        job.save(update_fields=["row_results"])


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="row_results_gz",
            field=models.BinaryField(default=b""),
        ),
        migrations.RunPython(compress, expand),
        migrations.RemoveField(
            model_name="importjob",
            name="row_results",
        ),
    ]
