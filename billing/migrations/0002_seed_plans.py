"""Default plans: starter, growth, enterprise (operators edit them afterwards; running
sync_stripe_plans puts them in Stripe)."""

from decimal import Decimal

from django.db import migrations

PLANS = [
    {"code": "starter", "name": "Starter", "price_monthly": Decimal("29.00"),
     "price_yearly": Decimal("290.00"), "seats_included": 3,
     "price_per_extra_seat": Decimal("12.00"), "sort_order": 10,
     "features": {"portal": False, "api": False, "custom_domain": False, "storage_gb": 5}},
    {"code": "growth", "name": "Growth", "price_monthly": Decimal("99.00"),
     "price_yearly": Decimal("990.00"), "seats_included": 10,
     "price_per_extra_seat": Decimal("10.00"), "sort_order": 20,
     "features": {"portal": True, "api": True, "custom_domain": False, "storage_gb": 50}},
    {"code": "enterprise", "name": "Enterprise", "price_monthly": Decimal("399.00"),
     "price_yearly": Decimal("3990.00"), "seats_included": 50,
     "price_per_extra_seat": Decimal("8.00"), "sort_order": 30,
     "features": {"portal": True, "api": True, "custom_domain": True, "storage_gb": 500}},
]


def seed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for data in PLANS:
        Plan.objects.get_or_create(code=data["code"], defaults={**data, "currency": "USD"})


def unseed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code__in=[p["code"] for p in PLANS], accounts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
