from typing import Any

from django.core.management.base import BaseCommand

from tenants.models import Tenant, TenantKind
from tenants.services import staff_counts


class Command(BaseCommand):
    help = "List tenants with status, plan, users and domains."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="Include template and spares.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.prefetch_related("domains").order_by("created_at")
        if not options["all"]:
            tenants = tenants.filter(kind=TenantKind.CUSTOMER)
        tenants = list(tenants)
        counts = staff_counts(tenants)
        header = f"{'SLUG':<24} {'STATUS':<13} {'PLAN':<12} {'USERS':>5}  {'SCHEMA':<26} DOMAINS"
        self.stdout.write(header)
        for t in tenants:
            domains = ", ".join(d.domain for d in t.domains.all()) or "-"
            self.stdout.write(
                f"{t.slug:<24} {t.status:<13} {t.plan_code:<12} {counts.get(t.pk, 0):>5}  "
                f"{t.schema_name:<26} {domains}"
            )
        self.stdout.write(f"{len(tenants)} tenant(s)")
