"""manage.py sync_stripe_plans: create or update Stripe Products and Prices for the plans
(idempotent: by product id and price lookup key)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.models import Plan
from billing.services.plans import plans_sync_to_stripe
from billing.stripe_client import StripeError


class Command(BaseCommand):
    help = "Sync billing plans to Stripe Products and Prices (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", action="append", default=[],
                            help="Only this plan code (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        plans = Plan.objects.all()
        if options["plan"]:
            plans = plans.filter(code__in=options["plan"])
            missing = set(options["plan"]) - set(plans.values_list("code", flat=True))
            if missing:
                raise CommandError(f"Unknown plan codes: {', '.join(sorted(missing))}")
        try:
            report = plans_sync_to_stripe(plans=list(plans))
        except StripeError as exc:
            raise CommandError(f"Stripe: {exc}") from exc
        for label, items in (("created", report.created), ("updated", report.updated),
                             ("unchanged", report.unchanged)):
            for item in items:
                self.stdout.write(f"{label}: {item}")
        self.stdout.write(self.style.SUCCESS(
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        ))
