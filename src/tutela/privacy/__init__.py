"""FERPA's protections: the audit trail that cannot be edited unseen, the age-18 hand-over,
and who sees a child."""
