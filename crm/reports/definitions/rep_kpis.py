"""Rep activity KPIs for the period, per rep (by the records' owner):

- calls and visits: activities of that kind that took place in the period;
- new accounts: accounts the rep owns that were created in the period;
- leads converted: the rep's leads converted in the period;
- quotes sent: the rep's quotes (every revision) sent in the period;
- orders: the rep's booked orders (approved, partly delivered, delivered) dated in the
  period, count and amount (order total);
- collections: payments recorded against the rep's orders, paid in the period.

Every figure links to its list (filters applied) except collections: there is no payments
list yet, only each order's payments."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.selectors import account_visible_queryset
from crm.activities.models import ActivityKind
from crm.activities.selectors import activity_visible_queryset
from crm.leads.models import LeadStatus
from crm.leads.selectors import leads_visible_to
from crm.orders.models import OrderStatus
from crm.orders.selectors import order_visible_queryset
from crm.quotes.selectors import quote_visible_queryset
from crm.receivables.models import Payment
from crm.receivables.selectors import order_visible_queryset as receivable_orders
from crm.reports.currency import MoneyBuckets, MoneyColumns
from crm.reports.links import list_link
from crm.reports.registry import register_report
from crm.reports.selectors import period_of, report_rep_rows
from crm.reports.types import Chart, Column, Report, ReportFilters, ReportTable, Row, Series
from tenants.users.models import Role, User

BOOKED = (OrderStatus.APPROVED, OrderStatus.PARTLY_DELIVERED, OrderStatus.DELIVERED)


def _count_by(queryset: QuerySet, field: str = "owner_id") -> dict[object, int]:
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))


@register_report(
    "rep-kpis", title=gettext_lazy("Rep activity"),
    description=gettext_lazy("Calls, visits, new accounts, converted leads, quotes sent, "
                             "orders and collections per rep."),
    roles={Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.READ_ONLY}, order=40)
def rep_kpis(viewer: User, filters: ReportFilters) -> Report:
    period = period_of(filters)
    reps = report_rep_rows(viewer=viewer, filters=filters)
    rep_ids = [rep.pk for rep in reps]

    activities = activity_visible_queryset(viewer=viewer).filter(
        owner_id__in=rep_ids, occurred_at__gte=period.start_at,
        occurred_at__lt=period.after_end_at)
    kind_counts: dict[tuple[object, str], int] = {
        (owner, kind): n for owner, kind, n in
        activities.filter(kind__in=(ActivityKind.CALL, ActivityKind.VISIT)).order_by()
        .values_list("owner_id", "kind").annotate(n=Count("pk"))}
    accounts = _count_by(account_visible_queryset(viewer=viewer).filter(
        owner_id__in=rep_ids, created_at__range=(period.start_at, period.end_at)))
    leads = _count_by(leads_visible_to(viewer).filter(
        owner_id__in=rep_ids, status=LeadStatus.CONVERTED,
        converted_at__range=(period.start_at, period.end_at)))
    quotes = _count_by(quote_visible_queryset(viewer).filter(
        owner_id__in=rep_ids, sent_at__range=(period.start_at, period.end_at)))
    order_counts: dict[object, int] = {}
    order_amounts, collections = MoneyBuckets(), MoneyBuckets()
    for owner, currency, n, total in (
            order_visible_queryset(viewer).filter(
                owner_id__in=rep_ids, status__in=BOOKED,
                ordered_on__range=(period.start, period.end))
            .order_by().values_list("owner_id", "currency")
            .annotate(n=Count("pk"), total=Sum("total"))):
        order_counts[owner] = order_counts.get(owner, 0) + n
        order_amounts.add(owner, currency, total)
    for owner, currency, total in (
            Payment.objects.filter(order__in=receivable_orders(viewer=viewer).filter(
                owner_id__in=rep_ids), paid_on__range=(period.start, period.end))
            .order_by().values_list("order__owner_id", "order__currency")
            .annotate(total=Sum("amount"))):
        collections.add(owner, currency, total)

    money = MoneyColumns([order_amounts, collections], on=period.end)
    rows = []
    for rep in reps:
        owner = {"owner": rep.pk}
        calls = list_link("activities:activity_list", **owner, kind=ActivityKind.CALL.value,
                          occurred_after=period.start_at, occurred_before=period.after_end_at)
        cell_links = {
            "calls": calls,
            "visits": list_link("activities:activity_list", **owner,
                                kind=ActivityKind.VISIT.value, occurred_after=period.start_at,
                                occurred_before=period.after_end_at),
            "new_accounts": list_link("crm_accounts:account_list", **owner,
                                      created_after=period.start_at,
                                      created_before=period.end_at),
            "leads_converted": list_link("leads:lead_list", **owner,
                                         status=LeadStatus.CONVERTED.value,
                                         converted_after=period.start_at,
                                         converted_before=period.end_at),
            "quotes_sent": list_link("crm_quotes:quote_list", **owner,
                                     sent_after=period.start_at, sent_before=period.end_at),
            "orders": list_link("crm_orders:order_list", **owner,
                                status=[status.value for status in BOOKED],
                                ordered_after=period.start, ordered_before=period.end),
        }
        for column, _currency in money.keys("order_amount"):
            cell_links[column] = cell_links["orders"]
        rows.append(Row(values={
            "rep": rep.display_name,
            "calls": kind_counts.get((rep.pk, ActivityKind.CALL), 0),
            "visits": kind_counts.get((rep.pk, ActivityKind.VISIT), 0),
            "new_accounts": accounts.get(rep.pk, 0),
            "leads_converted": leads.get(rep.pk, 0),
            "quotes_sent": quotes.get(rep.pk, 0),
            "orders": order_counts.get(rep.pk, 0),
            **money.values(order_amounts, rep.pk, "order_amount"),
            **money.values(collections, rep.pk, "collected"),
        }, link=calls, cell_links=cell_links))
    counted = ("calls", "visits", "new_accounts", "leads_converted", "quotes_sent", "orders")
    totals: dict[str, object] = {"rep": _("Total")}
    for key in counted:
        totals[key] = sum(row.values[key] for row in rows)
    totals.update(money.total(order_amounts, rep_ids, "order_amount"))
    totals.update(money.total(collections, rep_ids, "collected"))
    columns = [
        Column("rep", _("Rep")), Column("calls", _("Calls"), "int"),
        Column("visits", _("Visits"), "int"), Column("new_accounts", _("New accounts"), "int"),
        Column("leads_converted", _("Leads converted"), "int"),
        Column("quotes_sent", _("Quotes sent"), "int"), Column("orders", _("Orders"), "int"),
        *money.columns("order_amount", _("Order amount")),
        *money.columns("collected", _("Collections"), linked=False),
    ]
    table = ReportTable(
        key="reps", title=_("Activity per rep"), columns=columns, rows=rows,
        currency=money.table_currency, totals=totals,
        chart=Chart(kind="bar", label_column="rep", series=(
            Series("calls", _("Calls")), Series("visits", _("Visits")),
            Series("quotes_sent", _("Quotes sent")), Series("orders", _("Orders")))))
    notes = [_("Per rep, by the records' owner. Collections are payments recorded against "
               "the rep's orders, by payment date."), *money.notes()]
    return Report(slug="rep-kpis", title=str(_("Rep activity")), tables=[table],
                  filters=filters, conversion=money.note(), notes=notes)
