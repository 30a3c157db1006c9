"""One FilterSet per record type (issue 12): for the same filter parameters the list page,
its export button, the API list and the API export return the same records; invalid values
are a form error on the page (no rows; its export answers 400, no file) and a 400 JSON
from the API, never a 500; the pages keep their query budget with filters applied."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from crm.activities.models import ActivityKind
from crm.activities.services import activity_log
from crm.leads.models import Lead, LeadStatus
from crm.leads.services import lead_create, lead_disqualify
from crm.sales.models import Stage
from crm.sales.services import opportunity_create
from tests.crm.accounts.factories import make_account, make_contact

API = "/api/v1"


def _rows_of(context: Any) -> list[Any]:
    if "leads" in context:
        return list(context["leads"])
    page = context["page"]
    return list(page["rows"] if isinstance(page, dict) else page.object_list)


def _csv_ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    return [int(row["id"]) for row in rows]


def _api_ids(client: Any, path: str, params: dict[str, Any]) -> list[int]:
    ids: list[int] = []
    url: str | None = f"{API}/{path}/?{urlencode(params, doseq=True)}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        url = body.get("next")
    return ids


def assert_same_everywhere(client: Any, page_url: str, api_path: str,
                           params: dict[str, Any]) -> set[int]:
    """The ids the page shows, its export, the API list and the API export, all equal (the
    page and its export also in the same order)."""
    query = urlencode(params, doseq=True)
    page = client.get(f"{page_url}?{query}")
    assert page.status_code == 200, (params, page.content[:500])
    page_ids = [row.pk for row in _rows_of(page.context)]
    export_query = urlencode({**params, "format": "csv"}, doseq=True)
    page_export = _csv_ids(client.get(f"{page_url}?{export_query}"))
    api_ids = _api_ids(client, api_path, params)
    api_export = _csv_ids(client.get(f"{API}/{api_path}/?{export_query}"))
    assert page_export == page_ids, params
    assert set(page_ids) == set(api_ids) == set(api_export), params
    assert len(page_ids) == len(set(page_ids)), params
    return set(page_ids)


def assert_invalid_everywhere(client: Any, page_url: str, api_path: str,
                              params: dict[str, Any], field: str) -> None:
    query = urlencode(params, doseq=True)
    page = client.get(f"{page_url}?{query}")
    assert page.status_code == 200, params
    assert field in page.context["filters"].errors
    assert _rows_of(page.context) == []
    assert 'id="filter-errors"' in page.content.decode()
    export_query = urlencode({**params, "format": "csv"}, doseq=True)
    export = client.get(f"{page_url}?{export_query}")
    assert export.status_code == 400
    assert not export.get("Content-Disposition")
    api = client.get(f"{API}/{api_path}/?{query}")
    assert api.status_code == 400, params
    assert field in api.json()


# --- accounts and contacts -----------------------------------------------------------------

@pytest.fixture
def account_world(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        alpha = make_account(owner=users["rep"], name="Alpha Trading", type="customer",
                             tier="a", region="East", tags=["vip"])
        beta = make_account(owner=users["rep"], name="Beta Works", type="prospect", tier="b",
                            region="West", parent=alpha)
        pool = make_account(owner=None, name="Alpha Pool", type="customer", tier="a",
                            region="east", tags=["vip", "new"])
        hidden = make_account(owner=users["rep2"], name="Alpha Hidden", type="customer",
                              tier="a", region="East", tags=["vip"])
        contacts = {
            "alpha": make_contact(account=alpha, last_name="Zhang", email="zhang@alpha.example",
                                  buying_role="decision_maker"),
            "beta": make_contact(account=beta, last_name="Li", buying_role="influencer"),
            "pool": make_contact(account=pool, last_name="Wang", buying_role="decision_maker"),
            "hidden": make_contact(account=hidden, last_name="Zhao",
                                   buying_role="decision_maker"),
        }
    return {"alpha": alpha, "beta": beta, "pool": pool, "hidden": hidden}, contacts


def test_accounts_page_api_and_exports_agree_for_every_filter(tenant_a, tenant_client,
                                                              account_world):
    accounts, _contacts = account_world
    rep = tenant_a.users["rep"]
    client = tenant_client(tenant_a, rep)
    ids = {key: account.pk for key, account in accounts.items()}
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({}, {"alpha", "beta", "pool"}),
        ({"q": "alpha"}, {"alpha", "pool"}),
        ({"type": "customer"}, {"alpha", "pool"}),
        ({"type": ["customer", "prospect"], "tier": "b"}, {"beta"}),
        ({"owner": "me"}, {"alpha", "beta"}),
        ({"owner": "pool"}, {"pool"}),
        ({"owner": rep.pk, "tag": "vip"}, {"alpha"}),
        ({"region": " East ", "tier": "a"}, {"alpha", "pool"}),
        ({"in_pool": "false", "root": "true"}, {"alpha"}),
        ({"parent": accounts["alpha"].pk}, {"beta"}),
        ({"q": "alpha", "sort": "-updated_at"}, {"alpha", "pool"}),
    ]
    for params, expected in cases:
        assert assert_same_everywhere(client, "/crm/accounts/", "accounts", params) == {
            ids[key] for key in expected}, params


def test_contacts_page_api_and_exports_agree_for_every_filter(tenant_a, tenant_client,
                                                              account_world):
    accounts, contacts = account_world
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    ids = {key: contact.pk for key, contact in contacts.items()}
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({}, {"alpha", "beta", "pool"}),
        ({"q": "zhang"}, {"alpha"}),
        ({"q": "alpha"}, {"alpha", "pool"}),
        ({"buying_role": "decision_maker"}, {"alpha", "pool"}),
        ({"buying_role": ["influencer", "decision_maker"], "q": "li"}, {"beta"}),
        ({"account": accounts["pool"].pk}, {"pool"}),
        ({"account": accounts["hidden"].pk}, set()),
    ]
    for params, expected in cases:
        assert assert_same_everywhere(client, "/crm/contacts/", "contacts", params) == {
            ids[key] for key in expected}, params


def test_invalid_account_and_contact_filters_are_errors_not_500s(tenant_a, tenant_client,
                                                                 account_world):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    assert_invalid_everywhere(client, "/crm/accounts/", "accounts", {"type": "bogus"}, "type")
    assert_invalid_everywhere(client, "/crm/accounts/", "accounts", {"owner": "someone"},
                              "owner")
    assert_invalid_everywhere(client, "/crm/accounts/", "accounts", {"parent": "x"}, "parent")
    assert_invalid_everywhere(client, "/crm/contacts/", "contacts", {"buying_role": "boss"},
                              "buying_role")
    # An unknown sort is the default order, not an error.
    assert client.get("/crm/accounts/?sort=nonsense").status_code == 200


def test_filtered_account_and_contact_pages_keep_their_query_budget(
        tenant_a, tenant_client, account_world, in_tenant, django_assert_max_num_queries):
    users = tenant_a.users
    with in_tenant(tenant_a):
        for index in range(20):
            account = make_account(owner=users["rep"], name=f"Alpha Budget {index}",
                                   type="customer", tags=["vip"])
            make_contact(account=account, buying_role="decision_maker")
    client = tenant_client(tenant_a, users["rep"])
    client.get("/crm/accounts/")
    with django_assert_max_num_queries(15):
        response = client.get("/crm/accounts/?q=alpha&type=customer&owner=me&tag=vip")
    assert response.status_code == 200
    assert len(_rows_of(response.context)) == 21
    with django_assert_max_num_queries(15):
        response = client.get("/crm/contacts/?q=alpha&buying_role=decision_maker")
    assert len(_rows_of(response.context)) == 22


# --- leads ---------------------------------------------------------------------------------

@pytest.fixture
def lead_world(tenant_a, in_tenant, no_rules):
    users = tenant_a.users
    with in_tenant(tenant_a):
        from crm.leads.services import campaign_create

        fair = campaign_create(actor=users["admin"], name="Spring fair")
        leads = {
            "mine_new": lead_create(actor=users["rep"], company="Orion Labs", owner=users["rep"],
                                    source="trade_show", campaign=fair, region="East"),
            "mine_working": lead_create(actor=users["rep"], company="Vega Foods",
                                        owner=users["rep"], source="web_form"),
            "queue": lead_create(actor=None, company="Orion Queue", source="web_form"),
            "mine_lost": lead_create(actor=users["rep"], company="Orion Lost",
                                     owner=users["rep"], source="trade_show"),
            "theirs": lead_create(actor=users["rep2"], company="Orion Theirs",
                                  owner=users["rep2"], source="trade_show"),
        }
        Lead.objects.filter(pk=leads["mine_working"].pk).update(status=LeadStatus.WORKING)
        lead_disqualify(lead=leads["mine_lost"], actor=users["rep"], reason="No budget")
    return leads, fair


@pytest.fixture
def no_rules(tenant_a, in_tenant):
    from crm.leads.models import AssignmentRule, ScoringRule

    with in_tenant(tenant_a):
        ScoringRule.objects.all().delete()
        AssignmentRule.objects.all().delete()


def test_leads_page_api_and_exports_agree_for_every_filter(tenant_a, tenant_client, lead_world):
    leads, fair = lead_world
    rep = tenant_a.users["rep"]
    client = tenant_client(tenant_a, rep)
    ids = {key: lead.pk for key, lead in leads.items()}
    cases: list[tuple[dict[str, Any], set[str]]] = [
        # The page opens on the open leads; the API says so explicitly.
        ({"status": "open"}, {"mine_new", "mine_working", "queue"}),
        ({"status": "all"}, {"mine_new", "mine_working", "queue", "mine_lost"}),
        ({"status": "disqualified"}, {"mine_lost"}),
        ({"status": "all", "q": "orion"}, {"mine_new", "queue", "mine_lost"}),
        ({"status": "all", "owner": "mine"}, {"mine_new", "mine_working", "mine_lost"}),
        ({"status": "open", "owner": "queue"}, {"queue"}),
        ({"status": "all", "owner": rep.pk, "source": "trade_show"}, {"mine_new", "mine_lost"}),
        ({"status": "open", "campaign": fair.pk, "ordering": "company"}, {"mine_new"}),
        ({"status": "all", "unassigned": "true"}, {"queue"}),
        ({"status": "all", "region": "east"}, {"mine_new"}),
    ]
    for params, expected in cases:
        assert assert_same_everywhere(client, "/crm/leads/", "leads", params) == {
            ids[key] for key in expected}, params
    # Without a status the page shows the open leads (as before); the API every lead.
    page = client.get("/crm/leads/")
    assert {lead.pk for lead in _rows_of(page.context)} == {
        ids["mine_new"], ids["mine_working"], ids["queue"]}
    assert set(_api_ids(client, "leads", {})) == {
        ids[key] for key in ("mine_new", "mine_working", "queue", "mine_lost")}


def test_invalid_lead_filters_are_errors_not_500s(tenant_a, tenant_client, lead_world):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    assert_invalid_everywhere(client, "/crm/leads/", "leads", {"status": "lost-ish"}, "status")
    assert_invalid_everywhere(client, "/crm/leads/", "leads", {"campaign": "999999"},
                              "campaign")
    assert_invalid_everywhere(client, "/crm/leads/", "leads", {"owner": "-3"}, "owner")
    assert_invalid_everywhere(client, "/crm/leads/", "leads", {"score_min": "many"},
                              "score_min")


def test_a_filtered_lead_page_keeps_its_query_budget(tenant_a, tenant_client, lead_world,
                                                     in_tenant, django_assert_max_num_queries):
    _leads, fair = lead_world
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        for index in range(20):
            lead_create(actor=rep, company=f"Orion {index}", owner=rep, campaign=fair,
                        source="trade_show")
    client = tenant_client(tenant_a, rep)
    client.get("/crm/leads/")
    with django_assert_max_num_queries(17):
        response = client.get(f"/crm/leads/?q=orion&owner=mine&campaign={fair.pk}"
                              "&source=trade_show&ordering=-score")
    assert response.status_code == 200
    assert len(_rows_of(response.context)) == 21


# --- opportunities -------------------------------------------------------------------------

@pytest.fixture
def deal_world(tenant_a, in_tenant):
    users = tenant_a.users
    soon = date.today() + timedelta(days=10)
    later = date.today() + timedelta(days=90)

    def deal(name: str, owner: Any, amount: str, close: date, account_name: str) -> Any:
        return opportunity_create(
            account=make_account(owner=owner, name=account_name), name=name,
            amount=Decimal(amount), currency=None, close_date=close, owner=owner, actor=owner)

    with in_tenant(tenant_a):
        deals = {
            "small": deal("Pumps small", users["rep"], "1000", soon, "Delta Ltd"),
            "big": deal("Valves big", users["rep"], "90000", later, "Delta Ltd 2"),
            "won": deal("Pumps won", users["rep"], "5000", soon, "Echo Ltd"),
            "theirs": deal("Pumps theirs", users["rep2"], "1000", soon, "Foxtrot Ltd"),
        }
        won_stage = Stage.objects.filter(pipeline=deals["won"].pipeline, is_won=True).first()
        from crm.sales.models import Opportunity

        Opportunity.objects.filter(pk=deals["won"].pk).update(stage=won_stage,
                                                             closed_at=timezone.now())
        deals["won"].refresh_from_db()
    return deals, soon


def test_opportunities_page_api_and_exports_agree_for_every_filter(tenant_a, tenant_client,
                                                                   deal_world):
    deals, soon = deal_world
    rep = tenant_a.users["rep"]
    client = tenant_client(tenant_a, rep)
    ids = {key: deal.pk for key, deal in deals.items()}
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({}, {"small", "big", "won"}),
        ({"q": "pumps"}, {"small", "won"}),
        ({"q": "delta"}, {"small", "big"}),
        ({"status": "open"}, {"small", "big"}),
        ({"status": "won"}, {"won"}),
        ({"owner": "me", "min_amount": "2000"}, {"big", "won"}),
        ({"owner": rep.pk, "close_to": soon.isoformat(), "ordering": "-amount"},
         {"small", "won"}),
        ({"close_from": (soon + timedelta(days=1)).isoformat()}, {"big"}),
        ({"stage": deals["won"].stage_id}, {"won"}),
        ({"pipeline": deals["small"].pipeline_id, "max_amount": "1000"}, {"small"}),
        ({"account": deals["big"].account_id}, {"big"}),
        ({"account": deals["theirs"].account_id}, set()),
    ]
    for params, expected in cases:
        assert assert_same_everywhere(client, "/crm/opportunities/", "opportunities",
                                      params) == {ids[key] for key in expected}, params


def test_invalid_opportunity_filters_are_errors_not_500s(tenant_a, tenant_client, deal_world):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    url = "/crm/opportunities/"
    assert_invalid_everywhere(client, url, "opportunities", {"status": "maybe"}, "status")
    assert_invalid_everywhere(client, url, "opportunities", {"stage": "999999"}, "stage")
    assert_invalid_everywhere(client, url, "opportunities", {"close_from": "soon"},
                              "close_from")
    assert_invalid_everywhere(client, url, "opportunities", {"owner": "everyone"}, "owner")


def test_a_filtered_opportunity_page_keeps_its_query_budget(
        tenant_a, tenant_client, deal_world, in_tenant, django_assert_max_num_queries):
    deals, _soon = deal_world
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        for index in range(20):
            opportunity_create(account=deals["small"].account, name=f"Pumps {index}",
                               amount=Decimal(100), currency=None,
                               close_date=date.today() + timedelta(days=5), owner=rep,
                               actor=rep)
    client = tenant_client(tenant_a, rep)
    client.get("/crm/opportunities/")
    with django_assert_max_num_queries(16):
        response = client.get(f"/crm/opportunities/?q=pumps&owner=me&status=open"
                              f"&pipeline={deals['small'].pipeline_id}&ordering=close_date")
    assert response.status_code == 200
    assert len(_rows_of(response.context)) == 21


# --- activities ----------------------------------------------------------------------------

@pytest.fixture
def activity_world(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        account = make_account(owner=users["rep"], name="Golf Ltd")
        manager_account = make_account(owner=users["manager"], name="Hotel Ltd")
        yesterday = timezone.now() - timedelta(days=1)
        activities = {
            "call": activity_log(actor=users["rep"], kind=ActivityKind.CALL,
                                 subject="Pricing call", target=account),
            "visit": activity_log(actor=users["rep"], kind=ActivityKind.VISIT,
                                  subject="Site visit", notes="pricing talk", target=account,
                                  occurred_at=yesterday),
            "log": activity_log(actor=users["rep"], kind=ActivityKind.LOG,
                                subject="Daily log"),
            "theirs": activity_log(actor=users["rep2"], kind=ActivityKind.CALL,
                                   subject="Pricing call too"),
        }
        from crm.activities.services import activity_create

        activities["task"] = activity_create(
            actor=users["rep"], kind=ActivityKind.TASK, subject="Send pricing",
            target=account, due_at=timezone.now() + timedelta(days=2))
        del manager_account
    return activities


def test_activities_page_api_and_exports_agree_for_every_filter(tenant_a, tenant_client,
                                                                activity_world):
    rep = tenant_a.users["rep"]
    client = tenant_client(tenant_a, rep)
    ids = {key: activity.pk for key, activity in activity_world.items()}
    today = timezone.localdate()
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"mine": "on"}, {"call", "visit", "log", "task"}),
        ({"mine": "on", "q": "pricing"}, {"call", "visit", "task"}),
        ({"mine": "on", "kind": "call"}, {"call"}),
        ({"mine": "on", "status": "open"}, {"task"}),
        ({"owner": rep.pk, "status": "done"}, {"call", "visit", "log"}),
        ({"mine": "true", "date_from": today.isoformat()}, {"call", "log", "task"}),
        ({"mine": "on", "date_to": (today - timedelta(days=1)).isoformat()}, {"visit"}),
        ({"account": activity_world["call"].account_id, "kind": "visit"}, {"visit"}),
    ]
    for params, expected in cases:
        found = assert_same_everywhere(client, "/crm/activities/", "activities", params)
        assert found == {ids[key] for key in expected}, params


def test_invalid_activity_filters_are_errors_not_500s(tenant_a, tenant_client,
                                                      activity_world):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    assert_invalid_everywhere(client, "/crm/activities/", "activities", {"kind": "party"},
                              "kind")
    assert_invalid_everywhere(client, "/crm/activities/", "activities",
                              {"date_from": "2026-13-40"}, "date_from")
    assert_invalid_everywhere(client, "/crm/activities/", "activities", {"owner": "me"},
                              "owner")


def test_a_filtered_activity_page_keeps_its_query_budget(
        tenant_a, tenant_client, activity_world, in_tenant, django_assert_max_num_queries):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        for index in range(20):
            activity_log(actor=rep, kind=ActivityKind.CALL, subject=f"Pricing {index}")
    client = tenant_client(tenant_a, rep)
    client.get("/crm/activities/")
    with django_assert_max_num_queries(14):
        response = client.get(f"/crm/activities/?q=pricing&kind=call&owner={rep.pk}"
                              f"&date_from={timezone.localdate().isoformat()}")
    assert response.status_code == 200
    assert len(_rows_of(response.context)) == 21
