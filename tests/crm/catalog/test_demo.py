"""The catalog demo seeder: English and Chinese products, the standard book, a key-account
book and a head-office book its branches inherit; safe to run twice."""

from decimal import Decimal

from crm.accounts.demo import seed_accounts
from crm.catalog.demo import HEAD_OFFICE, seed_catalog
from crm.catalog.models import PriceBook, PriceBookKind, Product
from crm.catalog.pricing import price_for


def test_the_demo_catalog_prices_branches_from_their_head_office(tenant_a, in_tenant):
    from django.utils import timezone

    with in_tenant(tenant_a):
        seed_accounts()
        seed_catalog()
        seed_catalog()
        products = Product.objects.filter(external_id__startswith="demo-")
        assert products.count() == 10
        assert products.filter(name="工业传感器 S200").exists()
        assert products.filter(name__startswith="Programmable").exists()
        assert PriceBook.objects.filter(kind=PriceBookKind.STANDARD).count() == 1
        head_book = PriceBook.objects.get(kind=PriceBookKind.ACCOUNT)
        assert head_book.account.name == HEAD_OFFICE
        sensor = products.get(sku="S200")
        branch = head_book.account.children.first()
        quote = price_for(account=branch, product=sensor, quantity=Decimal(1),
                          on=timezone.localdate())
        assert (quote.source, quote.price_book.id) == ("parent", head_book.pk)
        assert quote.unit_price == sensor.list_price * Decimal("0.8")
        other_key = (type(branch).objects.filter(tier="key", price_books__isnull=True)
                     .exclude(pk=head_book.account_id).first())
        assert price_for(account=other_key, product=sensor, quantity=Decimal(1),
                         on=timezone.localdate()).source == "group"
