"""Demo reports data: monthly sales targets for the demo reps and the East team over the
current year, and one exchange rate (EUR, or USD where the workspace counts in EUR) so the
reports show a converted figure with its rate's date. Idempotent (one row per rep or team
and month; one rate per currency and day)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from crm.core.models import Team
from crm.core.money import round_money
from crm.reports.currency import workspace_currency
from crm.reports.models import ExchangeRate, SalesTarget
from tenants.demo import demo_seeder
from tenants.users.models import User

# Value of one unit in US dollars (demo figures, not market data).
IN_USD = {"USD": Decimal("1"), "EUR": Decimal("1.08"), "CNY": Decimal("0.14"),
          "GBP": Decimal("1.27"), "JPY": Decimal("0.0067")}
REP_TARGETS = {"rep@demo.test": Decimal("40000"), "rep2@demo.test": Decimal("30000")}


@demo_seeder(name="reports", order=95)
def seed_reports() -> None:
    currency = workspace_currency()
    year = timezone.localdate().year
    scale = IN_USD.get("USD", Decimal(1)) / IN_USD.get(currency, Decimal(1))
    for email, monthly in REP_TARGETS.items():
        rep = User.objects.filter(email=email).first()
        if rep is None:
            continue
        for month in range(1, 13):
            SalesTarget.objects.get_or_create(
                rep=rep, month=date(year, month, 1),
                defaults={"amount": round_money(monthly * scale, currency),
                          "currency": currency})
    team = Team.objects.active().filter(name="East").first()
    if team is not None:
        for month in range(1, 13):
            SalesTarget.objects.get_or_create(
                team=team, month=date(year, month, 1),
                defaults={"amount": round_money(Decimal("70000") * scale, currency),
                          "currency": currency})
    other = "USD" if currency == "EUR" else "EUR"
    if currency in IN_USD:
        rate = (IN_USD[other] / IN_USD[currency]).quantize(Decimal("0.000001"))
        ExchangeRate.objects.get_or_create(currency=other, valid_from=date(year, 1, 1),
                                           defaults={"rate": rate})
