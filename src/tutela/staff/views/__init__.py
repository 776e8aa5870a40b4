"""Staff screens, one module per screen (``staff/urls.py`` names them).

Only enabled staff accounts reach them; everything is read through the actor's ``Scope``
(``people.selectors``), so school staff see only their schools' students and those students'
contacts, and anything else answers 404. Whether they may change a contact (its account, a
merge) is the services' rule: a refusal answers 403.
"""
