"""The size cap of every file a form accepts (``TUTELA_UPLOAD_MAX_MB``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File


def within_upload_limit(upload: File) -> None:
    """A form field validator: refuse a file above the limit before anything reads it."""
    limit = settings.TUTELA_UPLOAD_MAX_MB
    if upload.size is not None and upload.size > limit * 1024 * 1024:
        raise ValidationError(f"The file is too large: Tutela accepts files of up to {limit} MB.")
