"""The tenant's region list: accounts, leads and assignment rules take values from it (any
case, stored in the list's spelling), keep legacy values on edit, follow a rename; free text
until a list exists; the regions pages and API by role; the sales settings overview."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.accounts.models import Account
from crm.accounts.services import account_update
from crm.core.models import Region
from crm.core.regions import region_clean, region_create, region_update
from crm.leads.models import AssignmentStrategy
from crm.leads.services import assignment_rule_save, lead_create, lead_update
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_region


def test_region_is_free_text_until_the_tenant_has_a_list(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        assert region_clean(" Anywhere ") == "Anywhere"
        make_region("East")
        assert region_clean("east") == "East"
        with pytest.raises(ValidationError) as refused:
            region_clean("Anywhere")
        assert "region" in refused.value.message_dict


def test_accounts_leads_and_rules_use_the_same_list(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        legacy = make_account(owner=users["rep"], name="Legacy Region Ltd", region="Old Zone")
        make_region("East")
        make_region("Inactive", active=False)
        account = make_account(owner=users["rep"], name="Listed Ltd", region="EAST")
        assert account.region == "East"
        with pytest.raises(ValidationError):
            make_account(owner=users["rep"], name="Off List Ltd", region="Mars")
        with pytest.raises(ValidationError):
            make_account(owner=users["rep"], name="Inactive Ltd", region="Inactive")
        # A record keeps its value from before the list while other fields change.
        account_update(account=legacy, actor=users["rep"], region="Old Zone", city="Paris")
        with pytest.raises(ValidationError):
            account_update(account=legacy, actor=users["rep"], region="Other Zone")
        lead = lead_create(actor=users["rep"], company="Lead Co", region="east")
        assert lead.region == "East"
        with pytest.raises(ValidationError) as lead_refused:
            lead_update(lead=lead, actor=users["rep"], region="Mars")
        assert "region" in lead_refused.value.message_dict
        with pytest.raises(ValidationError) as rule_refused:
            assignment_rule_save(actor=users["admin"], name="Mars", match_region="Mars",
                                 strategy=AssignmentStrategy.QUEUE)
        assert "match_region" in rule_refused.value.message_dict
        rule = assignment_rule_save(actor=users["admin"], name="East", match_region="east",
                                    strategy=AssignmentStrategy.QUEUE)
        assert rule.match_region == "East"


def test_renaming_a_region_renames_it_on_every_record(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        east = make_region("East")
        account = make_account(owner=users["rep"], name="Renamed Region Ltd", region="East")
        lead = lead_create(actor=users["rep"], company="Renamed Lead", region="East")
        region_update(region=east, actor=users["admin"], name="East China", parent=None,
                      active=True)
        account.refresh_from_db()
        lead.refresh_from_db()
        assert (account.region, lead.region) == ("East China", "East China")


def test_region_rules_territories_and_admin_only(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        east = region_create(actor=users["admin"], name="East")
        shanghai = region_create(actor=users["admin"], name="Shanghai", parent=east)
        assert shanghai.parent == east
        with pytest.raises(ValidationError) as deep:
            region_create(actor=users["admin"], name="Pudong", parent=shanghai)
        assert "parent" in deep.value.message_dict
        with pytest.raises(ValidationError) as duplicate:
            region_create(actor=users["admin"], name=" east ")
        assert "name" in duplicate.value.message_dict
        with pytest.raises(PermissionDenied):
            region_create(actor=users["manager"], name="West")


def test_account_form_offers_the_list_and_the_api_refuses_values_off_it(
    tenant_a, in_tenant, tenant_client
):
    users = tenant_a.users
    with in_tenant(tenant_a):
        make_region("East")
        make_region("South")
    client = tenant_client(tenant_a, users["rep"])
    form = client.get("/crm/accounts/new/").content.decode()
    assert '<option value="South">South</option>' in form
    refused = client.post("/api/v1/accounts/", data=json.dumps(
        {"name": "API Mars Ltd", "region": "Mars"}), content_type="application/json")
    assert refused.status_code == 400
    assert "region" in refused.json()
    accepted = client.post("/api/v1/accounts/", data=json.dumps(
        {"name": "API South Ltd", "region": "south"}), content_type="application/json")
    assert accepted.status_code == 201, accepted.content
    with in_tenant(tenant_a):
        assert Account.objects.get(name="API South Ltd").region == "South"


def test_regions_pages_and_api_by_role(tenant_a, in_tenant, tenant_client):
    users = tenant_a.users
    with in_tenant(tenant_a):
        east = make_region("East")
    admin = tenant_client(tenant_a, users["admin"])
    for path in ("/crm/settings/regions/", "/crm/settings/regions/new/",
                 f"/crm/settings/regions/{east.pk}/"):
        assert admin.get(path).status_code == 200
        assert tenant_client(tenant_a, users["manager"]).get(path).status_code == 403
        assert tenant_client(tenant_a, users["rep"]).get(path).status_code == 403
    assert admin.post("/crm/settings/regions/new/", {
        "name": "Shanghai", "parent": east.pk, "active": "on"}).status_code == 302
    created = admin.post("/api/v1/regions/", data=json.dumps({"name": "West"}),
                         content_type="application/json")
    assert created.status_code == 201
    assert created.json()["name"] == "West"
    rep = tenant_client(tenant_a, users["rep"])
    listed = rep.get("/api/v1/regions/")
    assert listed.status_code == 200
    assert {row["name"] for row in listed.json()["results"]} == {"East", "Shanghai", "West"}
    assert rep.post("/api/v1/regions/", data=json.dumps({"name": "North"}),
                    content_type="application/json").status_code == 403
    with in_tenant(tenant_a):
        assert not Region.objects.filter(name="North").exists()
        assert Region.objects.get(name="Shanghai").parent == east


def test_another_tenants_region_ids_are_404(tenant_a, tenant_b, in_tenant, tenant_client):
    with in_tenant(tenant_b):
        theirs = make_region("Beta region")
    with in_tenant(tenant_a):
        mine = Region.objects.create(pk=theirs.pk + 1, name="Alpha region")
    admin = tenant_client(tenant_a, tenant_a.users["admin"])
    assert admin.get(f"/api/v1/regions/{mine.pk}/").status_code == 200
    assert admin.get(f"/api/v1/regions/{theirs.pk}/").status_code == 404
    assert admin.get(f"/crm/settings/regions/{theirs.pk}/").status_code == 404


def test_sales_settings_gathers_pipelines_pools_lead_rules_and_duplicates(
    tenant_a, tenant_client
):
    users = tenant_a.users
    page = tenant_client(tenant_a, users["admin"]).get("/crm/settings/sales/")
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ("/crm/pipelines/settings/", "/crm/settings/pools/", "/crm/leads/rules/",
                     "/crm/accounts/aliases/", "Default pipeline",
                     "Duplicate similarity threshold", "Active scoring rules"):
        assert expected in text
    for role in ("manager", "rep", "readonly"):
        assert tenant_client(tenant_a, users[role]).get(
            "/crm/settings/sales/").status_code == 403
    overview = tenant_client(tenant_a, users["admin"]).get("/crm/settings/").content.decode()
    for link in ("/crm/settings/teams/", "/crm/settings/regions/", "/crm/settings/sales/"):
        assert link in overview
