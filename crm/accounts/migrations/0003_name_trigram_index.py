"""pg_trgm and a GIN trigram index on Account.name_normalized, when the server has pg_trgm.

Extensions live per database, not per schema: the extension is created once in ``public``
(every tenant schema's search_path ends in public, so all see its operators). A private
PostgreSQL without contrib has no pg_trgm; then this migration creates nothing and
crm.accounts.duplicates falls back to prefix/contains matching.
"""

from django.db import migrations

INDEX_NAME = "account_name_norm_trgm"


def _has_trgm(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if cursor.fetchone():
        return True
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if not cursor.fetchone():
        return False
    # A savepoint: without the privilege to create it, the migration must still succeed.
    cursor.execute("SAVEPOINT create_trgm")
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    except Exception:
        cursor.execute("ROLLBACK TO SAVEPOINT create_trgm")
        return False
    cursor.execute("RELEASE SAVEPOINT create_trgm")
    return True


def create_index(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        if not _has_trgm(cursor):
            return
        table = schema_editor.quote_name(apps.get_model("crm_accounts", "Account")._meta.db_table)
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON {table} "
            "USING gin (name_normalized public.gin_trgm_ops)"
        )


def drop_index(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("crm_accounts", "0002_account_settings")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
