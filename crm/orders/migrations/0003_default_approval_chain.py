"""Every tenant starts with the demo chain of issue 9: the sales manager reviews every order,
finance (the administrators) re-checks from 500,000 in the tenant currency. Tenants change
it on /crm/settings/orders/; a tenant that already has steps keeps them."""

from decimal import Decimal

from django.db import migrations


def add_default_chain(apps, schema_editor):
    step = apps.get_model("crm_orders", "ApprovalChainStep")
    if step.objects.exists():
        return
    step.objects.create(position=1, label="Sales manager review", approver_kind="team_manager",
                        min_amount=Decimal(0))
    step.objects.create(position=2, label="Finance re-check", approver_kind="role",
                        role="admin", min_amount=Decimal(500000))
    settings_model = apps.get_model("crm_orders", "OrderSettings")
    settings_model.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("crm_orders", "0002_approval_chain_delivery")]

    operations = [migrations.RunPython(add_default_chain, migrations.RunPython.noop)]
