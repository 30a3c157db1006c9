"""The administrative audit log: sign-ins (success, failure), sign-outs and settings changes
are recorded with actor, time and client address; /crm/settings/audit-log/ and
/api/v1/audit-log/ filter them, export them as CSV and page without COUNT(*); one tenant's
entries never show on another's host."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.core.audit import audit_event
from crm.core.models import AuditEntry
from tests.conftest import PASSWORD

PAGE = "/crm/settings/audit-log/"
EXPORT = "/crm/settings/audit-log/export.csv"
API = "/api/v1/audit-log/"


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


# --- what is recorded ------------------------------------------------------------------

def test_sign_in_is_recorded_with_actor_and_client_address(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a)
    response = client.post("/accounts/login/", {"username": "rep@alpha.test",
                                                "password": PASSWORD},
                           REMOTE_ADDR="203.0.113.10")
    assert response.status_code == 302
    with in_tenant(tenant_a):
        entry = AuditEntry.objects.filter(action="auth.login").latest("id")
        assert entry.actor_id == tenant_a.users["rep"].pk
        assert entry.ip_address == "203.0.113.10"
        assert entry.object_id == tenant_a.users["rep"].pk


@pytest.mark.parametrize("email", ["  Rep@ALPHA.test ", "nobody-here@alpha.test"])
def test_failed_sign_in_keeps_the_normalised_email_and_never_the_password(
        email, tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a)
    response = client.post("/accounts/login/", {"username": email,
                                                "password": "Wrong-password-123"},
                           REMOTE_ADDR="203.0.113.11")
    assert response.status_code == 200
    with in_tenant(tenant_a):
        entry = AuditEntry.objects.get(action="auth.login_failed")
        assert entry.actor_id is None
        assert entry.data == {"email": email.strip().lower()}
        assert entry.ip_address == "203.0.113.11"
        assert "Wrong-password-123" not in json.dumps([entry.data, entry.changes])
        if email.startswith("nobody"):
            assert entry.content_type_id is None
            assert entry.object_id is None
        else:
            assert entry.object_id == tenant_a.users["rep"].pk


def test_sign_out_is_recorded(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["manager"])
    response = client.post("/accounts/logout/", REMOTE_ADDR="203.0.113.12")
    assert response.status_code == 302
    with in_tenant(tenant_a):
        entry = AuditEntry.objects.get(action="auth.logout")
        assert entry.actor_id == tenant_a.users["manager"].pk
        assert entry.ip_address == "203.0.113.12"


def test_sign_in_attempts_on_the_public_schema_write_no_tenant_audit(tenant_a, in_tenant):
    with schema_context("public"):
        assert authenticate(username="operator@nowhere.test", password="x") is None
    with in_tenant(tenant_a):
        assert not AuditEntry.objects.filter(data__email="operator@nowhere.test").exists()


def test_events_written_during_a_request_carry_its_address(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.patch("/api/v1/settings/", data=json.dumps({"fiscal_year_start_month": 4}),
                            content_type="application/json", REMOTE_ADDR="2001:db8::7")
    assert response.status_code == 200
    with in_tenant(tenant_a):
        assert AuditEntry.objects.get(action="settings.updated").ip_address == "2001:db8::7"
    # Outside a request there is no address.
    with in_tenant(tenant_a):
        entry = audit_event(instance=None, action="team.created", actor=None)
        assert entry.ip_address is None


# --- the page --------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [
    ("admin", 200), ("manager", 403), ("rep", 403), ("readonly", 403), ("agent", 403),
])
def test_audit_log_page_export_and_api_are_for_admins_only(role, status, tenant_a,
                                                           tenant_client):
    client = tenant_client(tenant_a, tenant_a.users[role])
    assert client.get(PAGE).status_code == status
    assert client.get(EXPORT).status_code == status
    assert client.get(API).status_code == status


@pytest.fixture
def audit_world(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        AuditEntry.objects.all().delete()
        old = audit_event(instance=users["rep"], action="user.invited", actor=users["admin"],
                          data={"email": "new@alpha.test"}, ip_address="192.0.2.1")
        AuditEntry.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=40))
        audit_event(instance=None, action="auth.login_failed", actor=None,
                    data={"email": "someone@elsewhere.test"}, ip_address="192.0.2.2")
        audit_event(instance=users["manager"], action="team.created", actor=users["manager"],
                    ip_address="192.0.2.3")
        # Record-level field history is not administrative.
        audit_event(instance=users["rep"], action="update", actor=users["admin"],
                    changes={"phone": ["1", "2"]})
    return users


def test_page_lists_administrative_events_only(audit_world, tenant_a, tenant_client):
    body = tenant_client(tenant_a, audit_world["admin"]).get(PAGE).content.decode()
    for action in ("user.invited", "auth.login_failed", "team.created"):
        assert f'data-action="{action}"' in body
    assert 'data-action="update"' not in body
    assert "192.0.2.3" in body


def test_page_filters_by_actor_action_and_dates(audit_world, tenant_a, tenant_client):
    client = tenant_client(tenant_a, audit_world["admin"])
    by_actor = client.get(PAGE, {"actor": audit_world["manager"].pk}).content.decode()
    assert 'data-action="team.created"' in by_actor
    assert 'data-action="user.invited"' not in by_actor
    by_prefix = client.get(PAGE, {"action": "auth."}).content.decode()
    assert 'data-action="auth.login_failed"' in by_prefix
    assert 'data-action="team.created"' not in by_prefix
    today = timezone.localdate()
    recent = client.get(PAGE, {"since": (today - timedelta(days=7)).isoformat()}).content.decode()
    assert 'data-action="user.invited"' not in recent
    assert 'data-action="team.created"' in recent
    older = client.get(PAGE, {"until": (today - timedelta(days=30)).isoformat()}).content.decode()
    assert 'data-action="user.invited"' in older
    assert 'data-action="team.created"' not in older


@pytest.mark.parametrize("query", [{"since": "yesterday"}, {"actor": "x"},
                                   {"since": "2026-05-01", "until": "2026-04-01"}])
def test_page_answers_400_for_bad_filters(query, audit_world, tenant_a, tenant_client):
    assert tenant_client(tenant_a, audit_world["admin"]).get(PAGE, query).status_code == 400


def test_csv_export_holds_the_filtered_entries_and_is_audited(audit_world, tenant_a,
                                                                    tenant_client, in_tenant):
    client = tenant_client(tenant_a, audit_world["admin"])
    response = client.get(EXPORT, {"action": "auth."})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    exported = _csv(response)
    assert {row["action"][:5] for row in exported} == {"auth."}
    rows = [row for row in exported if row["action"] != "auth.login"]  # the client's own
    assert [row["action"] for row in rows] == ["auth.login_failed"]
    assert rows[0]["ip_address"] == "192.0.2.2"
    assert json.loads(rows[0]["data"]) == {"email": "someone@elsewhere.test"}
    everything = _csv(client.get(EXPORT))
    assert {row["action"] for row in everything} >= {"user.invited", "team.created",
                                                     "export.audit_log"}
    assert "update" not in {row["action"] for row in everything}
    with in_tenant(tenant_a):
        assert AuditEntry.objects.filter(action="export.audit_log",
                                         actor=audit_world["admin"]).count() == 2


def test_page_pages_with_next_links_and_no_count_query(tenant_a, tenant_client, in_tenant,
                                                       django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext

    with in_tenant(tenant_a):
        AuditEntry.objects.bulk_create([
            AuditEntry(action="team.updated", data={"n": index}) for index in range(120)])
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
        first = client.get(PAGE)
    assert first.status_code == 200
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    entries = first.context["entries"]
    assert len(entries) == 50
    next_query = first.context["next_query"]
    assert next_query
    assert "before=" in next_query
    with django_assert_max_num_queries(12):
        second = client.get(f"{PAGE}?{next_query}")
    second_ids = [entry.pk for entry in second.context["entries"]]
    assert len(second_ids) == 50
    assert max(second_ids) < min(entry.pk for entry in entries)


# --- the API ---------------------------------------------------------------------------

def test_api_answers_the_fixed_names(audit_world, tenant_a, tenant_client):
    body = tenant_client(tenant_a, audit_world["admin"]).get(API, {"action": "user."}).json()
    (row,) = body["results"]
    assert set(row) == {"id", "at", "actor", "actor_email", "action", "target_type",
                        "target_id", "ip_address", "changes", "data"}
    assert row["actor_email"] == "admin@alpha.test"
    assert row["target_type"] == "users.user"
    assert row["target_id"] == audit_world["rep"].pk
    assert row["ip_address"] == "192.0.2.1"


def test_api_filters_and_refuses_bad_values(audit_world, tenant_a, tenant_client):
    client = tenant_client(tenant_a, audit_world["admin"])
    by_actor = client.get(API, {"actor": audit_world["manager"].pk}).json()["results"]
    assert [row["action"] for row in by_actor] == ["team.created"]
    since = (timezone.now() - timedelta(days=7)).isoformat()
    recent = client.get(API, {"since": since}).json()["results"]
    assert "user.invited" not in {row["action"] for row in recent}
    failed = client.get(API, {"action": "auth.login_failed"}).json()["results"]
    assert failed[0]["actor"] is None
    assert failed[0]["target_type"] is None
    bad = client.get(API, {"since": "last week"})
    assert bad.status_code == 400
    assert "since" in bad.json()
    assert client.get(API, {"actor": "me"}).status_code == 400


def test_api_pages_by_cursor_within_query_budget(tenant_a, tenant_client, in_tenant,
                                                 django_assert_max_num_queries):
    with in_tenant(tenant_a):
        AuditEntry.objects.bulk_create([
            AuditEntry(action="user.updated", actor=tenant_a.users["admin"])
            for _index in range(60)])
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    with django_assert_max_num_queries(8):
        first = client.get(API, {"page_size": 25})
    body = first.json()
    assert len(body["results"]) == 25
    assert "cursor=" in body["next"]
    assert "count" not in body
    with django_assert_max_num_queries(8):
        second = client.get(body["next"])
    assert second.json()["results"][0]["id"] < body["results"][-1]["id"]


# --- isolation -------------------------------------------------------------------------

def test_another_tenants_entries_never_show(tenant_a, tenant_b, tenant_client, in_tenant):
    with in_tenant(tenant_b):
        theirs = audit_event(instance=None, action="team.created", actor=None,
                             data={"name": "Beta secret team"}, ip_address="198.18.0.1")
    with in_tenant(tenant_a):
        audit_event(instance=None, action="team.created", actor=None,
                    data={"name": "Alpha team"})
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    page = client.get(PAGE).content.decode()
    assert "Alpha team" in page
    assert "Beta secret team" not in page
    assert "198.18.0.1" not in page
    api_ids = {row["id"] for row in client.get(API, {"page_size": 200}).json()["results"]}
    export = b"".join(client.get(EXPORT).streaming_content).decode()
    assert "Beta secret team" not in export
    api_body = client.get(API, {"page_size": 200}).content.decode()
    assert "Beta secret team" not in api_body
    assert "198.18.0.1" not in api_body
    with in_tenant(tenant_a):
        mine = set(AuditEntry.objects.values_list("pk", flat=True))
        assert not AuditEntry.objects.filter(data__name="Beta secret team").exists()
    assert api_ids <= mine
    with in_tenant(tenant_b):
        assert AuditEntry.objects.filter(pk=theirs.pk, data__name="Beta secret team").exists()
