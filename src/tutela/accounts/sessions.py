"""The session store: Django's database sessions, each request's read prepared once.

Every signed-in request reads its session row; it is read here with a ``PreparedQuery`` by
its key alone, and its expiry is checked in Python, where Django's own store compiles an
``expire_date__gt=now`` query each time. Writing, expiry and ``clearsessions`` are Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from tutela.core.prepared import PreparedQuery

_BY_KEY = PreparedQuery(lambda key: Session.objects.filter(session_key=key), str)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = _BY_KEY(self.session_key) if isinstance(self.session_key, str) else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
