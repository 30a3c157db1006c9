"""manage.py sync_stripe_plans against Stripe's Products and Prices (at the HTTP boundary:
localstripe has no Prices)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billing.models import Plan

pytestmark = pytest.mark.django_db


def _sync(*args: str) -> str:
    out = StringIO()
    call_command("sync_stripe_plans", *args, stdout=out)
    return out.getvalue()


def test_first_sync_creates_products_and_tiered_prices(stripe_stub):
    output = _sync()

    assert "9 created, 0 updated, 0 unchanged" in output  # 3 products, 6 prices
    growth = Plan.objects.get(code="growth")
    assert growth.stripe_product_id == "crm_plan_growth"
    month = stripe_stub.prices[growth.stripe_price_monthly_id]
    assert month["lookup_key"] == "crm_growth_month"
    assert month["product"] == "crm_plan_growth"
    assert month["tiers"] == [
        {"flat_amount": 9900, "flat_amount_decimal": "9900", "unit_amount": 0,
         "unit_amount_decimal": "0", "up_to": 10},
        {"flat_amount": None, "flat_amount_decimal": None, "unit_amount": 1000,
         "unit_amount_decimal": "1000", "up_to": None},
    ]
    year = stripe_stub.prices[growth.stripe_price_yearly_id]
    assert year["recurring"]["interval"] == "year"
    assert year["tiers"][1]["unit_amount"] == 12000


def test_second_sync_changes_nothing(stripe_stub):
    _sync()
    before = {p.code: (p.stripe_price_monthly_id, p.stripe_price_yearly_id)
              for p in Plan.objects.all()}
    posts = len([r for r in stripe_stub.requests if r.method == "POST"])

    output = _sync()

    assert "0 created, 0 updated, 9 unchanged" in output
    assert len([r for r in stripe_stub.requests if r.method == "POST"]) == posts
    assert before == {p.code: (p.stripe_price_monthly_id, p.stripe_price_yearly_id)
                      for p in Plan.objects.all()}


def test_changed_price_moves_the_lookup_key_and_archives_the_old_price(stripe_stub):
    _sync("--plan", "starter")
    old = Plan.objects.get(code="starter").stripe_price_monthly_id
    Plan.objects.filter(code="starter").update(price_monthly=Decimal("35.00"), name="Starter+")

    output = _sync("--plan", "starter")

    assert "updated: price crm_starter_month" in output
    assert "updated: product crm_plan_starter" in output
    assert "unchanged: price crm_starter_year" in output
    new = Plan.objects.get(code="starter").stripe_price_monthly_id
    assert new != old
    assert stripe_stub.prices[old]["active"] is False
    assert stripe_stub.prices[old]["lookup_key"] is None
    assert stripe_stub.prices[new]["lookup_key"] == "crm_starter_month"
    [create] = [r for r in stripe_stub.sent("POST", "/v1/prices") if r.params.get(
        "tiers[0][flat_amount]") == "3500"]
    assert create.params["transfer_lookup_key"] == "true"


def test_stripe_unreachable_is_a_clear_error_and_changes_nothing(stripe_unreachable):
    with pytest.raises(CommandError, match="cannot be reached"):
        _sync()
    assert not Plan.objects.exclude(stripe_price_monthly_id="").exists()


def test_unknown_plan_code_is_refused(stripe_stub):
    with pytest.raises(CommandError, match="Unknown plan codes: nope"):
        _sync("--plan", "nope")
    assert stripe_stub.requests == []
