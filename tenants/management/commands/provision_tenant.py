from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.provisioning.services import tenant_provision
from tenants.urls_util import tenant_url


class Command(BaseCommand):
    help = "Create a tenant (clone of the template schema) with its first admin."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", default=None)
        parser.add_argument("--plan", default="starter")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            job = tenant_provision(
                name=options["name"], slug=options["slug"],
                admin_email=options["admin_email"], admin_password=options["admin_password"],
                plan=options["plan"], run_inline=True,
            )
        except ValidationError as exc:
            problems = "; ".join(f"{field}: {' '.join(msgs)}"
                                 for field, msgs in exc.message_dict.items())
            raise CommandError(problems) from exc
        if job.tenant is None:
            raise CommandError(f"Provisioning failed: {job.error}")
        tenant = job.tenant
        self.stdout.write(self.style.SUCCESS(f"Tenant {tenant.slug} ready in {job.seconds:.2f}s"))
        self.stdout.write(f"  Host:  {tenant.primary_host}")
        login = tenant_url(tenant, "/accounts/login/")
        self.stdout.write(f"  Login: {login} as {job.admin_email}")
