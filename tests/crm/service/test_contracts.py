"""Service contracts: the API shape, validation, visibility (reps see the contracts of their
accounts only), isolation, the allowance draw-down work logs call, and renewal reminders
(once each, to the account owner)."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.core.models import Notification
from crm.service.models import ServiceContract
from crm.service.services.contracts import (
    contract_draw_down,
    contract_renewal_reminders_send,
    service_contract_create,
)
from tests.crm.accounts.factories import make_account
from tests.crm.service.sla_factories import make_asset, make_contract, make_policy

API = "/api/v1/service-contracts/"
SHAPE = {"id", "number", "account", "assets", "starts_on", "ends_on", "sla_policy",
         "allowance_kind", "allowance", "used"}


def _post(client, body):
    return client.post(API, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        head = make_account(name="Head", owner=rep)
        branch = make_account(name="Branch", owner=rep, parent=head)
        theirs = make_account(name="Someone else's", owner=tenant_a.users["rep2"])
        policy = make_policy()
        asset = make_asset(account=branch)
        foreign_asset = make_asset(account=theirs)
        yield {"rep": rep, "head": head, "branch": branch, "theirs": theirs,
               "policy": policy, "asset": asset, "foreign_asset": foreign_asset}


def _body(world, **change):
    return {"account": world["head"].pk, "assets": [], "starts_on": "2026-01-01",
            "ends_on": "2026-12-31", "sla_policy": world["policy"].pk, **change}


def test_a_contract_round_trips_in_the_exact_shape(tenant_a, tenant_client, world):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, _body(world, assets=[world["asset"].pk],
                                   allowance_kind="visits", allowance="10"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == SHAPE
    assert data["assets"] == [world["asset"].pk]
    assert data["number"].startswith("SC-")
    assert (data["allowance_kind"], data["allowance"], data["used"]) == ("visits", "10.00",
                                                                         "0.00")
    assert client.get(f"{API}{data['id']}/").json() == data
    all_assets = _post(client, _body(world)).json()
    assert all_assets["assets"] == []


@pytest.mark.parametrize(("change", "field"), [
    ({"ends_on": "2025-12-31"}, "ends_on"),
    ({"ends_on": "not a date"}, "ends_on"),
    ({"sla_policy": 999999}, "sla_policy"),
    ({"account": 999999}, "account"),
    ({"allowance_kind": "visits"}, "allowance"),
    ({"allowance": "5"}, "allowance_kind"),
    ({"allowance_kind": "hours", "allowance": "-1"}, "allowance"),
    ({"allowance_kind": "apples", "allowance": "1"}, "allowance_kind"),
])
def test_bad_contracts_answer_400(tenant_a, tenant_client, world, change, field):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, _body(world, **change))
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_listed_assets_must_belong_to_the_account_or_its_branches(tenant_a, world):
    with pytest.raises(ValidationError) as error:
        service_contract_create(actor=tenant_a.users["admin"], account=world["head"],
                                assets=[world["foreign_asset"]], starts_on=date(2026, 1, 1),
                                ends_on=date(2026, 12, 31), sla_policy=world["policy"])
    assert "assets" in error.value.message_dict
    contract = service_contract_create(actor=tenant_a.users["admin"], account=world["head"],
                                       assets=[world["asset"]], starts_on=date(2026, 1, 1),
                                       ends_on=date(2026, 12, 31), sla_policy=world["policy"])
    assert list(contract.assets.all()) == [world["asset"]]


def test_reps_see_contracts_of_their_accounts_only_and_cannot_write(tenant_a, tenant_client,
                                                                    in_tenant, world):
    with in_tenant(tenant_a):
        mine = make_contract(account=world["head"], sla_policy=world["policy"])
        other = make_contract(account=world["theirs"], sla_policy=world["policy"])
    client = tenant_client(tenant_a, world["rep"])
    assert [row["id"] for row in client.get(API).json()["results"]] == [mine.pk]
    assert client.get(f"{API}{other.pk}/").status_code == 404
    assert client.get(f"/crm/service/contracts/{other.pk}/").status_code == 404
    assert client.get(f"/crm/service/contracts/{mine.pk}/").status_code == 200
    assert _post(client, _body(world)).status_code == 403
    # A rep-visible account is not enough to list someone else's asset.
    manager = tenant_client(tenant_a, tenant_a.users["admin"])
    assert manager.get("/crm/service/contracts/").status_code == 200


def test_another_tenants_contract_is_a_404(tenant_a, tenant_b, tenant_client, in_tenant, world):
    with in_tenant(tenant_a):
        contract = make_contract(account=world["head"], sla_policy=world["policy"])
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    assert client.get(f"{API}{contract.pk}/").status_code == 404
    assert client.get(f"/crm/service/contracts/{contract.pk}/edit/").status_code == 404
    assert client.get(API).json()["results"] == []


def test_the_contract_list_page_has_a_query_budget(tenant_a, tenant_client, in_tenant, world,
                                                   django_assert_max_num_queries):
    with in_tenant(tenant_a):
        for index in range(12):
            contract = make_contract(account=world["head"], sla_policy=world["policy"])
            if index % 2:
                contract.assets.add(world["asset"])
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    client.get("/crm/service/contracts/")  # warm per-session caches
    with django_assert_max_num_queries(16):
        response = client.get("/crm/service/contracts/")
    assert response.status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(API).status_code == 200


def test_the_contract_form_creates_a_contract(tenant_a, tenant_client, in_tenant, world):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.post("/crm/service/contracts/new/", {
        "account": world["head"].pk, "assets": str(world["asset"].pk),
        "starts_on": "2026-01-01", "ends_on": "2026-06-30", "sla_policy": world["policy"].pk,
        "allowance_kind": "hours", "allowance": "20"})
    assert response.status_code == 302, response.content.decode()[-1500:]
    with in_tenant(tenant_a):
        contract = ServiceContract.objects.get()
    assert contract.allowance == Decimal("20.00")
    assert list(contract.assets.all()) == [world["asset"]]


def test_draw_down_adds_usage_and_tells_the_owner_once_when_exceeded(tenant_a, world):
    contract = make_contract(account=world["head"], sla_policy=world["policy"],
                             allowance_kind="hours", allowance=Decimal(3))
    first = contract_draw_down(contract=contract, amount=Decimal("2.5"),
                               actor=tenant_a.users["agent"])
    assert (first.used, first.remaining, first.exceeded) == (Decimal("2.50"), Decimal("0.50"),
                                                             False)
    second = contract_draw_down(contract=contract, amount=Decimal(1))
    assert (second.used, second.exceeded) == (Decimal("3.50"), True)
    third = contract_draw_down(contract=contract, amount=Decimal(1))
    assert third.exceeded is False
    notes = Notification.objects.filter(verb="service_contract.allowance_exceeded")
    assert [n.recipient_id for n in notes] == [world["rep"].pk]
    contract.refresh_from_db()
    assert contract.used == Decimal("4.50")


@pytest.mark.parametrize("amount", [0, -1, "x", 1.5])
def test_draw_down_refuses_bad_amounts(world, amount):
    contract = make_contract(account=world["head"], sla_policy=world["policy"],
                             allowance_kind="visits", allowance=Decimal(3))
    with pytest.raises(ValidationError):
        contract_draw_down(contract=contract, amount=amount)


def test_draw_down_needs_an_allowance(world):
    contract = make_contract(account=world["head"], sla_policy=world["policy"])
    with pytest.raises(ValidationError):
        contract_draw_down(contract=contract, amount=1)


def test_renewal_reminders_go_to_the_owner_once(tenant_a, world):
    today = timezone.localdate()
    ending = make_contract(account=world["head"], sla_policy=world["policy"],
                           starts_on=today - timedelta(days=300),
                           ends_on=today + timedelta(days=20))
    make_contract(account=world["head"], sla_policy=world["policy"],
                  starts_on=today, ends_on=today + timedelta(days=200))
    pooled = make_contract(account=make_account(name="Pooled"), sla_policy=world["policy"],
                           starts_on=today, ends_on=today + timedelta(days=5))
    assert contract_renewal_reminders_send() == 2
    assert contract_renewal_reminders_send() == 0
    notes = Notification.objects.filter(verb="service_contract.renewal_due")
    by_contract = {n.object_id: n.recipient_id for n in notes}
    assert by_contract[ending.pk] == world["rep"].pk
    assert by_contract[pooled.pk] == tenant_a.users["admin"].pk  # no owner: the admins
    # A renewed period (new end) gets its own reminder.
    from crm.service.services.contracts import service_contract_update

    service_contract_update(contract=ending, actor=tenant_a.users["admin"],
                            ends_on=today + timedelta(days=25))
    assert contract_renewal_reminders_send() == 1


def test_the_beat_schedule_runs_the_sweep_every_minute_in_every_tenant():
    from config.schedules import BEAT_SCHEDULE

    sweep = BEAT_SCHEDULE["crm-service-sla-sweep"]
    renewals = BEAT_SCHEDULE["crm-service-contract-renewals"]
    assert sweep["task"] == "crm.service.sla_tasks.sweep_sla_escalations"
    assert renewals["task"] == "crm.service.sla_tasks.send_contract_renewal_reminders"
    assert "tenant_schemas" not in sweep
    assert "tenant_schemas" not in renewals
    assert sweep["schedule"].minute == set(range(60))
