"""The daily age-of-majority run: parents' access ends on their child's 18th birthday."""

from __future__ import annotations

import datetime

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tutela.core.audit import command_line_user
from tutela.privacy.majority import hand_over


@db_periodic_task(crontab(hour="2", minute="41"))
def age_of_majority_task() -> None:
    # Early in the day, so a parent sees nothing on the birthday itself.
    hand_over(actor=command_line_user(), today=datetime.date.today())
