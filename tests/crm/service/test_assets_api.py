"""/api/v1/assets/: the fixed names with coverage, idempotent upsert by external id,
the shared filters, visibility (another rep, another tenant: 404) and a query budget."""

import json
from datetime import date, timedelta

from crm.service.models import Asset, ServiceContract
from tests.crm.service.service_factories import new_asset

API = "/api/v1/assets/"
FIELDS = {"id", "account", "product", "make", "model", "serial_number", "installed_on",
          "warranty_start", "warranty_end", "parent", "coverage"}


def _put(client, path, body):
    return client.put(path, data=json.dumps(body), content_type="application/json")


def test_assets_answer_the_fixed_names_and_their_coverage(tenant_a, tenant_client, in_tenant,
                                                          service_world):
    with in_tenant(tenant_a):
        today = date.today()
        covered = new_asset(actor=service_world["admin"], account=service_world["mine"],
                            warranty_start=today - timedelta(days=5),
                            warranty_end=today + timedelta(days=300))
        contract = ServiceContract.objects.create(
            account=service_world["mine"], sla_policy=service_world["policy"],
            starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30))
        contract.assets.add(covered)
    client = tenant_client(tenant_a, service_world["rep"])
    row = client.get(f"{API}{covered.pk}/").json()
    assert row.keys() >= FIELDS
    assert row["coverage"] == {"warranty": True, "contract": contract.pk,
                               "sla_policy": service_world["policy"].pk}
    listed = client.get(API).json()["results"]
    assert [r["coverage"] for r in listed if r["id"] == covered.pk] == [row["coverage"]]


def test_upsert_by_external_id_creates_once_then_updates(tenant_a, tenant_client,
                                                         service_world):
    client = tenant_client(tenant_a, service_world["agent"])
    body = {"account": service_world["mine"].pk, "make": "Bosch", "model": "GWS 7",
            "serial_number": "BOSCH-1", "installed_on": "2026-03-01",
            "warranty_start": "2026-03-01", "warranty_end": "2028-02-29"}
    first = _put(client, f"{API}external/ERP-77/", body)
    assert first.status_code == 201, first.content
    again = _put(client, f"{API}external/ERP-77/", {**body, "location": "Hall 3"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["location"] == "Hall 3"
    bad = _put(client, f"{API}external/ERP-78/", {**body, "serial_number": "BOSCH-2",
                                                   "warranty_end": "2020-01-01"})
    assert bad.status_code == 400
    assert "warranty_end" in bad.json()


def test_a_parent_of_another_account_and_a_cycle_answer_400(tenant_a, tenant_client,
                                                            in_tenant, service_world):
    with in_tenant(tenant_a):
        system = new_asset(actor=service_world["admin"], account=service_world["mine"])
        unit = new_asset(actor=service_world["admin"], account=service_world["mine"],
                         parent=system)
    client = tenant_client(tenant_a, service_world["admin"])
    response = client.patch(f"{API}{system.pk}/", data=json.dumps({"parent": unit.pk}),
                            content_type="application/json")
    assert response.status_code == 400
    assert "parent" in response.json()


def test_filters_and_visibility(tenant_a, tenant_b, tenant_client, in_tenant, service_world,
                                django_assert_max_num_queries):
    with in_tenant(tenant_a):
        mine = [new_asset(actor=service_world["admin"], account=service_world["mine"])
                for _ in range(8)]
        theirs = new_asset(actor=service_world["admin"], account=service_world["theirs"])
    client = tenant_client(tenant_a, service_world["rep"])
    with django_assert_max_num_queries(14):
        listed = client.get(API).json()["results"]
    assert {row["id"] for row in listed} == {asset.pk for asset in mine}
    assert client.get(f"{API}?serial_number={mine[0].serial_number.lower()}").json()[
        "results"][0]["id"] == mine[0].pk
    assert client.get(f"{API}{theirs.pk}/").status_code == 404
    assert tenant_client(tenant_b, tenant_b.users["admin"]).get(
        f"{API}{mine[0].pk}/").status_code == 404
    with in_tenant(tenant_a):
        assert Asset.objects.count() == 9
