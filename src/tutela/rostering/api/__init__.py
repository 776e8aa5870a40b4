"""The OneRoster 1.2 Rostering REST service (read-only) and its OAuth 2.0 token endpoint."""
