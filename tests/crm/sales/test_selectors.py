from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from crm.sales.selectors import (
    account_pipeline_rollup,
    forecast_by_month,
    forecast_by_rep,
    forecast_by_team,
    opportunity_get_for,
    opportunity_list,
)
from crm.sales.services import key_action_complete, opportunity_move_stage
from tests.crm.core.factories import make_team
from tests.crm.sales.conftest import stage_named

VISIBLE = {
    "rep": {"rep", "pool"},
    "rep2": {"rep2", "pool"},
    "manager": {"rep", "manager", "pool"},
    "admin": {"rep", "rep2", "manager", "pool"},
    "readonly": {"rep", "rep2", "manager", "pool"},
    "agent": set(),
}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_visibility_matrix_per_role(role, tenant_a, in_tenant, sales_world):
    deals = sales_world["deals"]
    with in_tenant(tenant_a):
        viewer = tenant_a.users[role]
        seen = set(opportunity_list(viewer=viewer).values_list("pk", flat=True))
        expected = {deals[key].pk for key in VISIBLE[role]}
        assert seen & {deal.pk for deal in deals.values()} == expected
        for key, deal in deals.items():
            if key in VISIBLE[role]:
                assert opportunity_get_for(viewer=viewer, opportunity_id=deal.pk) == deal
            else:
                with pytest.raises(Http404):
                    opportunity_get_for(viewer=viewer, opportunity_id=deal.pk)


def test_get_for_answers_404_for_missing_and_garbage_ids(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        for bad in (999999, "abc", None):
            with pytest.raises(Http404):
                opportunity_get_for(viewer=tenant_a.users["admin"], opportunity_id=bad)


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def test_weighted_forecast_by_month_rep_and_team(tenant_a, in_tenant, make_opportunity):
    users = tenant_a.users
    month_1 = _first_of_month(date.today()) + timedelta(days=40)
    month_1 = _first_of_month(month_1) + timedelta(days=4)
    month_2 = _first_of_month(month_1 + timedelta(days=35)) + timedelta(days=9)
    with in_tenant(tenant_a):
        team = make_team("Forecast team", managers=[users["manager"]])
        team.members.add(users["rep"], users["rep2"])
        make_opportunity(owner=users["rep"], amount=1000, close_date=month_1)  # 10 %
        make_opportunity(owner=users["rep"], amount=2000, close_date=month_1,
                         stage=stage_named("Proposal"))  # 50 %
        make_opportunity(owner=users["rep2"], amount=4000, close_date=month_2,
                         stage=stage_named("Negotiation"))  # 75 %
        won = make_opportunity(owner=users["rep2"], amount=9999, close_date=month_1,
                               stage=stage_named("Negotiation"))
        for action in stage_named("Negotiation").key_actions.all():
            key_action_complete(opportunity=won, key_action=action, actor=users["rep2"])
        opportunity_move_stage(opportunity=won, stage=stage_named("Won"), actor=users["rep2"])

        admin = users["admin"]
        window = {"start": month_1 - timedelta(days=4), "end": month_2 + timedelta(days=30)}
        months = {(row.label, row.currency): row for row in
                  forecast_by_month(viewer=admin, **window)}
        currency = tenant_a.tenant.currency
        assert months[(month_1.strftime("%Y-%m"), currency)].weighted == Decimal("1100.00")
        assert months[(month_1.strftime("%Y-%m"), currency)].amount == Decimal("3000.00")
        assert months[(month_2.strftime("%Y-%m"), currency)].weighted == Decimal("3000.00")

        by_rep: dict[int, Decimal] = {}
        for row in forecast_by_rep(viewer=admin, **window):
            by_rep[row.key] = by_rep.get(row.key, Decimal(0)) + row.weighted
        assert by_rep == {users["rep"].pk: Decimal("1100.00"),
                          users["rep2"].pk: Decimal("3000.00")}

        team_total = sum(row.weighted for row in forecast_by_team(viewer=admin, **window)
                         if row.key == team.pk)
        assert team_total == Decimal("4100.00")

        # A rep's forecast holds only what the rep may see: their own deals and their
        # teammates' (rep2 and rep share the team), never a deal of someone outside it.
        outsider = make_opportunity(owner=users["manager"], amount=8000, close_date=month_1)
        rep_total = sum(row.weighted for row in forecast_by_month(viewer=users["rep2"],
                                                                  **window))
        assert rep_total == Decimal("4100.00")
        assert outsider.owner_id not in {users["rep"].pk, users["rep2"].pk}


def test_rollup_sums_the_whole_three_level_hierarchy(
    tenant_a, in_tenant, make_account, make_opportunity
):
    users = tenant_a.users
    with in_tenant(tenant_a):
        head = make_account("Head office", owner=users["rep"])
        region = make_account("Region branch", owner=users["rep"], parent=head)
        local = make_account("Local branch", owner=users["rep"], parent=region)
        other = make_account("Unrelated", owner=users["rep"])
        make_opportunity(owner=users["rep"], account=head, amount=100)
        make_opportunity(owner=users["rep"], account=region, amount=200)
        make_opportunity(owner=users["rep"], account=local, amount=400)
        make_opportunity(owner=users["rep"], account=other, amount=800)
        won = make_opportunity(owner=users["rep"], account=local, amount=1600,
                               stage=stage_named("Negotiation"))
        opportunity_move_stage(opportunity=won, stage=stage_named("Won"),
                               actor=users["manager"], override_reason="Signed early")

        [top] = account_pipeline_rollup(viewer=users["admin"], account_id=head.pk)
        assert (top.open_count, top.open_amount) == (3, Decimal("700.00"))
        assert (top.won_count, top.won_amount) == (1, Decimal("1600.00"))
        assert top.open_weighted == Decimal("70.00")
        [middle] = account_pipeline_rollup(viewer=users["admin"], account_id=region.pk)
        assert middle.open_amount == Decimal("600.00")
        assert middle.won_amount == Decimal("1600.00")
        [leaf] = account_pipeline_rollup(viewer=users["admin"], account_id=local.pk)
        assert leaf.open_amount == Decimal("400.00")


def test_rollup_hides_deals_the_viewer_cannot_see(
    tenant_a, in_tenant, make_account, make_opportunity
):
    users = tenant_a.users
    with in_tenant(tenant_a):
        head = make_account("Shared head", owner=None)
        branch = make_account("Shared branch", owner=None, parent=head)
        make_opportunity(owner=users["rep"], account=head, amount=100)
        make_opportunity(owner=users["rep2"], account=branch, amount=200)
        [rep_view] = account_pipeline_rollup(viewer=users["rep"], account_id=head.pk)
        assert rep_view.open_amount == Decimal("100.00")
        assert account_pipeline_rollup(viewer=users["agent"], account_id=head.pk) == []
