"""Bring a database to a runnable platform: migrate, public tenant, template, operator, and
optionally the demo tenant with its logins and data. Safe to run again."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import schema_context

from tenants.demo import registered_seeders
from tenants.models import Tenant
from tenants.provisioning import warm_pool
from tenants.provisioning.platform_setup import (
    operator_ensure,
    public_tenant_ensure,
    template_ensure,
)
from tenants.provisioning.services import resume_unfinished_provisioning, tenant_provision
from tenants.urls_util import public_url, tenant_url
from tenants.users.models import Role, User, UserKind

DEMO_PASSWORD = "demo-pass-123"
DEMO_USERS = [
    ("manager@demo.test", "Mia", "Manager", Role.MANAGER),
    ("rep@demo.test", "Ray", "Rep", Role.SALES_REP),
    ("rep2@demo.test", "Rosa", "Rep", Role.SALES_REP),
    ("agent@demo.test", "Ada", "Agent", Role.SERVICE_AGENT),
]


class Command(BaseCommand):
    help = "Migrate and prepare the platform; with --demo, the demo tenant and logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--demo", action="store_true", help="Create the demo tenant.")
        parser.add_argument("--no-warm-pool", action="store_true")

    def handle(self, *args: Any, demo: bool = False, no_warm_pool: bool = False,
               **options: Any) -> None:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure()
        template_ensure()
        call_command("migrate_tenants", tenant=True, interactive=False, verbosity=0)
        resumed = resume_unfinished_provisioning()
        if resumed:
            self.stdout.write(f"Resumed {resumed} unfinished sign-up(s).")
        if demo:
            self._demo()
        if not no_warm_pool:
            created = warm_pool.refill()
            if created:
                self.stdout.write(f"Warm pool: {created} spare schema(s) ready.")

    def _demo(self) -> None:
        operator_ensure(email="operator@platform.test", password=DEMO_PASSWORD)
        tenant = Tenant.objects.filter(slug="demo").first()
        if tenant is None:
            # Dev requires a password without the production strength rules' friction:
            # create directly through the service with the documented demo password.
            job = tenant_provision(
                name="Demo Trading Co.", slug="demo", admin_email="admin@demo.test",
                admin_password=None, run_inline=True,
            )
            tenant = job.tenant
            if tenant is None:
                raise RuntimeError(f"Demo provisioning failed: {job.error}")
        with schema_context(tenant.schema_name):
            admin = User.objects.get(email="admin@demo.test")
            admin.first_name, admin.last_name = "Alex", "Admin"
            admin.set_password(DEMO_PASSWORD)
            admin.save()
            for email, first, last, role in DEMO_USERS:
                user, created = User.objects.get_or_create(
                    email=email,
                    defaults={"first_name": first, "last_name": last, "role": role,
                              "kind": UserKind.STAFF},
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save()
            for seeder in registered_seeders():
                self.stdout.write(f"Demo data: {seeder.name}")
                seeder.run()
        connection.set_schema_to_public()
        self._print_summary(tenant)

    def _print_summary(self, tenant: Tenant) -> None:
        lines = [
            "",
            "Platform ready.",
            f"  Public site and sign-up:  {public_url('/')}",
            f"  Operator console:         {public_url('/operator/')}  (operator@platform.test)",
            f"  Demo portal:              {tenant_url(tenant, '/')}",
            f"  Demo CRM:                 {tenant_url(tenant, '/crm/')}",
            f"  API docs:                 {tenant_url(tenant, '/api/docs/')}",
            "  Demo logins (password demo-pass-123): admin@demo.test, manager@demo.test,",
            "    rep@demo.test, rep2@demo.test, agent@demo.test",
            f"  Portal members (same password, {tenant_url(tenant, '/portal/')}):",
            "    buyer@customer.test (customer admin, head office and branches),",
            "    engineer@customer.test (member at a branch)",
            f"  Platform domain: {settings.PLATFORM_DOMAIN}",
            "",
        ]
        self.stdout.write("\n".join(lines))
