"""Existing DRF tokens (rest_framework.authtoken, stored in plain text) become hashed API
tokens that keep working, then the plain-text table is dropped. Runs per tenant schema; a
schema created after rest_framework.authtoken left INSTALLED_APPS has no such table."""

import hashlib

from django.db import migrations


def import_legacy_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name = 'authtoken_token'"
        )
        if cursor.fetchone() is None:
            return
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    ApiToken = apps.get_model("api_tokens", "ApiToken")
    for key, user_id, created in rows:
        ApiToken.objects.get_or_create(
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            defaults={"user_id": user_id, "name": "API token (before hashing)",
                      "prefix": key[:8], "scope": "read_write", "created_at": created},
        )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE authtoken_token")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("api_tokens", "0001_initial")]

    operations = [migrations.RunPython(import_legacy_tokens, migrations.RunPython.noop)]
