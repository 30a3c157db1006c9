"""Sales targets (who may set which) and exchange rates (admins; validated; audited)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.core.models import AuditEntry
from crm.reports import services
from crm.reports.models import ExchangeRate, SalesTarget
from tests.crm.reports.conftest import PERIOD, YEAR, report_json, table


def _post_target(client, **body):
    return client.post("/api/v1/sales-targets/", body, content_type="application/json")


def test_a_manager_sets_targets_for_their_team_and_its_reps_only(world, client_for):
    client = client_for("manager")
    response = _post_target(client, rep=world.users["rep"].pk, month=f"{YEAR}-03-17",
                            amount="5000.00")
    assert response.status_code == 201, response.content
    assert response.json()["month"] == f"{YEAR}-03-01"
    assert _post_target(client, team=world.team.pk, month=f"{YEAR}-03-01",
                        amount="9000").status_code == 201
    # Not their team's rep, nor themselves.
    assert _post_target(client, rep=world.users["rep2"].pk, month=f"{YEAR}-03-01",
                        amount="1").status_code == 403
    assert _post_target(client, rep=world.users["manager"].pk, month=f"{YEAR}-03-01",
                        amount="1").status_code == 403


def test_reps_may_not_set_targets_and_see_only_theirs(world, client_for, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        services.sales_target_set(actor=world.users["admin"], rep=world.users["rep2"],
                                  month=date(YEAR, 1, 1), amount=Decimal(10))
        mine = services.sales_target_set(actor=world.users["admin"], rep=world.users["rep"],
                                         month=date(YEAR, 1, 1), amount=Decimal(10))
    client = client_for("rep")
    assert _post_target(client, rep=world.users["rep"].pk, month=f"{YEAR}-01-01",
                        amount="1").status_code == 403
    ids = [row["id"] for row in client.get("/api/v1/sales-targets/").json()["results"]]
    assert ids == [mine.pk]
    assert client.get("/crm/reports/targets/").status_code == 403


def test_target_validation(world, client_for):
    client = client_for("admin")
    both = _post_target(client, rep=world.users["rep"].pk, team=world.team.pk,
                        month=f"{YEAR}-01-01", amount="1")
    assert both.status_code == 400
    assert _post_target(client, rep=world.users["rep"].pk, month=f"{YEAR}-01-01",
                        amount="-1").status_code == 400
    assert _post_target(client, rep=world.users["rep"].pk, month=f"{YEAR}-01-01",
                        amount="1", currency="XXQ").status_code == 400


def test_targets_crud_and_the_forecast_shows_them(world, client_for):
    client = client_for("admin")
    created = _post_target(client, rep=world.users["rep"].pk, month=f"{YEAR}-06-01",
                           amount="4000")
    target_id = created.json()["id"]
    updated = client.patch(f"/api/v1/sales-targets/{target_id}/", {"amount": "2000"},
                           content_type="application/json")
    assert updated.status_code == 200
    assert updated.json()["amount"] == "2000.00"
    report = report_json(client, "forecast")
    reps = {row["values"]["rep"]: row["values"] for row in table(report, "reps")["rows"]}
    assert reps[world.users["rep"].display_name]["target_USD"] == "2000.00"
    june = next(row["values"] for row in table(report, "months")["rows"]
                if row["values"]["month"] == f"{YEAR}-06")
    assert june["target_USD"] == "2000.00"
    assert client.delete(f"/api/v1/sales-targets/{target_id}/").status_code == 204
    assert client.get(f"/api/v1/sales-targets/{target_id}/").status_code == 404


def test_another_tenants_target_is_a_404(world, tenant_a, tenant_b, in_tenant, tenant_client):
    with in_tenant(tenant_a):
        target = services.sales_target_set(actor=world.users["admin"], rep=world.users["rep"],
                                           month=date(YEAR, 1, 1), amount=Decimal(10))
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    assert client.get(f"/api/v1/sales-targets/{target.pk}/").status_code == 404
    assert client.delete(f"/api/v1/sales-targets/{target.pk}/").status_code == 404


def test_a_manager_cannot_read_another_teams_target(world, client_for, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        other = services.sales_target_set(actor=world.users["admin"], rep=world.users["rep2"],
                                          month=date(YEAR, 1, 1), amount=Decimal(10))
    client = client_for("manager")
    assert client.get(f"/api/v1/sales-targets/{other.pk}/").status_code == 404


def test_the_target_grid_saves_changed_cells(world, client_for, tenant_a, in_tenant):
    client = client_for("manager")
    page = client.get(f"/crm/reports/targets/?year={YEAR}")
    assert page.status_code == 200
    rep_id = world.users["rep"].pk
    assert f'name="rep_{rep_id}_01"' in page.content.decode()
    response = client.post(f"/crm/reports/targets/?year={YEAR}",
                           {f"rep_{rep_id}_02": "1234.50", f"team_{world.team.pk}_02": "5000"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert SalesTarget.objects.get(rep_id=rep_id, month=date(YEAR, 2, 1)).amount == \
            Decimal("1234.50")
        assert SalesTarget.objects.filter(team=world.team).count() == 1
    # Emptying the cell removes the target.
    response = client.post(f"/crm/reports/targets/?year={YEAR}",
                           {f"rep_{rep_id}_02": "", f"team_{world.team.pk}_02": "5000"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert not SalesTarget.objects.filter(rep_id=rep_id).exists()


@pytest.mark.parametrize(("currency", "rate", "field"), [
    ("XQZ", "1.1", "currency"),
    ("USD", "1.1", "currency"),  # the workspace currency
    ("EUR", "0", "rate"),
    ("EUR", "-2", "rate"),
])
def test_exchange_rate_validation(world, tenant_a, in_tenant, currency, rate, field):
    with in_tenant(tenant_a), pytest.raises(ValidationError) as error:
        services.exchange_rate_create(currency=currency, rate=Decimal(rate),
                                      valid_from=date(YEAR, 1, 1), actor=world.users["admin"])
    assert field in error.value.message_dict


def test_only_admins_change_exchange_rates(world, tenant_a, in_tenant, client_for):
    with in_tenant(tenant_a), pytest.raises(PermissionDenied):
        services.exchange_rate_create(currency="EUR", rate=Decimal("1.1"),
                                      valid_from=date(YEAR, 1, 1), actor=world.users["manager"])
    assert client_for("manager").get("/crm/reports/exchange-rates/").status_code == 403


def test_an_admin_adds_and_edits_a_rate_on_the_settings_page(world, client_for, tenant_a,
                                                             in_tenant):
    client = client_for("admin")
    response = client.post("/crm/reports/exchange-rates/",
                           {"currency": "eur", "rate": "1.0850", "valid_from": f"{YEAR}-01-01"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        rate = ExchangeRate.objects.get(currency="EUR")
        assert AuditEntry.objects.filter(action="settings.exchange_rate.create",
                                         object_id=rate.pk).exists()
    response = client.post(f"/crm/reports/exchange-rates/{rate.pk}/",
                           {"currency": "EUR", "rate": "1.2", "valid_from": f"{YEAR}-02-01"})
    assert response.status_code == 302
    duplicate = client.post("/crm/reports/exchange-rates/",
                            {"currency": "EUR", "rate": "1.3", "valid_from": f"{YEAR}-02-01"})
    assert duplicate.status_code == 400
    report = report_json(client, "funnel", PERIOD)
    assert report["conversion"]["rates"][0]["valid_from"] == f"{YEAR}-02-01"
    settings_page = client.get("/crm/settings/").content.decode()
    assert "/crm/reports/exchange-rates/" in settings_page
