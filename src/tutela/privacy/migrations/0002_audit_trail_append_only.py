"""On PostgreSQL, the audit trail is append-only: a trigger refuses to change or remove an audit
entry or its seal, whoever asks (the application, an admin's psql). One change stays possible:
the database setting an entry's actor to null when that account is deleted, the seal keeping
who it was. SQLite has no such guard; there ``tutela privacy verify-audit`` finds the edit."""

from typing import Any

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION tutela_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'auditlog_logentry'
       AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail cannot be changed: % of % row % refused',
        TG_OP, TG_TABLE_NAME, OLD.id USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TABLES = ("auditlog_logentry", "privacy_auditseal")


class PostgreSQLOnly(migrations.RunSQL):
    """SQL that only PostgreSQL runs (SQLite has no triggers in this language)."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_audit_seals"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=[
                FUNCTION,
                *(
                    f"CREATE TRIGGER tutela_audit_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION tutela_audit_append_only();"
                    for table in TABLES
                ),
            ],
            reverse_sql=[
                *(
                    f"DROP TRIGGER IF EXISTS tutela_audit_append_only ON {table};"
                    for table in TABLES
                ),
                "DROP FUNCTION IF EXISTS tutela_audit_append_only();",
            ],
        ),
    ]
