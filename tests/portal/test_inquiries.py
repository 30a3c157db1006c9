"""Inquiries: the form on the Wagtail contact page and at /portal/inquiry/, the JSON API,
spam defences, the Lead it becomes, the outbox when the broker or mail server is down, CORS
per tenant, the lead page's panel and isolation between tenants."""

import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from crm.leads.models import AssignmentRule, AssignmentStrategy, Lead, LeadSource
from portal.inquiries import services as inquiry_services
from portal.inquiries import spam
from portal.inquiries.models import Inquiry, InquirySettings
from portal.inquiries.services import inquiry_notifications_send, pending_notifications_send
from tests.portal.inquiry_helpers import api_data, form_data, fresh_rate_limits

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")
_ = fresh_rate_limits  # the fixture, imported so pytest finds it

API = "/portal/api/v1/inquiries/"
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _settings(tenant, in_tenant, **values) -> None:
    with in_tenant(tenant):
        config = InquirySettings.load()
        for name, value in values.items():
            setattr(config, name, value)
        config.save()


def _post_api(client, payload, **headers):
    return client.post(API, data=json.dumps(payload), content_type="application/json",
                       **headers)


# --- the form ---------------------------------------------------------------------------
def test_contact_page_form_stores_the_inquiry_creates_a_lead_and_shows_the_reference(
    tenant_a, in_tenant, tenant_client, django_capture_on_commit_callbacks
):
    client = tenant_client(tenant_a)
    page = client.get("/contact/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="website"' in html
    assert 'name="started"' in html
    data = form_data()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/contact/", data)
    assert response.status_code == 302
    assert "?sent=" in response["Location"]
    shown = client.get(response["Location"]).content.decode()
    with in_tenant(tenant_a):
        inquiry = Inquiry.objects.select_related("lead").get(email=data["email"])
        assert inquiry.reference in shown
        assert 'id="inquiry-reference"' in shown
        assert inquiry.reference.startswith("INQ-")
        assert (inquiry.name, inquiry.company, inquiry.phone, inquiry.product_interest,
                inquiry.message) == (data["name"], data["company"], data["phone"],
                                     data["product_interest"], data["message"])
        assert inquiry.channel == "form"
        assert inquiry.client_ip == "127.0.0.1"
        lead = inquiry.lead
        assert lead.source == LeadSource.PORTAL_INQUIRY
        assert (lead.first_name, lead.last_name, lead.company) == (
            "Anna", "Schmidt", "Schmidt Maschinenbau GmbH")
        assert "Gateway G10" in lead.message
        assert data["message"] in lead.message
        # The e-mails went out after commit (eager Celery in tests): the outbox is empty.
        inquiry.refresh_from_db()
        assert not inquiry.notifications_pending
        assert inquiry.acknowledged_at
        assert inquiry.staff_notified_at
    subjects = [message.subject for message in mail.outbox]
    assert f"We received your inquiry {inquiry.reference}" in subjects
    assert any(inquiry.reference in s and s.startswith("New portal inquiry") for s in subjects)
    ack = next(m for m in mail.outbox if m.subject.startswith("We received"))
    assert ack.to == [data["email"]]
    assert inquiry.reference in ack.body


def test_the_form_is_in_chinese_for_a_chinese_visitor_and_so_is_the_acknowledgement(
    tenant_a, in_tenant, tenant_client, django_capture_on_commit_callbacks
):
    client = tenant_client(tenant_a, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies["django_language"] = "zh-hans"
    data = form_data(name="王小明", company="上海精工机械有限公司", message="请报价")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/portal/inquiry/", data)
    with in_tenant(tenant_a):
        inquiry = Inquiry.objects.select_related("lead").get(email=data["email"])
        assert inquiry.language == "zh-hans"
        assert (inquiry.lead.first_name, inquiry.lead.last_name) == ("", "王小明")


def test_portal_inquiry_url_serves_the_same_form(tenant_a, tenant_client):
    response = tenant_client(tenant_a).get("/portal/inquiry/")
    assert response.status_code == 200
    assert 'id="inquiry-form"' in response.content.decode()


def test_missing_fields_show_form_errors_and_store_nothing(tenant_a, in_tenant, tenant_client):
    data = form_data(name="", email="not-an-address", message="")
    response = tenant_client(tenant_a).post("/contact/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name", "email", "message"}
    with in_tenant(tenant_a):
        assert not Inquiry.objects.exists()


def test_honeypot_filled_looks_like_success_but_stores_nothing(
    tenant_a, in_tenant, tenant_client
):
    client = tenant_client(tenant_a)
    data = form_data(website="http://spam.example")
    response = client.post("/contact/", data)
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "Thank you for your inquiry" in shown
    assert 'id="inquiry-reference"' not in shown
    with in_tenant(tenant_a):
        assert not Inquiry.objects.exists()
        assert not Lead.objects.filter(email=data["email"]).exists()


def test_a_form_sent_faster_than_the_minimum_time_is_refused(
    tenant_a, in_tenant, tenant_client
):
    data = form_data(started=spam.started_token(now=time.time() - 1))
    response = tenant_client(tenant_a).post("/contact/", data)
    assert response.status_code == 400
    assert "very quick" in response.content.decode()
    assert response.context["form"].errors["started"][0].startswith("That was very quick")
    # A forged stamp is refused like an expired one.
    forged = form_data(started=str(int(time.time()) - 60) + ":forged")
    assert tenant_client(tenant_a).post("/contact/", forged).status_code == 400
    with in_tenant(tenant_a):
        assert not Inquiry.objects.exists()


def test_form_rate_limit_per_address_answers_429(tenant_a, in_tenant, tenant_client):
    _settings(tenant_a, in_tenant, per_address_per_hour=2)
    client = tenant_client(tenant_a)
    assert client.post("/contact/", form_data()).status_code == 302
    assert client.post("/contact/", form_data()).status_code == 302
    refused = client.post("/contact/", form_data())
    assert refused.status_code == 429
    assert 'id="inquiry-rate-limited"' in refused.content.decode()
    with in_tenant(tenant_a):
        assert Inquiry.objects.count() == 2


def test_a_member_inquiry_is_linked_to_the_member(tenant_a, in_tenant, tenant_client):
    from tenants.users.models import User, UserKind

    with in_tenant(tenant_a):
        member = User.objects.create_user(email="buyer@customer.test", password="x-Pass-12345",
                                          kind=UserKind.MEMBER, first_name="Bo", last_name="Li")
    client = tenant_client(tenant_a, member)
    assert 'value="buyer@customer.test"' in client.get("/contact/").content.decode()
    client.post("/contact/", form_data(email="buyer@customer.test"))
    with in_tenant(tenant_a):
        assert Inquiry.objects.get(email="buyer@customer.test").member_id == member.pk


# --- the API ----------------------------------------------------------------------------
def test_api_creates_the_inquiry_and_answers_201_with_the_reference(
    tenant_a, in_tenant, tenant_client
):
    payload = api_data()
    payload.pop("product_interest")  # optional
    response = _post_api(tenant_client(tenant_a), payload)
    assert response.status_code == 201
    reference = response.json()["reference"]
    with in_tenant(tenant_a):
        inquiry = Inquiry.objects.get(reference=reference)
        assert inquiry.channel == "api"
        assert inquiry.product_interest == ""
        assert inquiry.lead.source == LeadSource.PORTAL_INQUIRY


def test_api_validation_errors_are_400_json_by_field(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    response = _post_api(client, {"name": "", "email": "nope", "phone": "1" * 60})
    assert response.status_code == 400
    body = response.json()
    assert {"name", "email", "message", "phone"} <= set(body)
    garbage = client.post(API, data="{not json", content_type="application/json")
    assert garbage.status_code == 400
    assert garbage["Content-Type"].startswith("application/json")
    assert _post_api(client, ["a list"]).status_code == 400


def test_api_honeypot_is_refused(tenant_a, in_tenant, tenant_client):
    response = _post_api(tenant_client(tenant_a), {**api_data(), "website": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "rejected"
    with in_tenant(tenant_a):
        assert not Inquiry.objects.exists()


def test_api_rate_limit_per_email_answers_429_json(tenant_a, in_tenant, tenant_client):
    _settings(tenant_a, in_tenant, per_email_per_hour=2, per_address_per_hour=100)
    client = tenant_client(tenant_a)
    payload = api_data(email="same@repeat.example")
    assert [_post_api(client, payload).status_code for _ in range(3)] == [201, 201, 429]
    refused = _post_api(client, payload)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    # Another address from the same network is still welcome.
    assert _post_api(client, api_data()).status_code == 201


def test_api_rate_limit_per_address_answers_429(tenant_a, in_tenant, tenant_client):
    _settings(tenant_a, in_tenant, per_address_per_hour=1)
    client = tenant_client(tenant_a)
    assert _post_api(client, api_data()).status_code == 201
    assert _post_api(client, api_data()).status_code == 429


def test_rate_limit_counters_are_per_tenant(tenant_a, tenant_b, in_tenant, tenant_client):
    _settings(tenant_a, in_tenant, per_address_per_hour=1)
    _settings(tenant_b, in_tenant, per_address_per_hour=1)
    assert _post_api(tenant_client(tenant_a), api_data()).status_code == 201
    assert _post_api(tenant_client(tenant_a), api_data()).status_code == 429
    assert _post_api(tenant_client(tenant_b), api_data()).status_code == 201


# --- CORS -------------------------------------------------------------------------------
def test_cors_allows_only_the_origins_the_tenant_lists(tenant_a, tenant_b, in_tenant,
                                                       tenant_client):
    _settings(tenant_a, in_tenant, allowed_origins="https://www.alpha.example\n"
                                                   "https://shop.alpha.example/")
    client = tenant_client(tenant_a)
    preflight = client.options(API, HTTP_ORIGIN="https://shop.alpha.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                               HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type")
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "https://shop.alpha.example"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    allowed = _post_api(client, api_data(), HTTP_ORIGIN="https://www.alpha.example")
    assert allowed.status_code == 201
    assert allowed["Access-Control-Allow-Origin"] == "https://www.alpha.example"
    with in_tenant(tenant_a):
        assert Inquiry.objects.get(reference=allowed.json()["reference"]).origin == (
            "https://www.alpha.example")
    refused = client.options(API, HTTP_ORIGIN="https://evil.example",
                             HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in refused
    posted = _post_api(client, api_data(), HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in posted
    # Alpha's list means nothing on Beta's host.
    other = tenant_client(tenant_b).options(API, HTTP_ORIGIN="https://www.alpha.example",
                                            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in other
    # Only the inquiry endpoint is open to listed origins.
    staff_api = client.options("/api/v1/accounts/", HTTP_ORIGIN="https://www.alpha.example",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert "Access-Control-Allow-Origin" not in staff_api


def test_allowed_origins_setting_refuses_paths_and_other_schemes(tenant_a, in_tenant):
    from django.core.exceptions import ValidationError

    with in_tenant(tenant_a):
        config = InquirySettings.load()
        config.allowed_origins = "https://ok.example\nhttps://bad.example/path"
        with pytest.raises(ValidationError):
            config.full_clean()
        config.allowed_origins = "javascript:alert(1)"
        with pytest.raises(ValidationError):
            config.full_clean()
        config.allowed_origins = "https://ok.example\nhttp://localhost:8080"
        config.full_clean()


# --- the lead: source, owner -----------------------------------------------------------
def test_the_lead_gets_its_owner_from_the_assignment_rules(tenant_a, in_tenant,
                                                           tenant_client):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        AssignmentRule.objects.all().delete()
        AssignmentRule.objects.create(name="Portal to rep", order=1,
                                      strategy=AssignmentStrategy.USER, user=rep,
                                      match_source=LeadSource.PORTAL_INQUIRY)
    response = _post_api(tenant_client(tenant_a), api_data())
    with in_tenant(tenant_a):
        lead = Inquiry.objects.get(reference=response.json()["reference"]).lead
        assert lead.owner_id == rep.pk
        assert lead.source == "portal_inquiry"


# --- outages ----------------------------------------------------------------------------
@pytest.fixture
def broker_down():
    """The Celery broker at a closed port, tasks really sent (not eager)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = DEAD_REDIS, False
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    inquiry_services._broker_state.update(down_until=0.0, up_until=0.0)
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        inquiry_services._broker_state.update(down_until=0.0, up_until=0.0)


def test_broker_down_inquiry_is_stored_and_acknowledged_and_mailed_when_it_is_back(
    tenant_a, in_tenant, tenant_client, broker_down, django_capture_on_commit_callbacks
):
    client = tenant_client(tenant_a)
    assert _post_api(client, {}).status_code == 400  # warm up the process (imports, URLs)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_api(client, api_data())
    seconds = time.perf_counter() - started
    assert response.status_code == 201
    # Publishing to a dead Redis broker unguarded costs about 6 s (redis-py's retries).
    assert seconds < 2, f"the visitor waited {seconds:.1f}s for a dead broker"
    reference = response.json()["reference"]
    with django_capture_on_commit_callbacks(execute=True):
        form = client.post("/contact/", form_data())
    assert form.status_code == 302
    assert mail.outbox == []
    with in_tenant(tenant_a):
        pending = Inquiry.objects.filter(notifications_pending=True)
        assert pending.count() == 2
        assert pending.filter(reference=reference).exists()
        # The broker is back: the beat task's service sends what waited (older than a minute).
        pending.update(created_at=timezone.now() - timedelta(minutes=5))
        assert pending_notifications_send() == 2
        assert not Inquiry.objects.filter(notifications_pending=True).exists()
    assert len([m for m in mail.outbox if m.subject.startswith("We received")]) == 2


def test_mail_server_down_keeps_the_inquiry_pending_and_retries_later(
    tenant_a, in_tenant, tenant_client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_api(tenant_client(tenant_a), api_data())
    assert response.status_code == 201
    with in_tenant(tenant_a):
        inquiry = Inquiry.objects.get(reference=response.json()["reference"])
        assert inquiry.notifications_pending
        assert inquiry.acknowledged_at is None
        assert inquiry.last_notify_error
        assert inquiry.notify_attempts == 1
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert inquiry_notifications_send(inquiry_id=inquiry.pk) is True
        assert inquiry_notifications_send(inquiry_id=inquiry.pk) is True  # twice: no resend
        inquiry.refresh_from_db()
        assert not inquiry.notifications_pending
        assert inquiry.notify_attempts == 2
    assert len([m for m in mail.outbox if m.subject.startswith("We received")]) == 1


def test_redis_down_inquiry_is_still_stored_rate_limits_fail_open(
    tenant_a, in_tenant, tenant_client, settings
):
    settings.CACHES = {alias: {**config, "LOCATION": DEAD_REDIS}
                       for alias, config in settings.CACHES.items()}
    response = _post_api(tenant_client(tenant_a), api_data())
    assert response.status_code == 201
    with in_tenant(tenant_a):
        assert Inquiry.objects.filter(reference=response.json()["reference"]).exists()


# --- staff see inquiries on the lead page; isolation ------------------------------------
def test_staff_see_the_inquiry_on_the_lead_page(tenant_a, in_tenant, tenant_client,
                                                django_assert_max_num_queries):
    response = _post_api(tenant_client(tenant_a), api_data(message="Verbatim <b>text</b>"))
    with in_tenant(tenant_a):
        inquiry = Inquiry.objects.get(reference=response.json()["reference"])
    manager = tenant_client(tenant_a, tenant_a.users["manager"])
    page = manager.get(f"/crm/leads/{inquiry.lead_id}/").content.decode()
    assert f"/crm/leads/{inquiry.lead_id}/inquiries/" in page
    with django_assert_max_num_queries(12):
        panel = manager.get(f"/crm/leads/{inquiry.lead_id}/inquiries/")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert inquiry.reference in html
    assert "Verbatim &lt;b&gt;text&lt;/b&gt;" in html
    # Anonymous visitors and members never reach it.
    assert tenant_client(tenant_a).get(f"/crm/leads/{inquiry.lead_id}/inquiries/"
                                       ).status_code == 302


def test_an_inquiry_of_tenant_a_is_never_visible_in_tenant_b(
    tenant_a, tenant_b, in_tenant, tenant_client
):
    response = _post_api(tenant_client(tenant_a), api_data())
    reference = response.json()["reference"]
    with in_tenant(tenant_a):
        inquiry = Inquiry.objects.get(reference=reference)
    with in_tenant(tenant_b):
        assert not Inquiry.objects.filter(pk=inquiry.pk).exists()
        assert not Lead.objects.filter(pk=inquiry.lead_id).exists()
    admin_b = tenant_client(tenant_b, tenant_b.users["admin"])
    assert admin_b.get(f"/crm/leads/{inquiry.lead_id}/inquiries/").status_code == 404
    assert admin_b.get(f"/crm/leads/{inquiry.lead_id}/").status_code == 404


def test_a_rep_who_cannot_see_the_lead_gets_404_for_its_inquiries(
    tenant_a, in_tenant, tenant_client
):
    rep, rep2 = tenant_a.users["rep"], tenant_a.users["rep2"]
    with in_tenant(tenant_a):
        AssignmentRule.objects.all().delete()
        AssignmentRule.objects.create(name="to rep", order=1, strategy=AssignmentStrategy.USER,
                                      user=rep)
    response = _post_api(tenant_client(tenant_a), api_data())
    with in_tenant(tenant_a):
        lead_id = Inquiry.objects.get(reference=response.json()["reference"]).lead_id
    assert tenant_client(tenant_a, rep).get(f"/crm/leads/{lead_id}/inquiries/"
                                            ).status_code == 200
    assert tenant_client(tenant_a, rep2).get(f"/crm/leads/{lead_id}/inquiries/"
                                             ).status_code == 404


# --- cost of one submission -------------------------------------------------------------
def test_an_api_inquiry_is_stored_in_a_fixed_small_number_of_statements(
    tenant_a, tenant_client, django_assert_max_num_queries
):
    """Tenant routing (3), the inquiry settings, the transaction with its lead savepoint, the
    scoring and assignment rules, lead + audit entry + number + inquiry (what runs after
    commit is not counted here: the test's transaction never commits). Django's query per
    CheckConstraint (in a savepoint each) is not paid for a new lead."""
    client = tenant_client(tenant_a)
    assert _post_api(client, api_data()).status_code == 201  # warm per-process caches
    with django_assert_max_num_queries(15) as statements:
        assert _post_api(client, api_data()).status_code == 201
    assert not [query for query in statements.captured_queries
                if query["sql"].startswith('SELECT 1 AS "_check"')]


def test_rate_limits_count_the_same_on_a_cache_without_a_redis_pipeline(settings):
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "inquiries"}}
    limits = {"client_ip": "10.0.0.9", "email": "Pat@Example.test", "per_address": 2,
              "per_email": 5}
    assert not spam.rate_limited(**limits)
    assert not spam.rate_limited(**limits)
    assert spam.rate_limited(**limits)  # the third from this address within the hour
    assert not spam.rate_limited(**{**limits, "client_ip": "10.0.0.10"})
