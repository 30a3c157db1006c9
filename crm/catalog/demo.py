# ruff: noqa: RUF001  (full-width CJK punctuation in product names is the point)
"""Demo catalog: products in English and Chinese, the standard price book, a key-account
book (account group: tier "key account") and a head-office book inherited by its branches
(中国工商银行股份有限公司 from the demo accounts; its branches have tier A and no book of
their own, so they pay the head office's prices). Idempotent: products carry external ids
"demo-..."; nothing is created twice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from crm.accounts.models import Account, AccountTier
from crm.catalog.models import PriceBook, PriceBookEntry, PriceBookKind, Product
from crm.core.money import minor_unit
from tenants.demo import demo_seeder

PREFIX = "demo-"
HEAD_OFFICE = "中国工商银行股份有限公司"

# sku, name, family, unit, list price (in whole currency units), tax rate, serialised
PRODUCTS = [
    ("S200", "工业传感器 S200", "传感器", "个", "1280", "13", True),
    ("S300", "工业传感器 S300（防爆型）", "传感器", "个", "2360", "13", True),
    ("G10", "智能网关 G10", "网关", "台", "5800", "13", True),
    ("SVC-INST", "现场安装服务", "服务", "次", "800", "6", False),
    ("CBL-5M", "屏蔽电缆 5 米", "配件", "条", "45", "13", False),
    ("PLC-X1", "Programmable Logic Controller X1", "Controllers", "pcs", "3400", "13", True),
    ("HMI-7", "Touch Panel HMI 7\"", "Controllers", "pcs", "2150", "13", True),
    ("SUP-GOLD", "Gold Support (1 year)", "Services", "year", "9600", "6", False),
    ("MNT-KIT", "Mounting Kit", "Accessories", "set", "120", "13", False),
    ("OLD-S100", "Industrial Sensor S100 (discontinued)", "Sensors", "pcs", "980", "13", True),
]


def _currency() -> str:
    code = str(getattr(getattr(connection, "tenant", None), "currency", "") or "CNY").upper()
    try:
        minor_unit(code)
    except ValueError:
        return "CNY"
    return code


def _price(amount: str, factor: str, currency: str) -> Decimal:
    value = Decimal(amount) * Decimal(factor)
    return value.quantize(Decimal(1).scaleb(-minor_unit(currency)))


@demo_seeder(name="catalog", order=15)
def seed_catalog() -> None:
    if Product.objects.filter(external_id__startswith=PREFIX).exists():
        return
    currency = _currency()
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    with transaction.atomic():
        products = Product.objects.bulk_create([
            Product(sku=sku, name=name, family=family, unit=unit, currency=currency,
                    list_price=_price(price, "1", currency), tax_rate=Decimal(tax),
                    serialized=serialized, active=not sku.startswith("OLD-"),
                    external_id=f"{PREFIX}{sku.lower()}",
                    description=f"{name}.")
            for sku, name, family, unit, price, tax, serialized in PRODUCTS
        ])
        standard = PriceBook.objects.filter(kind=PriceBookKind.STANDARD).first() or \
            PriceBook.objects.create(name="Standard prices / 标准价格",
                                     kind=PriceBookKind.STANDARD, currency=currency,
                                     valid_from=start)
        key = PriceBook.objects.create(name="Key accounts / 重点客户价格",
                                       kind=PriceBookKind.GROUP,
                                       group_tier=AccountTier.KEY, currency=currency,
                                       valid_from=start)
        # Last year's key-account book: expired, shown in the list, never used.
        expired = PriceBook.objects.create(
            name="Key accounts (last year)", kind=PriceBookKind.GROUP,
            group_tier=AccountTier.KEY, currency=currency, valid_from=date(today.year - 1,
                                                                           1, 1),
            valid_until=start - timedelta(days=1))
        entries = []
        for product, (_sku, _n, _f, _u, price, _t, _s) in zip(products, PRODUCTS,
                                                              strict=True):
            entries.append(PriceBookEntry(book=standard, product=product,
                                          unit_price=_price(price, "1", currency)))
            entries.append(PriceBookEntry(book=standard, product=product,
                                          min_quantity=Decimal(100),
                                          unit_price=_price(price, "0.95", currency)))
            entries.append(PriceBookEntry(book=key, product=product,
                                          unit_price=_price(price, "0.9", currency)))
            entries.append(PriceBookEntry(book=key, product=product,
                                          min_quantity=Decimal(50),
                                          unit_price=_price(price, "0.85", currency)))
            entries.append(PriceBookEntry(book=expired, product=product,
                                          unit_price=_price(price, "0.8", currency)))
        head = (Account.objects.filter(name=HEAD_OFFICE, children__isnull=False).first()
                or Account.objects.filter(children__isnull=False).order_by("pk").first())
        if head is not None:
            own = PriceBook.objects.create(
                name=f"{head.name} – 总部协议价", kind=PriceBookKind.ACCOUNT, account=head,
                currency=currency, valid_from=start)
            for product, (_sku, _n, _f, _u, price, _t, _s) in zip(products[:5], PRODUCTS,
                                                                  strict=False):
                entries.append(PriceBookEntry(book=own, product=product,
                                              unit_price=_price(price, "0.8", currency)))
                entries.append(PriceBookEntry(book=own, product=product,
                                              min_quantity=Decimal(200),
                                              unit_price=_price(price, "0.75", currency)))
        PriceBookEntry.objects.bulk_create(entries)
