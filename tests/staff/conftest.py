"""The imports screens' fixtures (``tests/staff/imports_helpers.py``)."""

from tests.staff.imports_helpers import data_folder, queue  # noqa: F401
