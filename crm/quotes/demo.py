# ruff: noqa: RUF001  (full-width CJK punctuation in the Chinese quote is the point)
"""Demo quotes in every status, built through the services (so totals, numbers, approval
trails and the accepted quote's order are real): a Chinese draft, a portal request, one
pending the East team manager's approval (manager@demo.test), one above the manager's
limit pending the admins', approved, sent, accepted (with its order), rejected, expired,
and a superseded revision 1 with its revision 2. Runs after the teams seeder; idempotent
(nothing is created when the workspace already has quotes)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crm.accounts.models import Account
from crm.catalog.models import Product
from crm.quotes.models import Quote
from crm.quotes.selectors import quote_settings_get
from crm.quotes.services import (
    QuoteLineInput,
    quote_accept,
    quote_create,
    quote_reject,
    quote_request_create,
    quote_revise,
    quote_send,
    quote_settings_update,
    quote_submit,
    quotes_expire,
)
from tenants.demo import demo_seeder
from tenants.users.models import Role, User, UserKind

D = Decimal


def _user(email: str, role: str) -> User | None:
    return (User.objects.filter(email=email, is_active=True).first()
            or User.objects.filter(role=role, kind=UserKind.STAFF, is_active=True)
            .order_by("pk").first())


@demo_seeder(name="quotes", order=70)
def seed_quotes() -> None:
    if Quote.objects.exists():
        return
    rep = _user("rep@demo.test", Role.SALES_REP)
    admin = _user("admin@demo.test", Role.ADMIN)
    products = {p.sku: p for p in Product.objects.filter(active=True)}
    if rep is None or admin is None or not products:
        return
    accounts = list(Account.objects.filter(owner=rep).order_by("pk")[:3]) or list(
        Account.objects.order_by("pk")[:3])
    if not accounts:
        return
    first = next(iter(products.values()))

    def product(sku: str) -> Product:
        return products.get(sku, first)

    def lines(discount: str = "0") -> list[QuoteLineInput]:
        return [
            QuoteLineInput(product=product("S200"), quantity=D(20), discount_percent=D(discount)),
            QuoteLineInput(product=product("G10"), quantity=D(2), discount_percent=D(discount)),
            QuoteLineInput(description="Commissioning on site", quantity=D(1),
                           unit_price=D(1500), tax_rate=D(6)),
        ]

    def make(discount: str = "0", account: Account | None = None, **extra: object) -> Quote:
        return quote_create(account=account or accounts[0], actor=rep, lines=lines(discount),
                            **extra)  # type: ignore[arg-type]

    today = timezone.localdate()
    with transaction.atomic():
        if not quote_settings_get().document_address:
            quote_settings_update(actor=admin, validity_days=30,
                                  default_terms="Payment within 30 days of the invoice.",
                                  document_address="上海市浦东新区张江路 88 号\n"
                                                   "88 Zhangjiang Road, Pudong, Shanghai")
        chinese = [
            QuoteLineInput(product=product("S300"), description="工业传感器 S300（防爆型）",
                           quantity=D(10)),
            QuoteLineInput(product=product("SVC-INST"), description="现场安装服务",
                           quantity=D(2)),
            QuoteLineInput(description="培训服务（两天）", quantity=D(1), unit_price=D(3000),
                           tax_rate=D(6)),
        ]
        quote_create(account=accounts[-1], actor=rep, lines=chinese, language="zh-hans",
                     terms="付款条件：合同签订后30天内付款。")
        quote_request_create(account=accounts[0], requested_by=None, lines=lines()[:2],
                             note="Requested from the customer portal.")
        quote_submit(quote=make("18"), actor=rep)  # above 10 %: the East manager approves
        quote_submit(quote=make("30"), actor=rep)  # above the manager's 25 %: the admins
        quote_submit(quote=make("5"), actor=rep)  # within the limit: approved
        sent = quote_submit(quote=make("8"), actor=rep)
        quote_send(quote=sent, actor=rep)
        accepted = quote_submit(quote=make("0"), actor=rep)
        quote_send(quote=accepted, actor=rep)
        quote_accept(quote=accepted, actor=rep, name="Li Wei", ip_address="203.0.113.7")
        rejected = quote_submit(quote=make("0"), actor=rep)
        quote_send(quote=rejected, actor=rep)
        quote_reject(quote=rejected, actor=rep, comment="Budget moved to next year.")
        expired = quote_submit(quote=make("0"), actor=rep)
        quote_send(quote=expired, actor=rep)
        Quote.objects.filter(pk=expired.pk).update(
            created_at=timezone.now() - timedelta(days=45),
            sent_at=timezone.now() - timedelta(days=44), valid_until=today - timedelta(days=14))
        quotes_expire(today=today)
        revised = quote_submit(quote=make("0"), actor=rep)
        quote_send(quote=revised, actor=rep)
        quote_revise(quote=revised, actor=rep)
