"""Demo portal: Acme Holdings (head office) with two branches, each with assets, quotes and
service requests; two members (password ``demo-pass-123``): ``buyer@customer.test``, customer
admin of the head office, and ``engineer@customer.test``, member at Acme Manufacturing; the
demo tenant lets customer admins see their branches. Plus one self-registration waiting for
approval. Idempotent: nothing is created twice.

Quotes, assets and service requests are written as rows here: their apps' services (quote
builder, service desk) come later; totals still come from crm.core.money and numbers from
crm.core.numbering."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from crm.accounts.models import Account, Contact
from crm.accounts.services import account_create, contact_create
from crm.catalog.models import Product
from crm.core.money import document_totals
from crm.core.numbering import next_number
from crm.quotes.models import Quote, QuoteLine, QuoteStatus
from crm.service.models import (
    Asset,
    AssetStatus,
    Channel,
    RequestStatus,
    ServiceRequest,
    Severity,
)
from portal.models import (
    MemberRole,
    PortalMembership,
    PortalRegistration,
    PortalSettings,
    RegistrationStatus,
    SelfRegistration,
)
from tenants.demo import demo_seeder
from tenants.users.models import User, UserKind

DEMO_PASSWORD = "demo-pass-123"  # the documented demo password (README)
HEAD_OFFICE = "Acme Holdings Inc."
BRANCHES = ("Acme Manufacturing LLC", "Acme Logistics Ltd")
MEMBERS = [
    # email, first, last, title, account, role
    ("buyer@customer.test", "Bea", "Buyer", "Head of Procurement", HEAD_OFFICE,
     MemberRole.CUSTOMER_ADMIN),
    ("engineer@customer.test", "Eli", "Engineer", "Maintenance Engineer", BRANCHES[0],
     MemberRole.MEMBER),
]


def _account(name: str, parent: Account | None) -> Account:
    account = Account.objects.filter(name=name).order_by("pk").first()
    if account is None:
        account = account_create(actor=None, name=name, type="customer", parent=parent,
                                 website="https://customer.test")
    elif parent is not None and account.parent_id != parent.pk:
        Account.objects.filter(pk=account.pk).update(parent=parent)
        account.parent = parent
    return account


def _contact(account: Account, email: str, first: str, last: str, title: str) -> Contact:
    contact = Contact.objects.filter(account=account, email__iexact=email).first()
    return contact or contact_create(actor=None, account=account, first_name=first,
                                     last_name=last, email=email, title=title)


def _member(email: str, first: str, last: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, first_name=first, last_name=last, kind=UserKind.MEMBER,
                    role="", is_active=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _products() -> list[Product]:
    products = list(Product.objects.filter(active=True, serialized=True).order_by("pk")[:3])
    if not products:
        products = [Product.objects.create(
            sku="DEMO-PORTAL-1", name="Industrial Sensor S200", unit="pcs", currency="CNY",
            list_price=Decimal("1280"), tax_rate=Decimal("13"), serialized=True,
            external_id="demo-portal-s200")]
    return products


def _quote(account: Account, contact: Contact, requester: User | None, status: str,
           lines: list[tuple[Product, int]], *, sent: bool) -> Quote:
    currency = lines[0][0].currency
    totals = document_totals(
        [{"quantity": Decimal(qty), "unit_price": product.list_price, "discount_percent": 0,
          "tax_rate": product.tax_rate} for product, qty in lines], currency=currency)
    now = timezone.now()
    quote = Quote.objects.create(
        number=next_number("Q"), account=account, contact=contact, owner=account.owner,
        requested_by=requester, status=status, currency=currency,
        valid_until=timezone.localdate() + timedelta(days=30),
        subtotal=totals.subtotal, tax_total=totals.tax_total, total=totals.total,
        sent_at=now - timedelta(days=2) if sent else None,
        note="Please deliver to the main gate." if requester else "")
    QuoteLine.objects.bulk_create([
        QuoteLine(quote=quote, position=index, product=product, quantity=Decimal(qty),
                  unit_price=product.list_price, list_unit_price=product.list_price,
                  tax_rate=product.tax_rate, line_net=line.line_net, line_tax=line.line_tax)
        for index, ((product, qty), line) in enumerate(zip(lines, totals.lines, strict=True))
    ])
    return quote


@demo_seeder(name="portal", order=70)
def seed_portal() -> None:
    if PortalMembership.objects.filter(user__email__iexact=MEMBERS[0][0]).exists():
        return
    with transaction.atomic():
        PortalSettings.objects.update_or_create(pk=1, defaults={
            "admins_see_branches": True, "self_registration": SelfRegistration.APPROVAL})
        head = _account(HEAD_OFFICE, None)
        branches = [_account(name, head) for name in BRANCHES]
        by_name = {head.name: head, **{b.name: b for b in branches}}
        people: dict[str, tuple[User, Contact]] = {}
        for email, first, last, title, account_name, role in MEMBERS:
            account = by_name[account_name]
            contact = _contact(account, email, first, last, title)
            user = _member(email, first, last)
            PortalMembership.objects.get_or_create(
                user=user, account=account,
                defaults={"contact": contact, "role": role})
            people[email] = (user, contact)
        buyer, buyer_contact = people["buyer@customer.test"]
        engineer, engineer_contact = people["engineer@customer.test"]
        colleague = _contact(branches[0], "maintenance@customer.test", "Max", "Miller",
                             "Maintenance Lead")
        logistics = _contact(branches[1], "depot@customer.test", "Lin", "Li", "Depot Manager")
        products = _products()
        first = products[0]
        second = products[1 % len(products)]
        _quote(head, buyer_contact, buyer, QuoteStatus.REQUESTED, [(first, 20)], sent=False)
        _quote(head, buyer_contact, None, QuoteStatus.SENT, [(first, 50), (second, 5)],
               sent=True)
        _quote(branches[0], engineer_contact, engineer, QuoteStatus.REQUESTED,
               [(second, 2)], sent=False)
        _quote(branches[0], colleague, None, QuoteStatus.ACCEPTED, [(first, 10)], sent=True)
        _quote(branches[1], logistics, None, QuoteStatus.SENT, [(second, 8)], sent=True)
        # An internal draft: never shown in the portal.
        _quote(branches[1], logistics, None, QuoteStatus.DRAFT, [(first, 1)], sent=False)
        today = timezone.localdate()
        assets = []
        for index, (account, location) in enumerate([
                (head, "HQ server room"), (branches[0], "Line 1"), (branches[0], "Line 2"),
                (branches[1], "Depot north")]):
            product = products[index % len(products)]
            assets.append(Asset.objects.create(
                account=account, product=product, serial_number=f"ACME-{1001 + index}",
                location=location, status=AssetStatus.ACTIVE,
                installed_on=today - timedelta(days=400 - index * 90),
                warranty_start=today - timedelta(days=400 - index * 90),
                warranty_end=today + timedelta(days=(index - 1) * 200)))
        now = timezone.now()
        for account, contact, creator, asset, subject, severity, status in [
            (branches[0], engineer_contact, engineer, assets[1], "Sensor reads 0 after restart",
             Severity.HIGH, RequestStatus.IN_PROGRESS),
            (branches[0], colleague, None, assets[2], "Annual inspection", Severity.LOW,
             RequestStatus.NEW),
            (branches[1], logistics, None, assets[3], "Gateway offline since Monday",
             Severity.CRITICAL, RequestStatus.WAITING_ON_CUSTOMER),
            (head, buyer_contact, buyer, assets[0], "Replace mounting kit", Severity.NORMAL,
             RequestStatus.RESOLVED),
        ]:
            reported = now - timedelta(days=3)
            ServiceRequest.objects.create(
                number=next_number("SR"), account=account, contact=contact, asset=asset,
                subject=subject, description=f"{subject}.", severity=severity, status=status,
                channel=Channel.PORTAL if creator else Channel.PHONE, created_by=creator,
                reported_at=reported, first_response_due=reported + timedelta(hours=4),
                resolution_due=reported + timedelta(days=2),
                resolved_at=now if status == RequestStatus.RESOLVED else None)
        PortalRegistration.objects.create(
            email="new.buyer@customer.test", first_name="Nora", last_name="Newman",
            company="Acme Logistics", phone="+1 555 0100", status=RegistrationStatus.PENDING,
            password_hash=make_password(DEMO_PASSWORD), verification_nonce="demo",
            verification_expires_at=now, verified_at=now)
