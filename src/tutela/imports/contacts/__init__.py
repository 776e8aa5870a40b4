"""The PowerSchool-compatible contacts import: ``tutela import contacts FILE``.

readers (``tutela.core.tabular``) -> ``validation`` (typed values and row errors, no writes)
-> grouping (related rows by ID, else Identifier) -> ``state`` (everything the file names,
loaded in a few queries) -> ``planning`` (each group accepted or rejected in memory, in file
order) -> ``writing`` (bulk deletes, inserts and updates) -> results.
"""
