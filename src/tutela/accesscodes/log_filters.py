"""Keep access codes out of Django's SQL debug log.

With ``DEBUG`` on and ``LOG_LEVEL=DEBUG`` Django logs every query with its parameters, and the
queries that look up, check or insert codes carry the codes themselves. A code is a key to a
child's records, so those queries are logged without their text.
"""

from __future__ import annotations

import logging

# Logging is configured before the apps load, so the model cannot be imported here; a test
# checks this is AccessCode's table.
TABLE = "accesscodes_accesscode"
HIDDEN = "(%.3f) a query on access codes (not shown: it may hold codes); alias=%s"


class HideAccessCodeQueries(logging.Filter):
    """On the ``django.db.backends`` logger: queries naming the codes table lose their text."""

    def filter(self, record: logging.LogRecord) -> bool:
        sql = str(getattr(record, "sql", "") or "")
        if TABLE not in sql:
            return True
        record.msg = HIDDEN
        record.args = (getattr(record, "duration", 0.0), getattr(record, "alias", "default"))
        record.sql = ""
        record.params = ()
        return True
