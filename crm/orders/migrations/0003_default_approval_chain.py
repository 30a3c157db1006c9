"""Existing tenants get the demo chain of issue 9: the sales manager reviews every order,
finance (the administrators) re-checks from 500,000 in the tenant currency. New tenants get
it from the provisioning step (crm.orders.provisioning), after the clone, so their rows get
their own ids: the template schema holds none. Tenants change it on /crm/settings/orders/;
the OrderSettings row marks a tenant whose chain was set up (deleting every step is a
choice, not a reason to add the defaults again)."""

from decimal import Decimal

from django.conf import settings
from django.db import migrations


def add_default_chain(apps, schema_editor):
    if getattr(schema_editor.connection, "schema_name", "") == settings.TENANT_BASE_SCHEMA:
        return
    settings_model = apps.get_model("crm_orders", "OrderSettings")
    if settings_model.objects.filter(pk=1).exists():
        return
    step = apps.get_model("crm_orders", "ApprovalChainStep")
    step.objects.create(position=1, label="Sales manager review", approver_kind="team_manager",
                        min_amount=Decimal(0))
    step.objects.create(position=2, label="Finance re-check", approver_kind="role",
                        role="admin", min_amount=Decimal(500000))
    settings_model.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("crm_orders", "0002_approval_chain_delivery")]

    operations = [migrations.RunPython(add_default_chain, migrations.RunPython.noop)]
