"""Reads of receivables that the pages, the API and the reminders share: which orders a
viewer may see, an order's schedule, payments and balance, balances per account, and the
aging report with the instalments behind each of its figures.

Visibility: an order is seen by whoever sees its owner's records (crm.core.visibility, the
owner/team rule: own, team members', unowned; managers their teams'; admins and read-only
everything); service agents see no receivables. Instalments and payments follow their
order. crm.orders has no selectors yet; once it has, ``order_visible_queryset`` becomes a
call to them (one rule, one place).

Aging is computed in the tenant's time zone: "today" is the tenant's local date, and an
instalment is ``d`` days overdue on ``as_of`` when ``as_of - due_on == d``; buckets are
current (not yet overdue, d <= 0), 1-30, 31-60, 61-90 and 90+ (d >= 91). What is
outstanding on ``as_of`` counts only payments paid on or before that date, so a report as of
a past date shows what was open then. Money is per currency (no conversion)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.core.visibility import scope_by_owner
from crm.orders import selectors as orders_selectors
from crm.orders.models import Order, OrderStatus
from crm.receivables.models import Instalment, Payment, PaymentAllocation, ReceivablesSettings
from tenants.users.models import User, UserKind
from tenants.users.permissions import ROLE_CAPABILITIES, Capability, can

# Orders whose instalments are owed: approved and not cancelled or superseded.
RECEIVABLE_STATUSES = (OrderStatus.APPROVED, OrderStatus.PARTLY_DELIVERED,
                       OrderStatus.DELIVERED)
# Orders that may carry a schedule at all (a draft may be planned ahead).
SCHEDULABLE_STATUSES = (OrderStatus.DRAFT, OrderStatus.PENDING_APPROVAL, *RECEIVABLE_STATUSES)

AMOUNT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=4)
ZERO = Decimal(0)


class Bucket:
    CURRENT = "current"
    DAYS_1_30 = "1_30"
    DAYS_31_60 = "31_60"
    DAYS_61_90 = "61_90"
    OVER_90 = "90_plus"


BUCKETS: tuple[tuple[str, str | Promise], ...] = (
    (Bucket.CURRENT, _("Current")),
    (Bucket.DAYS_1_30, _("1–30 days")),  # noqa: RUF001
    (Bucket.DAYS_31_60, _("31–60 days")),  # noqa: RUF001
    (Bucket.DAYS_61_90, _("61–90 days")),  # noqa: RUF001
    (Bucket.OVER_90, _("Over 90 days")),
)
BUCKET_KEYS = tuple(key for key, _label in BUCKETS)
GROUP_BY = ("rep", "account")


def bucket_for(days_overdue: int) -> str:
    """The aging bucket of an instalment ``days_overdue`` days past its due date."""
    if days_overdue <= 0:
        return Bucket.CURRENT
    if days_overdue <= 30:
        return Bucket.DAYS_1_30
    if days_overdue <= 60:
        return Bucket.DAYS_31_60
    if days_overdue <= 90:
        return Bucket.DAYS_61_90
    return Bucket.OVER_90


def tenant_zone() -> ZoneInfo:
    """The time zone of the tenant the connection is set to (the settings' zone before a
    tenant chose one)."""
    name = str(getattr(getattr(connection, "tenant", None), "time_zone", "") or "")
    for candidate in (name, settings.TIME_ZONE):
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def tenant_today(now: datetime | None = None) -> date:
    """Today's date in the tenant's time zone."""
    return (now or timezone.now()).astimezone(tenant_zone()).date()


def receivables_settings_get() -> ReceivablesSettings:
    """This schema's reminder settings (unsaved defaults before the first save)."""
    row = ReceivablesSettings.objects.filter(pk=ReceivablesSettings.SINGLETON_PK).first()
    return row or ReceivablesSettings(pk=ReceivablesSettings.SINGLETON_PK)


def finance_users() -> QuerySet[User]:
    """Who finance is: active staff whose role records payments (admins)."""
    roles = [role for role, caps in ROLE_CAPABILITIES.items()
             if Capability.MANAGE_FINANCE in caps]
    return User.objects.filter(kind=UserKind.STAFF, is_active=True, role__in=roles)


# --- visibility -------------------------------------------------------------------------

def sees_receivables(viewer: User) -> bool:
    return can(viewer, Capability.USE_CRM) and (
        can(viewer, Capability.MANAGE_SALES) or can(viewer, Capability.SEE_ALL_RECORDS))


def order_visible_queryset(*, viewer: User) -> QuerySet[Order]:
    """The orders ``viewer`` may see (crm.orders' one accessor), for people who work
    receivables."""
    if not sees_receivables(viewer):
        return Order.objects.none()
    return orders_selectors.order_visible_queryset(viewer)


def order_get_for(*, viewer: User, order_id: int | str) -> Order:
    """The order if ``viewer`` may see it (crm.orders' one accessor); Http404 otherwise."""
    if not sees_receivables(viewer):
        raise Http404
    return orders_selectors.order_get_for(viewer=viewer, order_id=order_id)


def instalment_visible_queryset(*, viewer: User) -> QuerySet[Instalment]:
    """Instalments of the orders ``viewer`` may see."""
    if not sees_receivables(viewer):
        return Instalment.objects.none()
    return scope_by_owner(Instalment.objects.all(), viewer, owner_field="order__owner")


# --- one order ----------------------------------------------------------------------------

def instalment_of(*, order: Order, instalment_id: int) -> Instalment:
    """One of the order's instalments (the order was fetched through ``order_get_for``);
    ValidationError naming ``instalment`` for any other id."""
    instalment = order.instalments.filter(pk=instalment_id).first()
    if instalment is None:
        raise ValidationError({"instalment": _("That instalment is not one of this order's.")})
    return instalment


def schedule_of(*, order: Order) -> list[Instalment]:
    """The order's instalments, by due date (visibility: the caller fetched the order)."""
    return list(order.instalments.order_by("due_on", "position", "pk"))


def payments_of(*, order: Order) -> QuerySet[Payment]:
    """The order's payments, newest first, with their allocations and who recorded them."""
    return (order.payments.select_related("instalment", "recorded_by")
            .prefetch_related("allocations__instalment").order_by("-paid_on", "-pk"))


@dataclass(frozen=True)
class OrderBalance:
    currency: str
    total: Decimal
    scheduled: Decimal
    paid: Decimal
    outstanding: Decimal  # total minus paid
    overdue: Decimal  # open amounts of instalments past their due date
    schedule_matches_total: bool


def order_balance(*, order: Order, as_of: date | None = None) -> OrderBalance:
    """What the order's customer owes and has paid (one query)."""
    as_of = as_of or tenant_today()
    figures = order.instalments.aggregate(
        scheduled=Coalesce(Sum("amount"), Value(ZERO), output_field=AMOUNT),
        paid=Coalesce(Sum("paid_amount"), Value(ZERO), output_field=AMOUNT),
        overdue=Coalesce(Sum(F("amount") - F("paid_amount"), filter=Q(due_on__lt=as_of)),
                         Value(ZERO), output_field=AMOUNT),
    )
    paid = figures["paid"]
    return OrderBalance(
        currency=order.currency, total=order.total, scheduled=figures["scheduled"], paid=paid,
        outstanding=order.total - paid, overdue=figures["overdue"],
        schedule_matches_total=figures["scheduled"] == order.total,
    )


@dataclass(frozen=True)
class AccountBalance:
    account_id: int
    account_name: str
    currency: str
    total: Decimal
    paid: Decimal
    outstanding: Decimal
    overdue: Decimal


def account_balances(*, viewer: User, account_ids: Iterable[int] | None = None,
                     as_of: date | None = None) -> list[AccountBalance]:
    """Outstanding balance per account and currency over the receivable orders ``viewer``
    may see (one query)."""
    as_of = as_of or tenant_today()
    instalments = instalment_visible_queryset(viewer=viewer).filter(
        order__status__in=RECEIVABLE_STATUSES)
    if account_ids is not None:
        instalments = instalments.filter(order__account_id__in=list(account_ids))
    rows = (instalments.values("order__account_id", "order__account__name", "order__currency")
            .annotate(total=Sum("amount"), paid=Sum("paid_amount"),
                      overdue=Coalesce(Sum(F("amount") - F("paid_amount"),
                                           filter=Q(due_on__lt=as_of)),
                                       Value(ZERO), output_field=AMOUNT))
            .order_by("order__account__name", "order__currency"))
    return [AccountBalance(account_id=row["order__account_id"],
                           account_name=row["order__account__name"],
                           currency=row["order__currency"], total=row["total"],
                           paid=row["paid"], outstanding=row["total"] - row["paid"],
                           overdue=row["overdue"]) for row in rows]


def order_balances(*, viewer: User, account_ids: Iterable[int], limit: int = 10
                   ) -> list[Order]:
    """Receivable orders of these accounts that ``viewer`` may see and that still owe
    something, each annotated with ``paid``, ``scheduled`` and ``outstanding`` (one
    query)."""
    return list(
        order_visible_queryset(viewer=viewer)
        .filter(account_id__in=list(account_ids), status__in=RECEIVABLE_STATUSES)
        .annotate(paid=Coalesce(Sum("instalments__paid_amount"), Value(ZERO),
                                output_field=AMOUNT),
                  scheduled=Coalesce(Sum("instalments__amount"), Value(ZERO),
                                     output_field=AMOUNT))
        .annotate(outstanding=F("total") - F("paid"))
        .filter(paid__lt=F("total")).select_related("account")
        .order_by("ordered_on", "pk")[:limit])


# --- aging --------------------------------------------------------------------------------

def _paid_as_of(as_of: date) -> Subquery:
    return Subquery(
        PaymentAllocation.objects.filter(instalment=OuterRef("pk"), payment__paid_on__lte=as_of)
        .values("instalment").annotate(total=Sum("amount")).values("total")[:1],
        output_field=AMOUNT)


def _bucket_case(as_of: date) -> Case:
    return Case(
        When(due_on__gte=as_of, then=Value(Bucket.CURRENT)),
        When(due_on__gte=as_of - timedelta(days=30), then=Value(Bucket.DAYS_1_30)),
        When(due_on__gte=as_of - timedelta(days=60), then=Value(Bucket.DAYS_31_60)),
        When(due_on__gte=as_of - timedelta(days=90), then=Value(Bucket.DAYS_61_90)),
        default=Value(Bucket.OVER_90), output_field=CharField(),
    )


@dataclass(frozen=True)
class AgingFilters:
    as_of: date
    bucket: str = ""  # a key of BUCKETS, or "" for every bucket
    rep: int | None = None  # the order owner's id
    no_rep: bool = False  # orders without an owner
    account: int | None = None
    currency: str = ""
    # Orders owned by one of these users (a team's members); None: any owner.
    owners: frozenset[int] | None = None


def aging_instalments(*, viewer: User, filters: AgingFilters) -> QuerySet[Instalment]:
    """The open instalments of receivable orders ``viewer`` may see, as of
    ``filters.as_of``: each annotated with ``outstanding`` (on that date) and ``bucket``;
    the rows behind every figure of ``aging_report``."""
    as_of = filters.as_of
    queryset = (
        instalment_visible_queryset(viewer=viewer)
        .filter(order__status__in=RECEIVABLE_STATUSES)
        .annotate(outstanding=F("amount") - Coalesce(_paid_as_of(as_of), Value(ZERO),
                                                     output_field=AMOUNT),
                  bucket=_bucket_case(as_of))
        .filter(outstanding__gt=0)
    )
    if filters.bucket:
        queryset = queryset.filter(bucket=filters.bucket)
    if filters.no_rep:
        queryset = queryset.filter(order__owner__isnull=True)
    elif filters.rep is not None:
        queryset = queryset.filter(order__owner_id=filters.rep)
    if filters.owners is not None:
        queryset = queryset.filter(order__owner_id__in=filters.owners)
    if filters.account is not None:
        queryset = queryset.filter(order__account_id=filters.account)
    if filters.currency:
        queryset = queryset.filter(order__currency=filters.currency.upper())
    return queryset.select_related("order", "order__account", "order__owner").order_by(
        "due_on", "order_id", "position", "pk")


@dataclass
class AgingRow:
    key: int | None  # the rep's or the account's id (None: orders without an owner)
    label: str
    currency: str
    buckets: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    def cells(self) -> list[tuple[str, Decimal]]:
        return [(key, self.buckets.get(key, ZERO)) for key in BUCKET_KEYS]


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    group_by: str
    rows: list[AgingRow]
    totals: list[AgingRow]  # one per currency


def _owner_label(row: dict) -> str:
    if row["order__owner_id"] is None:
        return str(_("No owner"))
    name = f"{row['order__owner__first_name']} {row['order__owner__last_name']}".strip()
    return name or row["order__owner__email"]


def aging_report(*, viewer: User, as_of: date | None = None, group_by: str = "rep",
                 rep: int | None = None, owners: frozenset[int] | None = None
                 ) -> AgingReport:
    """Open amounts per bucket, by rep (the order's owner) or by account, and per currency;
    one query. Each figure equals the sum of ``aging_instalments`` with the same filters
    (``rep``: one owner's orders; ``owners``: orders of these owners, e.g. a team's)."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}")
    as_of = as_of or tenant_today()
    base = aging_instalments(viewer=viewer, filters=AgingFilters(
        as_of=as_of, rep=rep, owners=owners)).order_by()
    if group_by == "rep":
        keys = ["order__owner_id", "order__owner__first_name", "order__owner__last_name",
                "order__owner__email"]
    else:
        keys = ["order__account_id", "order__account__name"]
    grouped = (base.values(*keys, "order__currency", "bucket")
               .annotate(open=Sum("outstanding")).order_by())
    rows: dict[tuple, AgingRow] = {}
    totals: dict[str, AgingRow] = {}
    for item in grouped:
        key = item[keys[0]]
        label = _owner_label(item) if group_by == "rep" else item["order__account__name"]
        currency = item["order__currency"]
        row = rows.setdefault((key, currency), AgingRow(key=key, label=label,
                                                        currency=currency))
        row.buckets[item["bucket"]] = row.buckets.get(item["bucket"], ZERO) + item["open"]
        total = totals.setdefault(currency, AgingRow(key=None, label=str(_("Total")),
                                                     currency=currency))
        total.buckets[item["bucket"]] = total.buckets.get(item["bucket"], ZERO) + item["open"]
    ordered = sorted(rows.values(), key=lambda r: (r.currency, -r.total, r.label.lower()))
    return AgingReport(as_of=as_of, group_by=group_by, rows=ordered,
                       totals=sorted(totals.values(), key=lambda r: r.currency))


# --- reminders ----------------------------------------------------------------------------

def reminders_due_before(*, today: date, days_before: int) -> QuerySet[Instalment]:
    """Open instalments of receivable orders due within ``days_before`` days from ``today``
    (not yet overdue) whose before-reminder has not gone out."""
    return Instalment.objects.filter(
        order__status__in=RECEIVABLE_STATUSES, paid_amount__lt=F("amount"),
        reminded_before_at__isnull=True, due_on__gte=today,
        due_on__lte=today + timedelta(days=days_before))


def reminders_due_after(*, today: date, days_after: int) -> QuerySet[Instalment]:
    """Open instalments of receivable orders ``days_after`` days or more overdue whose
    after-reminder has not gone out."""
    return Instalment.objects.filter(
        order__status__in=RECEIVABLE_STATUSES, paid_amount__lt=F("amount"),
        reminded_after_at__isnull=True, due_on__lte=today - timedelta(days=days_after))
