"""Which targets apply: the asset's own contract, else its warranty policy while under
warranty, else an account-wide contract (of the account or a head office above it), else the
tenant default, else none."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.service.coverage import CoverageSource, coverage_for, coverage_for_assets
from tests.crm.accounts.factories import make_account
from tests.crm.service.sla_factories import make_asset, make_contract, make_policy

ON = date(2026, 6, 1)


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        head = make_account(name="Head Office")
        branch = make_account(name="Branch", parent=head)
        other = make_account(name="Elsewhere")
        policies = {f"p_{key}": make_policy(name=key) for key in
                    ("own", "warranty", "head", "branch", "default")}
        policies["p_default"].is_default = True
        policies["p_default"].save()
        asset = make_asset(account=branch, warranty_start=date(2026, 1, 1),
                           warranty_end=date(2026, 12, 31), warranty_policy=policies["p_warranty"])
        yield {"head": head, "branch": branch, "other": other, "asset": asset, **policies}


def _source(world, on=ON):
    coverage = coverage_for(account=world["branch"], asset=world["asset"], on=on)
    return coverage.source, coverage.sla_policy, coverage.warranty


def test_the_assets_own_contract_comes_first(world):
    contract = make_contract(account=world["branch"], sla_policy=world["p_own"],
                             assets=[world["asset"]])
    make_contract(account=world["branch"], sla_policy=world["p_branch"])
    coverage = coverage_for(account=world["branch"], asset=world["asset"], on=ON)
    assert (coverage.source, coverage.contract, coverage.sla_policy, coverage.warranty) == (
        CoverageSource.CONTRACT, contract, world["p_own"], True)
    assert coverage.as_api() == {"warranty": True, "contract": contract.pk,
                                 "sla_policy": world["p_own"].pk}


def test_warranty_policy_applies_while_under_warranty_only(world):
    make_contract(account=world["head"], sla_policy=world["p_head"])
    assert _source(world) == (CoverageSource.WARRANTY, world["p_warranty"], True)
    # After the warranty ends the head office's account-wide contract covers the branch.
    assert _source(world, on=date(2027, 1, 5)) == (CoverageSource.DEFAULT, world["p_default"],
                                                  False)
    assert _source(world, on=date(2026, 12, 31))[0] == CoverageSource.WARRANTY


def test_an_account_wide_contract_covers_branches_nearest_account_first(world):
    world["asset"].warranty_end = date(2025, 12, 31)
    world["asset"].save()
    head_contract = make_contract(account=world["head"], sla_policy=world["p_head"])
    assert _source(world) == (CoverageSource.ACCOUNT_CONTRACT, world["p_head"], False)
    make_contract(account=world["branch"], sla_policy=world["p_branch"])
    assert _source(world) == (CoverageSource.ACCOUNT_CONTRACT, world["p_branch"], False)
    # A contract listing other assets does not cover this one.
    other_asset = make_asset(account=world["branch"])
    make_contract(account=world["branch"], sla_policy=world["p_own"], assets=[other_asset],
                  starts_on=date(2026, 5, 1))
    assert _source(world)[1] == world["p_branch"]
    assert head_contract.pk


def test_contracts_outside_their_period_do_not_count(world):
    world["asset"].warranty_end = None
    world["asset"].save()
    make_contract(account=world["branch"], sla_policy=world["p_own"], assets=[world["asset"]],
                  starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31))
    assert _source(world) == (CoverageSource.DEFAULT, world["p_default"], False)
    assert _source(world, on=date(2026, 7, 1))[0] == CoverageSource.CONTRACT


def test_a_request_without_asset_uses_the_account_chain(world):
    make_contract(account=world["head"], sla_policy=world["p_head"])
    coverage = coverage_for(account=world["branch"], asset=None, on=ON)
    assert coverage.sla_policy == world["p_head"]
    assert coverage_for(account=world["other"], asset=None, on=ON).sla_policy == world["p_default"]


def test_without_default_nothing_applies(world):
    world["p_default"].is_default = False
    world["p_default"].save()
    coverage = coverage_for(account=world["other"], asset=None, on=ON)
    assert (coverage.source, coverage.sla_policy, coverage.contract) == (
        CoverageSource.NONE, None, None)


def test_batch_coverage_agrees_and_costs_a_fixed_number_of_queries(world):
    make_contract(account=world["head"], sla_policy=world["p_head"])
    assets = [world["asset"]]
    for index in range(6):
        asset = make_asset(account=world["branch"] if index % 2 else world["other"],
                           warranty_end=date(2026, 12, 31) if index % 3 == 0 else None,
                           warranty_policy=world["p_warranty"])
        assets.append(asset)
        if index == 4:
            make_contract(account=asset.account, sla_policy=world["p_own"], assets=[asset])
    with CaptureQueriesContext(connection) as queries:
        batch = coverage_for_assets(assets=assets, on=ON)
    assert len(queries) <= 5
    for asset in assets:
        single = coverage_for(account=asset.account, asset=asset, on=ON)
        assert batch[asset.pk] == single
