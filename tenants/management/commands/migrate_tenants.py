"""migrate_schemas for every tenant whose schema exists.

django-tenants' migrate_schemas stops at the first tenant row without a schema; a sign-up
still waiting for its provisioning job has such a row. Its schema is built later by cloning
the migrated template (setup_platform resumes those jobs), so it is skipped here.
"""

from typing import Any

from django.conf import settings
from django.db import connection
from django_tenants.management.commands import SyncCommon
from django_tenants.management.commands.migrate_schemas import (
    GET_EXECUTOR_FUNCTION,
    MigrateSchemasCommand,
)

from tenants.models import Tenant


class Command(MigrateSchemasCommand):
    help = (
        "Migrate the public schema and every tenant schema that exists "
        "(in parallel with --executor=multiprocessing)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        SyncCommon.handle(self, *args, **options)
        executor = GET_EXECUTOR_FUNCTION(codename=self.executor)(self.args, self.options)
        public = settings.PUBLIC_SCHEMA_NAME
        if self.sync_public:
            executor.run_migrations(tenants=[public])
        if not self.sync_tenant:
            return
        names = list(
            Tenant.objects.exclude(schema_name=public).order_by("pk")
            .values_list("schema_name", flat=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT schema_name FROM information_schema.schemata WHERE schema_name = ANY(%s)",
                [names],
            )
            existing = {row[0] for row in cursor.fetchall()}
        skipped = [name for name in names if name not in existing]
        if skipped and options.get("verbosity", 1):
            self.stdout.write(f"Not built yet, skipped: {', '.join(skipped)}")
        executor.run_migrations(tenants=[name for name in names if name in existing])
