"""The files Tutela hands to learning systems: OneRoster 1.1 CSV, Canvas SIS and Schoology.

Every writer asks ``tutela.rostering.selection`` which parent-child pairs may leave and
``tutela.rostering.identifiers`` for the sourcedIds, so no two formats can disagree.
"""
