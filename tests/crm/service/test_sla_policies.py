"""/api/v1/sla-policies/ and /crm/service/sla-policies/: the exact shape, strict validation
(4xx JSON, never 500), one default, roles, isolation, and the holiday proposal that fills the
form for review without saving anything."""

import json

import pytest

from crm.service.models import SlaPolicy, SlaSettings
from crm.service.services.policies import holiday_proposal
from tests.crm.service.sla_factories import make_policy

API = "/api/v1/sla-policies/"
SHAPE = {"id", "name", "time_zone", "around_the_clock", "hours", "holidays",
         "extra_working_days", "targets", "is_default"}
BODY = {
    "name": "China office hours", "time_zone": "Asia/Shanghai",
    "hours": [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(5)]
    + [{"weekday": d, "start": "13:00", "end": "18:00"} for d in range(5)],
    "holidays": ["2026-10-01", "2026-10-02"], "extra_working_days": ["2026-10-11"],
    "targets": [{"severity": "high", "first_response_minutes": 60, "resolution_minutes": 480},
                {"severity": "critical", "first_response_minutes": 30,
                 "resolution_minutes": 240}],
}


def _post(client, body, path=API):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _patch(client, path, body):
    return client.patch(path, data=json.dumps(body), content_type="application/json")


def test_a_policy_round_trips_in_the_exact_shape(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, BODY)
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == SHAPE
    assert data["hours"][0] == {"weekday": 0, "start": "09:00", "end": "12:00"}
    assert len(data["hours"]) == 10
    assert data["holidays"] == ["2026-10-01", "2026-10-02"]
    assert data["extra_working_days"] == ["2026-10-11"]
    # Targets come back in severity order.
    assert [t["severity"] for t in data["targets"]] == ["critical", "high"]
    assert client.get(f"{API}{data['id']}/").json() == data
    listed = client.get(API).json()["results"]
    assert [row["id"] for row in listed] == [data["id"]]


@pytest.mark.parametrize(("change", "field"), [
    ({"hours": [{"weekday": 0, "start": "18:00", "end": "09:00"}]}, "hours"),
    ({"hours": [{"weekday": 0, "start": "09:00", "end": "13:00"},
                {"weekday": 0, "start": "12:00", "end": "18:00"}]}, "hours"),
    ({"hours": [{"weekday": 9, "start": "09:00", "end": "18:00"}]}, "hours"),
    ({"hours": [{"weekday": 0, "start": "9am", "end": "18:00"}]}, "hours"),
    ({"hours": "Mon-Fri"}, "hours"),
    ({"hours": []}, "hours"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"time_zone": ""}, "time_zone"),
    ({"targets": [{"severity": "urgent", "first_response_minutes": 1,
                   "resolution_minutes": 2}]}, "targets"),
    ({"targets": [{"severity": "high", "first_response_minutes": 0,
                   "resolution_minutes": 2}]}, "targets"),
    ({"targets": [{"severity": "high", "first_response_minutes": 90,
                   "resolution_minutes": 60}]}, "targets"),
    ({"targets": [{"severity": "high", "first_response_minutes": 1, "resolution_minutes": 2},
                  {"severity": "high", "first_response_minutes": 1,
                   "resolution_minutes": 2}]}, "targets"),
    ({"targets": [{"severity": "high", "first_response_minutes": "1",
                   "resolution_minutes": 2}]}, "targets"),
    ({"holidays": ["2026-02-30"]}, "holidays"),
    ({"holidays": ["01/10/2026"]}, "holidays"),
    ({"holidays": "2026-10-01"}, "holidays"),
    ({"extra_working_days": ["2026-10-01"]}, "extra_working_days"),
    ({"name": ""}, "name"),
])
def test_bad_policies_answer_400_naming_the_field(tenant_a, tenant_client, change, field):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, {**BODY, **change})
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert field in response.json()


def test_around_the_clock_needs_no_hours(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = _post(client, {"name": "24x7", "time_zone": "UTC", "around_the_clock": True,
                              "targets": BODY["targets"]})
    assert response.status_code == 201, response.content
    assert response.json()["hours"] == []


def test_one_default_policy_at_a_time(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    first = _post(client, {**BODY, "is_default": True}).json()
    second = _post(client, {**BODY, "name": "Other", "is_default": True}).json()
    with in_tenant(tenant_a):
        assert list(SlaPolicy.objects.filter(is_default=True).values_list("pk", flat=True)) == [
            second["id"]]
    assert _patch(client, f"{API}{first['id']}/", {"is_default": True}).status_code == 200
    with in_tenant(tenant_a):
        assert SlaPolicy.objects.get(is_default=True).pk == first["id"]


def test_reps_and_agents_read_but_only_admins_and_managers_write(tenant_a, tenant_client,
                                                                 in_tenant):
    with in_tenant(tenant_a):
        policy = make_policy()
    for role in ("rep", "agent", "readonly"):
        client = tenant_client(tenant_a, tenant_a.users[role])
        assert client.get(f"{API}{policy.pk}/").status_code == 200
        assert _post(client, BODY).status_code == 403
        assert _patch(client, f"{API}{policy.pk}/", {"name": "x"}).status_code == 403
    manager = tenant_client(tenant_a, tenant_a.users["manager"])
    assert _patch(manager, f"{API}{policy.pk}/", {"name": "Renamed"}).json()["name"] == "Renamed"
    assert manager.delete(f"{API}{policy.pk}/").status_code == 405


def test_another_tenants_policy_is_a_404(tenant_a, tenant_b, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        policy = make_policy()
    client = tenant_client(tenant_b, tenant_b.users["admin"])
    assert client.get(f"{API}{policy.pk}/").status_code == 404
    assert _patch(client, f"{API}{policy.pk}/", {"name": "x"}).status_code == 404
    assert client.get(f"/crm/service/sla-policies/{policy.pk}/").status_code == 404
    assert client.get(f"/crm/service/sla-policies/{policy.pk}/edit/").status_code == 404
    assert client.get(API).json()["results"] == []


def test_holiday_proposal_gives_chinas_holidays_and_adjusted_working_days():
    proposal = holiday_proposal(country="cn", year=2026)
    assert "2026-10-01" in proposal.holidays
    assert "2026-02-17" in proposal.holidays  # Spring Festival
    # Weekend days worked around the holidays (adjusted working days).
    assert "2026-02-14" in proposal.extra_working_days
    assert "2026-10-10" in proposal.extra_working_days
    assert not set(proposal.holidays) & set(proposal.extra_working_days)
    assert all(day.startswith("2026-") for day in proposal.holidays)
    assert holiday_proposal(country="DE", year=2026).extra_working_days == []


def test_the_proposal_fills_the_form_for_review_and_saves_nothing(tenant_a, tenant_client,
                                                                  in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    page = client.get("/crm/service/sla-policies/new/?country=CN&year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-10-01" in html
    assert "2026-10-10" in html
    fragment = client.get("/crm/service/sla-policies/holiday-proposal/?country=CN&year=2026",
                          HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert 'id="holiday-fields"' in fragment.content.decode()
    assert "2026-02-14" in fragment.content.decode()
    bad = client.get("/crm/service/sla-policies/holiday-proposal/?country=XX&year=2026")
    assert bad.status_code == 400
    with in_tenant(tenant_a):
        assert not SlaPolicy.objects.exists()


def test_the_policy_form_saves_hours_holidays_and_targets(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    form = {"name": "Form policy", "time_zone": "Europe/Berlin",
            "hours_0": "09:00-12:00, 13:00-17:30", "hours_4": "9:00-15:00",
            "holidays": "2026-12-25\n2026-12-26", "extra_working_days": "",
            "response_critical": "30", "resolution_critical": "240"}
    response = client.post("/crm/service/sla-policies/new/", form)
    assert response.status_code == 302, response.content.decode()[-2000:]
    with in_tenant(tenant_a):
        policy = SlaPolicy.objects.get(name="Form policy")
    assert policy.hours == [{"weekday": 0, "start": "09:00", "end": "12:00"},
                            {"weekday": 0, "start": "13:00", "end": "17:30"},
                            {"weekday": 4, "start": "09:00", "end": "15:00"}]
    assert policy.holidays == ["2026-12-25", "2026-12-26"]
    assert policy.targets == [{"severity": "critical", "first_response_minutes": 30,
                               "resolution_minutes": 240}]
    overlapping = client.post("/crm/service/sla-policies/new/",
                              {**form, "name": "Bad", "hours_0": "09:00-13:00, 12:00-18:00"})
    assert overlapping.status_code == 200
    assert "overlap" in overlapping.content.decode()
    detail = client.get(f"/crm/service/sla-policies/{policy.pk}/")
    assert detail.status_code == 200
    assert "13:00\u201317:30" in detail.content.decode()


def test_sla_settings_are_saved_by_managers_only(tenant_a, tenant_client, in_tenant):
    url = "/crm/service/sla-policies/settings/"
    rep = tenant_client(tenant_a, tenant_a.users["rep"])
    assert rep.post(url, {"warning_lead_minutes": 5, "renewal_reminder_days": 10}
                    ).status_code == 403
    manager = tenant_client(tenant_a, tenant_a.users["manager"])
    assert manager.post(url, {"warning_lead_minutes": 15, "renewal_reminder_days": 45}
                        ).status_code == 302
    with in_tenant(tenant_a):
        settings = SlaSettings.objects.get()
    assert (settings.warning_lead_minutes, settings.renewal_reminder_days) == (15, 45)
    page = rep.get("/crm/service/sla-policies/")
    assert page.status_code == 200
    assert "45" in page.content.decode()


def test_the_policy_list_page_has_a_query_budget(tenant_a, tenant_client, in_tenant,
                                                 django_assert_max_num_queries):
    with in_tenant(tenant_a):
        for _ in range(15):
            make_policy()
    client = tenant_client(tenant_a, tenant_a.users["manager"])
    client.get("/crm/service/sla-policies/")
    with django_assert_max_num_queries(14):
        assert client.get("/crm/service/sla-policies/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(API).status_code == 200
