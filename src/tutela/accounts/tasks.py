"""Background tasks of accounts: thin adapters over the services, run by ``tutela worker``."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from tutela.accounts.services import ResetRequest, send_password_reset


@db_task()
def password_reset_task(account_id: int | None, recorded: str, ip: str | None) -> None:
    send_password_reset(request=ResetRequest(account_id, recorded), ip=ip)
