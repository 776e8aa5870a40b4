"""Keep secrets out of every log.

With ``DEBUG`` on and ``LOG_LEVEL=DEBUG`` Django logs every query with its parameters, and some
queries carry secrets themselves: parent access codes (a key to a child's records), two-step
sign-in's app secrets and recovery codes (a second factor), and the account lookup of a
sign-in, whose "username" is now and then the password typed into the wrong box. Those queries
are logged without their text. Django's request log names the path of a refused request, and
the path of an emailed link holds its token: it is logged as ``[token]``.
"""

from __future__ import annotations

import logging
import re

from django.urls import Resolver404, resolve

# Logging is configured before the apps load, so the models cannot be imported here; tests
# check these are the tables of AccessCode, TOTPDevice and StaticToken.
TABLES = {
    "accesscodes_accesscode": "access codes",
    "otp_totp_totpdevice": "two-step sign-in",
    "otp_static_statictoken": "recovery codes",
}
# Finding an account by what was typed to sign in (``iexact``: LIKE on SQLite, UPPER() on
# PostgreSQL).
TYPED_NAME = re.compile(r'"accounts_account"\."(?:username|email)"(?:::text\))? (?:LIKE|= UPPER)')
HIDDEN = "(%.3f) a query on %s (not shown: it may hold secrets); alias=%s"


class HideSecretQueries(logging.Filter):
    """On the ``django.db.backends`` logger: queries that may hold a secret lose their text."""

    def filter(self, record: logging.LogRecord) -> bool:
        sql = str(getattr(record, "sql", "") or "")
        named = [what for table, what in TABLES.items() if table in sql]
        if TYPED_NAME.search(sql):
            named.append("accounts by what was typed to sign in")
        if not named:
            return True
        record.msg = HIDDEN
        record.args = (
            getattr(record, "duration", 0.0),
            " and ".join(named),
            getattr(record, "alias", "default"),
        )
        record.sql = ""
        record.params = ()
        return True


def path_without_tokens(path: str) -> str:
    """``/register/<token>/`` as ``/register/[token]/``: a logged link must not work."""
    try:
        match = resolve(path)
    except Resolver404:
        return path
    for name, value in match.kwargs.items():
        if "token" in name and value:
            path = path.replace(str(value), "[token]")
    return path


class HideTokensInPaths(logging.Filter):
    """On Django's request and server logs: a path's token is logged as ``[token]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                path_without_tokens(arg) if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        return True


ISSUED = "[the issued token, not shown]"


class HideIssuedTokens(logging.Filter):
    """On oauthlib's grant types (settings name them), which log each token they issue, whole,
    at DEBUG: "Issuing token to client id ..." names the client, not the token it was given
    (a learning system's key to the roster)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                ISSUED if isinstance(arg, dict) and "access_token" in arg else arg
                for arg in record.args
            )
        return True
