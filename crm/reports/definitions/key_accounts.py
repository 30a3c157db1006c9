"""Key-account ranking by a value score from the recency, frequency and value of orders
(RFM), over the orders the viewer may see (crm.orders.selectors.order_visible_queryset,
narrowed to a rep or a team) that are in force (approved, partly delivered, delivered) and
were ordered in the period (default: the 365 days up to today).

Per account: R = days from its latest order to the period's end, F = its orders, M = their
total. Each component is scored 1 to 5 by where the account stands among the accounts
ranked together (``score_of``: the share of the other accounts it beats, in fifths; ties
score alike; fewer days is better for R), and the value score is
``(R + F + M - 3) / 12 * 100`` rounded half up (0 to 100). The ranking is by value score,
then M, then F, then name; the top ``TOP_N`` are shown.

M needs one currency: without exchange rates each currency is ranked on its own (one table
per currency, an account ordering in two currencies appears in both); with rates the
orders are converted into the workspace currency (orders in a currency without a rate are
left out, a note names it) and ranked in one table.

Account.value_score and Account.tier are entered by hand (or synced from an ERP) and stay
as they are: the table shows the stored tier beside the computed score, and a report never
writes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.models import AccountTier
from crm.core.money import round_money
from crm.orders.selectors import IN_FORCE, order_visible_queryset
from crm.reports.currency import RateTable, rate_table
from crm.reports.definitions._listing import list_link, narrowed_owner_ids, owner_params
from crm.reports.registry import register_report
from crm.reports.types import (
    Chart,
    Column,
    ConversionNote,
    Report,
    ReportFilters,
    ReportTable,
    Row,
    Series,
)
from tenants.users.models import Role, User

ORDERS_LIST = "crm_orders:order_list"
TOP_N = 20
DEFAULT_DAYS = 365
ZERO = Decimal(0)


@dataclass
class AccountOrders:
    account_id: int
    name: str
    tier: str
    last_order: date
    orders: int
    value: Decimal


def score_of(value: Any, others: list[Any], *, higher_is_better: bool = True) -> int:
    """1 to 5: the share of ``others`` (every ranked value, this one included) that
    ``value`` beats, in fifths; 5 when it is the only one."""
    count = len(others)
    if count <= 1:
        return 5
    beaten = sum(1 for other in others if (other < value if higher_is_better else other > value))
    return 1 + min(4, beaten * 5 // (count - 1))


def value_score(recency: int, frequency: int, monetary: int) -> int:
    return int((Decimal(recency + frequency + monetary - 3) * 100 / 12)
               .quantize(Decimal(1), ROUND_HALF_UP))


def period_of(filters: ReportFilters) -> tuple[date, date]:
    end = filters.end or timezone.localdate()
    start = filters.start or end - timedelta(days=DEFAULT_DAYS - 1)
    return start, end


@dataclass(frozen=True)
class Ranked:
    row: AccountOrders
    recency_days: int
    r: int
    f: int
    m: int
    score: int


def rank_accounts(rows: list[AccountOrders], *, end: date) -> list[Ranked]:
    """Every account with its components and value score, best first."""
    days = [(end - row.last_order).days for row in rows]
    frequencies = [row.orders for row in rows]
    values = [row.value for row in rows]
    ranked = []
    for row, recency_days in zip(rows, days, strict=True):
        r = score_of(recency_days, days, higher_is_better=False)
        f = score_of(row.orders, frequencies)
        m = score_of(row.value, values)
        ranked.append(Ranked(row=row, recency_days=recency_days, r=r, f=f, m=m,
                             score=value_score(r, f, m)))
    ranked.sort(key=lambda item: (-item.score, -item.row.value, -item.row.orders,
                                  item.row.name, item.row.account_id))
    return ranked


def _table(key: str, title: str, currency: str, rows: list[AccountOrders], *, start: date,
           end: date, filters: ReportFilters, currency_param: str | None) -> ReportTable:
    tiers = dict(AccountTier.choices)
    table_rows = []
    for position, item in enumerate(rank_accounts(rows, end=end)[:TOP_N], 1):
        row = item.row
        params: list[tuple[str, Any]] = [
            ("account", row.account_id), *(("status", status) for status in IN_FORCE),
            ("ordered_after", start), ("ordered_before", end), ("currency", currency_param),
            *owner_params(filters)]
        table_rows.append(Row(values={
            "rank": position, "account": row.name, "tier": str(tiers.get(row.tier, "")),
            "score": item.score, "recency_days": item.recency_days,
            "last_order": row.last_order, "orders": row.orders,
            "value": round_money(row.value, currency), "r": item.r, "f": item.f,
            "m": item.m}, link=list_link(ORDERS_LIST, params)))
    return ReportTable(
        key=key, title=title, currency=currency,
        columns=[Column("rank", _("Rank"), "int"), Column("account", _("Account")),
                 Column("tier", _("Tier")), Column("score", _("Value score"), "int"),
                 Column("recency_days", _("Days since last order"), "days"),
                 Column("last_order", _("Last order"), "date"),
                 Column("orders", _("Orders"), "int"),
                 Column("value", _("Order value"), "money"),
                 Column("r", _("Recency score"), "int"),
                 Column("f", _("Frequency score"), "int"),
                 Column("m", _("Monetary score"), "int")],
        rows=table_rows,
        chart=Chart(kind="horizontal_bar", label_column="account",
                    series=(Series("score", _("Value score")),)))


def _merge_converted(grouped: list[dict[str, Any]], rates: RateTable) -> list[AccountOrders]:
    merged: dict[int, AccountOrders] = {}
    for item in grouped:
        code = item["currency"].upper()
        if not rates.can_convert(code):
            continue
        value = rates.convert(item["value"], code)
        found = merged.get(item["account_id"])
        if found is None:
            merged[item["account_id"]] = AccountOrders(
                account_id=item["account_id"], name=item["account__name"],
                tier=item["account__tier"], last_order=item["last_order"],
                orders=item["orders"], value=value)
        else:
            found.last_order = max(found.last_order, item["last_order"])
            found.orders += item["orders"]
            found.value += value
    return list(merged.values())


@register_report(
    "key-accounts", title=cast(str, gettext_lazy("Key accounts")),
    description=cast(str, gettext_lazy(
        "Accounts ranked by a value score from the recency, frequency and value of their "
        "orders.")),
    roles={Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.READ_ONLY}, order=70)
def key_accounts_report(viewer: User, filters: ReportFilters) -> Report:
    start, end = period_of(filters)
    orders = order_visible_queryset(viewer).filter(status__in=IN_FORCE,
                                                   ordered_on__gte=start, ordered_on__lte=end)
    owners = narrowed_owner_ids(filters)
    if owners is not None:
        orders = orders.filter(owner_id__in=owners)
    grouped = list(orders.order_by()
                   .values("account_id", "account__name", "account__tier", "currency")
                   .annotate(orders=Count("pk"), value=Sum("total"),
                             last_order=Max("ordered_on")))
    rates = rate_table(on=end)
    notes: list[str] = []
    conversion: ConversionNote | None = None
    currencies = sorted({item["currency"].upper() for item in grouped})
    if rates is not None:
        conversion = rates.note(currencies)
        missing = [code for code in currencies if not rates.can_convert(code)]
        if missing:
            notes.append(_("No exchange rate for %(codes)s: those orders are left out.")
                         % {"codes": ", ".join(missing)})
        tables = [_table("accounts", _("Key accounts"), rates.target,
                         _merge_converted(grouped, rates), start=start, end=end,
                         filters=filters, currency_param=None)]
    else:
        per_currency: dict[str, list[AccountOrders]] = defaultdict(list)
        for item in grouped:
            per_currency[item["currency"].upper()].append(AccountOrders(
                account_id=item["account_id"], name=item["account__name"],
                tier=item["account__tier"], last_order=item["last_order"],
                orders=item["orders"], value=item["value"]))
        tables = [_table(f"accounts_{code.lower()}",
                         _("Key accounts (%(currency)s)") % {"currency": code}, code,
                         per_currency[code], start=start, end=end, filters=filters,
                         currency_param=code) for code in currencies]
    notes.append(_("Orders in force ordered from %(start)s to %(end)s; scores 1 to 5 for "
                   "recency, frequency and value, value score = (R + F + M - 3) / 12 x 100.")
                 % {"start": start.isoformat(), "end": end.isoformat()})
    return Report(slug="key-accounts", title=_("Key accounts"), tables=tables,
                  filters=ReportFilters(start=start, end=end, team_id=filters.team_id,
                                        rep_id=filters.rep_id),
                  conversion=conversion, notes=notes)
