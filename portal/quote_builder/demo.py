"""Demo data: the engineer's saved basket in the quote builder (after the portal's members,
order 70, exist)."""

from decimal import Decimal

from django.db import transaction

from crm.catalog.models import Product
from portal.models import PortalMembership
from portal.quote_builder.models import QuoteDraft, QuoteDraftLine
from tenants.demo import demo_seeder

ENGINEER = "engineer@customer.test"


@demo_seeder(name="portal_quote_drafts", order=72)
def seed_quote_drafts() -> None:
    membership = (PortalMembership.objects.filter(user__email__iexact=ENGINEER, is_active=True)
                  .order_by("pk").first())
    if membership is None or QuoteDraft.objects.filter(member_id=membership.user_id).exists():
        return
    products = list(Product.objects.filter(active=True).order_by("name", "pk")[:2])
    if not products:
        return
    with transaction.atomic():
        draft = QuoteDraft.objects.create(member_id=membership.user_id,
                                          account_id=membership.account_id,
                                          note="Spare parts for line 2")
        QuoteDraftLine.objects.bulk_create([
            QuoteDraftLine(draft=draft, position=position, product=product,
                           quantity=Decimal(quantity))
            for position, (product, quantity) in enumerate(zip(products, (4, 1), strict=False),
                                                           start=1)])
