"""Tutela's own REST API (``/api/v1/``): a thin face over the same services and selectors as the
staff screens, reached with a staff member's personal API token."""
