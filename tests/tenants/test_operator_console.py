"""The operator console: who reaches it, what it shows (counts and metadata only), the
audited actions, plans synced through billing, provisioning retry, the overview."""

from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_exists

from billing.models import BillingAccount, BillingAction, Plan
from billing.services.accounts import billing_account_ensure
from crm.accounts.models import Contact
from crm.accounts.services import account_create
from tenants.models import (
    Domain,
    OperatorAction,
    ProvisioningJob,
    Tenant,
    TenantKind,
    TenantStatus,
    TenantStatusChange,
)
from tenants.provisioning.services import tenant_discard
from tenants.users.models import User, UserKind

pytestmark = pytest.mark.django_db

OPS_PASSWORD = "Ops-password-123"
SECRET_NAME = "Zyxwvut Confidential Holdings"


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(email="ops@platform.test", password=OPS_PASSWORD,
                                    kind=UserKind.OPERATOR)


@pytest.fixture
def ops(operator, public_client) -> Client:
    public_client.force_login(operator)
    return public_client


def _tenant(pk: int) -> Tenant:
    return Tenant.objects.get(pk=pk)


CONSOLE_GETS = ["/operator/", "/operator/tenants/", "/operator/plans/",
                "/operator/plans/new/", "/operator/provisioning/"]


# Access -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [*CONSOLE_GETS, "/operator/tenants/{pk}/",
                                  "/operator/plans/{plan}/"])
def test_anonymous_visitors_are_sent_to_the_operator_sign_in(tenant_a, public_client, path):
    plan = Plan.objects.get(code="starter")
    response = public_client.get(path.format(pk=tenant_a.tenant.pk, plan=plan.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/operator/login/")


@pytest.mark.parametrize("path", ["suspend", "reactivate", "grace", "plan", "domains"])
def test_anonymous_posts_change_nothing(tenant_a, public_client, path):
    response = public_client.post(f"/operator/tenants/{tenant_a.tenant.pk}/{path}/",
                                  {"reason": "x", "days": 3, "plan": "growth",
                                   "host": "crm.example.com"})
    assert response.status_code == 302
    assert "/operator/login/" in response["Location"]
    assert not OperatorAction.objects.exists()
    assert _tenant(tenant_a.tenant.pk).status == TenantStatus.TRIAL


def test_a_signed_in_non_operator_on_the_public_host_is_refused(tenant_a, public_client):
    # A public-schema user who is not an operator (e.g. created by mistake as staff).
    staff = User.objects.create_user(email="staff@platform.test", password=OPS_PASSWORD,
                                     kind=UserKind.STAFF)
    login = public_client.post("/operator/login/", {"username": "staff@platform.test",
                                                    "password": OPS_PASSWORD})
    assert login.status_code == 200  # the sign-in itself refuses non-operators
    assert "_auth_user_id" not in public_client.session
    public_client.force_login(staff)
    for path in CONSOLE_GETS:
        assert public_client.get(path).status_code == 403, path
    response = public_client.post(f"/operator/tenants/{tenant_a.tenant.pk}/suspend/",
                                  {"reason": "x"})
    assert response.status_code == 403
    assert _tenant(tenant_a.tenant.pk).status == TenantStatus.TRIAL


def test_tenant_admin_credentials_do_not_open_the_console(tenant_a, public_client):
    response = public_client.post("/operator/login/", {"username": "admin@alpha.test",
                                                       "password": "Correct-horse-battery-9"})
    assert response.status_code == 200
    assert public_client.get("/operator/tenants/").status_code == 302


def test_tenant_admin_session_cookie_is_not_a_session_on_the_public_host(
    tenant_a, tenant_client, public_client
):
    tenant_session = tenant_client(tenant_a, tenant_a.users["admin"])
    cookie = tenant_session.cookies[django_settings.SESSION_COOKIE_NAME].value
    public_client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    response = public_client.get("/operator/tenants/")
    assert response.status_code == 302
    assert response["Location"].startswith("/operator/login/")


def test_operator_signs_in_and_lands_on_the_overview(tenant_a, operator, public_client):
    response = public_client.post("/operator/login/", {"username": "ops@platform.test",
                                                       "password": OPS_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/operator/"


@pytest.mark.parametrize("path", [*CONSOLE_GETS, "/operator/tenants/1/"])
def test_the_console_is_not_served_on_tenant_hosts(tenant_a, tenant_client, path):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    assert client.get(path).status_code == 404


# Tenants list and detail ------------------------------------------------------------------

def test_list_shows_plan_seats_subscription_mrr_and_domains(tenant_a, tenant_b, ops):
    account = billing_account_ensure(tenant=tenant_b.tenant)
    BillingAccount.objects.filter(pk=account.pk).update(
        plan=Plan.objects.get(code="growth"), subscription_status="active", seats_paid=12,
        stripe_subscription_id="sub_b")
    Domain.objects.create(tenant=tenant_b.tenant, domain="crm.beta-trading.example",
                          is_primary=False)

    content = ops.get("/operator/tenants/").content.decode()

    assert "Alpha Industries" in content
    assert "Beta Trading" in content
    assert "<td>7</td>" in content  # alpha's active staff
    assert "<td>9</td>" in content  # beta's
    assert "crm.beta-trading.example" in content
    assert "119.00 USD" in content  # growth 99 + 2 extra seats x 10


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("q=alpha", "Alpha Industries", "Beta Trading"),
    ("q=beta.localhost", "Beta Trading", "Alpha Industries"),  # by domain
    ("status=suspended", "Beta Trading", "Alpha Industries"),
    ("plan=growth", "Alpha Industries", "Beta Trading"),
])
def test_list_filters_by_search_status_and_plan(tenant_a, tenant_b, ops, query, shown, hidden):
    Tenant.objects.filter(pk=tenant_b.tenant.pk).update(status=TenantStatus.SUSPENDED)
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(plan_code="growth")
    content = ops.get(f"/operator/tenants/?{query}").content.decode()
    assert shown in content
    assert hidden not in content


def test_list_with_bad_filters_is_not_an_error(tenant_a, ops):
    response = ops.get("/operator/tenants/?status=nope&plan=%27;drop&page=x")
    assert response.status_code == 200


def _list_queries(ops: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert ops.get("/operator/tenants/").status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_the_number_of_tenants(
    tenant_a, tenant_b, ops, django_assert_max_num_queries
):
    _list_queries(ops)  # warm caches (sessions, content types)
    few = _list_queries(ops)
    for index in range(8):
        tenant = Tenant.objects.create(schema_name=f"t_bulk{index}", slug=f"bulk{index}",
                                       name=f"Bulk {index}", kind=TenantKind.CUSTOMER,
                                       status=TenantStatus.TRIAL)
        Domain.objects.create(tenant=tenant, domain=f"bulk{index}.localhost")
        billing_account_ensure(tenant=tenant)
    assert _list_queries(ops) == few
    with django_assert_max_num_queries(12):
        ops.get("/operator/tenants/")


def test_detail_shows_storage_row_counts_and_last_staff_activity(tenant_a, ops, in_tenant):
    with in_tenant(tenant_a):
        for index in range(3):
            account_create(actor=tenant_a.users["admin"], name=f"{SECRET_NAME} {index}")
        User.objects.filter(pk=tenant_a.users["rep"].pk).update(
            last_login=timezone.now() - timedelta(hours=2))
    connection.set_schema_to_public()

    response = ops.get(f"/operator/tenants/{tenant_a.tenant.pk}/")

    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.database_bytes > 0
    counts = {str(t.label): t.rows for t in figures.tables}
    assert counts["Accounts"] == 3
    assert counts["Contacts"] == 0
    assert figures.staff.active_staff == 7
    assert figures.staff.last_login is not None
    assert SECRET_NAME not in response.content.decode()


def test_detail_of_missing_or_non_customer_tenant_is_404(tenant_a, ops):
    public = Tenant.objects.get(kind=TenantKind.PUBLIC)
    template = Tenant.objects.get(kind=TenantKind.TEMPLATE)
    for pk in (999_999, public.pk, template.pk):
        assert ops.get(f"/operator/tenants/{pk}/").status_code == 404
        assert ops.post(f"/operator/tenants/{pk}/suspend/", {"reason": "x"}).status_code == 404


def test_no_tenant_crm_record_appears_on_any_console_page(tenant_a, tenant_b, ops, in_tenant):
    with in_tenant(tenant_a):
        account = account_create(actor=tenant_a.users["admin"], name=SECRET_NAME)
        Contact.objects.create(account=account, first_name="Quintessa", last_name="Vexley",
                               email="quintessa@secret.example")
    connection.set_schema_to_public()
    pages = [*CONSOLE_GETS, f"/operator/tenants/{tenant_a.tenant.pk}/",
             f"/operator/tenants/?q={tenant_a.tenant.slug}"]
    for path in pages:
        content = ops.get(path).content.decode()
        for secret in (SECRET_NAME, "Quintessa", "Vexley", "quintessa@secret.example"):
            assert secret not in content, (path, secret)


# Actions ------------------------------------------------------------------------------

def test_suspend_and_reactivate_are_audited_with_reason(tenant_a, ops, operator):
    pk = tenant_a.tenant.pk
    ops.post(f"/operator/tenants/{pk}/suspend/", {"reason": "Abuse report #42"})
    assert _tenant(pk).status == TenantStatus.SUSPENDED
    ops.post(f"/operator/tenants/{pk}/reactivate/", {"reason": "Resolved"})
    assert _tenant(pk).status == TenantStatus.TRIAL

    actions = list(OperatorAction.objects.filter(tenant_id=pk).order_by("created_at", "id"))
    assert [(a.action, a.reason, a.operator) for a in actions] == [
        ("suspend", "Abuse report #42", operator), ("reactivate", "Resolved", operator)]
    changes = list(TenantStatusChange.objects.filter(tenant_id=pk, cause="operator")
                   .order_by("created_at", "id").values_list("to_status", "reason"))
    assert changes == [("suspended", "Abuse report #42"), ("trial", "Resolved")]


def test_reactivation_without_subscription_tells_the_operator(tenant_a, ops):
    pk = tenant_a.tenant.pk
    Tenant.objects.filter(pk=pk).update(status=TenantStatus.SUSPENDED,
                                        trial_ends_at=timezone.now() - timedelta(days=1))
    response = ops.post(f"/operator/tenants/{pk}/reactivate/", {"reason": "Asked"},
                        follow=True)
    assert _tenant(pk).status == TenantStatus.SUSPENDED
    assert "no subscription" in response.content.decode()
    assert not OperatorAction.objects.filter(tenant_id=pk).exists()


@pytest.mark.parametrize("path", ["suspend", "reactivate", "grace", "plan", "domains"])
def test_every_action_needs_a_reason(tenant_a, ops, path):
    response = ops.post(f"/operator/tenants/{tenant_a.tenant.pk}/{path}/",
                        {"reason": "  ", "days": 3, "plan": "growth",
                         "host": "crm.example.com"})
    assert response.status_code == 302
    assert not OperatorAction.objects.exists()
    assert not Domain.objects.filter(domain="crm.example.com").exists()


def test_unknown_action_is_404(tenant_a, ops):
    assert ops.post(f"/operator/tenants/{tenant_a.tenant.pk}/explode/",
                    {"reason": "x"}).status_code == 404


def test_extend_grace_is_audited(tenant_a, ops, operator):
    pk = tenant_a.tenant.pk
    Tenant.objects.filter(pk=pk).update(status=TenantStatus.READ_ONLY)
    BillingAccount.objects.filter(tenant_id=pk).update(
        grace_ends_at=timezone.now() - timedelta(days=1))

    ops.post(f"/operator/tenants/{pk}/grace/", {"days": "5", "reason": "Bank transfer"})

    assert _tenant(pk).status == TenantStatus.PAST_DUE
    action = OperatorAction.objects.get(tenant_id=pk, action="extend_grace")
    assert (action.reason, action.operator, action.after["days"]) == (
        "Bank transfer", operator, 5)
    assert BillingAction.objects.filter(tenant_id=pk,
                                        kind=BillingAction.Kind.GRACE_EXTENDED).count() == 1
    change = TenantStatusChange.objects.filter(tenant_id=pk).first()
    assert (change.to_status, change.cause, change.actor) == ("past_due", "operator", operator)


def test_extend_grace_of_a_trial_tenant_is_refused_with_a_message(tenant_a, ops):
    response = ops.post(f"/operator/tenants/{tenant_a.tenant.pk}/grace/",
                        {"days": "5", "reason": "x"}, follow=True)
    assert "past-due or read-only" in response.content.decode()
    assert not OperatorAction.objects.exists()


def test_change_plan_without_subscription_is_local_and_audited(tenant_a, ops, operator):
    pk = tenant_a.tenant.pk
    ops.post(f"/operator/tenants/{pk}/plan/", {"plan": "growth", "reason": "Upsell call"})

    assert _tenant(pk).plan_code == "growth"
    assert BillingAccount.objects.get(tenant_id=pk).plan.code == "growth"
    action = OperatorAction.objects.get(tenant_id=pk, action="change_plan")
    assert (action.before, action.after, action.reason) == (
        {"plan": "starter"}, {"plan": "growth"}, "Upsell call")


def test_change_plan_with_subscription_changes_stripe_first(tenant_a, ops, stripe_stub):
    pk = tenant_a.tenant.pk
    Plan.objects.filter(code="growth").update(stripe_price_monthly_id="price_growth_m")
    BillingAccount.objects.filter(tenant_id=pk).update(
        stripe_customer_id="cus_a", stripe_subscription_id="sub_a",
        stripe_subscription_item_id="si_a", subscription_status="active", seats_paid=4)
    # https://docs.stripe.com/api/subscriptions/update (the subscription object)
    stripe_stub.overrides[("POST", "/v1/subscriptions/sub_a")] = (200, {
        "id": "sub_a", "object": "subscription", "status": "active", "customer": "cus_a",
        "items": {"object": "list", "data": [{"id": "si_a", "object": "subscription_item",
                                              "price": {"id": "price_growth_m"},
                                              "quantity": 4}]}})

    ops.post(f"/operator/tenants/{pk}/plan/", {"plan": "growth", "reason": "Upgrade"})

    [sent] = stripe_stub.sent("POST", "/v1/subscriptions/sub_a")
    assert sent.params["items[0][price]"] == "price_growth_m"
    assert sent.params["items[0][id]"] == "si_a"
    assert _tenant(pk).plan_code == "growth"


def test_change_plan_when_stripe_is_down_changes_nothing(tenant_a, ops, stripe_unreachable):
    pk = tenant_a.tenant.pk
    Plan.objects.filter(code="growth").update(stripe_price_monthly_id="price_growth_m")
    BillingAccount.objects.filter(tenant_id=pk).update(
        stripe_subscription_id="sub_a", stripe_subscription_item_id="si_a",
        subscription_status="active", seats_paid=4)
    response = ops.post(f"/operator/tenants/{pk}/plan/", {"plan": "growth", "reason": "x"},
                        follow=True)
    assert response.status_code == 200
    assert _tenant(pk).plan_code == "starter"
    assert not OperatorAction.objects.exists()


def test_add_custom_domain_is_validated_unique_and_audited(tenant_a, tenant_b, ops):
    pk = tenant_a.tenant.pk
    ops.post(f"/operator/tenants/{pk}/domains/", {"host": " CRM.Alpha-Industries.example. ",
                                                  "reason": "Customer's CNAME is set"})
    domain = Domain.objects.get(domain="crm.alpha-industries.example")
    assert domain.tenant_id == pk
    assert not domain.is_primary
    assert OperatorAction.objects.get(action="add_domain").after == {
        "domain": "crm.alpha-industries.example"}

    for bad in ("crm.alpha-industries.example", "beta.localhost", "not a host",
                "-bad.example.com", "localhost", "10.0.0.1", "x" * 64 + ".example.com",
                "shop.localhost"):
        ops.post(f"/operator/tenants/{tenant_b.tenant.pk}/domains/",
                 {"host": bad, "reason": "try"})
    assert not Domain.objects.filter(tenant=tenant_b.tenant).exclude(
        domain="beta.localhost").exists()
    assert OperatorAction.objects.filter(action="add_domain").count() == 1


# Plans ------------------------------------------------------------------------------------

def _plan_data(plan: Plan, **changes) -> dict:
    data = {"code": plan.code, "name": plan.name, "price_monthly": plan.price_monthly,
            "price_yearly": plan.price_yearly, "currency": plan.currency,
            "seats_included": plan.seats_included,
            "price_per_extra_seat": plan.price_per_extra_seat, "active": "on",
            "sort_order": plan.sort_order, "portal": "on", "api": "on",
            "storage_gb": 50, "reason": "Price review 2027"}
    data.update(changes)
    return data


def test_plan_edit_syncs_to_stripe_then_saves_and_is_audited(tenant_a, ops, stripe_stub):
    plan = Plan.objects.get(code="growth")
    response = ops.post(f"/operator/plans/{plan.pk}/",
                        _plan_data(plan, price_monthly="109.00", custom_domain="on"))
    assert response.status_code == 302

    plan.refresh_from_db()
    assert plan.price_monthly == Decimal("109.00")
    assert plan.features["custom_domain"] is True
    month = stripe_stub.prices[plan.stripe_price_monthly_id]
    assert month["lookup_key"] == "crm_growth_month"
    assert month["tiers"][0]["flat_amount"] == 10900
    action = OperatorAction.objects.get(action="edit_plan")
    assert action.tenant is None
    assert action.target == "plan growth"
    assert action.after["price_monthly"] == "109.00"


def test_plan_edit_is_not_saved_when_stripe_is_down(tenant_a, ops, stripe_unreachable):
    plan = Plan.objects.get(code="growth")
    response = ops.post(f"/operator/plans/{plan.pk}/", _plan_data(plan, price_monthly="1.00"))
    assert response.status_code == 400
    assert "cannot be reached" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).price_monthly == Decimal("99.00")
    assert not OperatorAction.objects.exists()


def test_plan_form_refuses_bad_input_without_a_500(tenant_a, ops, stripe_stub):
    plan = Plan.objects.get(code="growth")
    for bad in ({"price_monthly": "-5"}, {"currency": "dollars"}, {"seats_included": "x"},
                {"reason": ""}):
        response = ops.post(f"/operator/plans/{plan.pk}/", _plan_data(plan, **bad))
        assert response.status_code == 400, bad
    assert stripe_stub.requests == []


def test_new_plan_is_created_in_stripe_and_here(tenant_a, ops, stripe_stub):
    plan = Plan(code="scale", name="Scale", price_monthly=Decimal("199"),
                price_yearly=Decimal("1990"), currency="USD", seats_included=20,
                price_per_extra_seat=Decimal("9"), sort_order=25)
    response = ops.post("/operator/plans/new/", _plan_data(plan))
    assert response.status_code == 302
    created = Plan.objects.get(code="scale")
    assert created.stripe_product_id == "crm_plan_scale"
    assert created.stripe_price_yearly_id in stripe_stub.prices


def test_plan_code_cannot_be_changed_once_created(tenant_a, ops, stripe_stub):
    plan = Plan.objects.get(code="growth")
    ops.post(f"/operator/plans/{plan.pk}/", _plan_data(plan, code="renamed"))
    assert Plan.objects.filter(code="growth").exists()
    assert not Plan.objects.filter(code="renamed").exists()


# Provisioning -----------------------------------------------------------------------------

def test_failed_job_is_listed_with_its_error_and_retried_once(
    tenant_a, ops, operator, django_capture_on_commit_callbacks
):
    job = ProvisioningJob.objects.create(
        slug="gamma", admin_email="owner@gamma.test", company_name="Gamma Works",
        plan_code="growth", state=ProvisioningJob.State.FAILED,
        error="RuntimeError: disk full")
    page = ops.get("/operator/provisioning/?state=failed").content.decode()
    assert "RuntimeError: disk full" in page
    assert f"/operator/provisioning/{job.pk}/retry/" in page

    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = ops.post(f"/operator/provisioning/{job.pk}/retry/",
                                {"reason": "Disk replaced"})
        assert response.status_code == 302
        job.refresh_from_db()
        assert job.state == ProvisioningJob.State.SUCCEEDED
        assert job.attempts == 2
        assert job.error == ""
        tenant = Tenant.objects.get(slug="gamma")
        assert (tenant.name, tenant.plan_code, tenant.status) == (
            "Gamma Works", "growth", TenantStatus.TRIAL)
        assert schema_exists("t_gamma")
        action = OperatorAction.objects.get(action="retry_provisioning")
        assert (action.reason, action.operator, action.tenant) == (
            "Disk replaced", operator, tenant)

        # Retrying again (a double click) changes nothing.
        ops.post(f"/operator/provisioning/{job.pk}/retry/", {"reason": "again"})
        assert ProvisioningJob.objects.get(pk=job.pk).attempts == 2
        assert OperatorAction.objects.filter(action="retry_provisioning").count() == 1
    finally:
        gamma = Tenant.objects.filter(slug="gamma").first()
        if gamma is not None:
            tenant_discard(tenant=gamma)


def test_retry_is_refused_when_the_address_was_taken(tenant_a, ops):
    job = ProvisioningJob.objects.create(slug="alpha", admin_email="x@alpha.test",
                                         state=ProvisioningJob.State.FAILED, error="boom")
    response = ops.post(f"/operator/provisioning/{job.pk}/retry/", {"reason": "x"},
                        follow=True)
    assert "taken" in response.content.decode()
    assert ProvisioningJob.objects.get(pk=job.pk).state == ProvisioningJob.State.FAILED


def test_provisioning_page_shows_the_warm_pool(tenant_a, ops, settings):
    settings.TENANT_WARM_POOL_SIZE = 3
    Tenant.objects.create(schema_name="spare_ready1", slug="spare-ready1", name="Warm spare",
                          kind=TenantKind.SPARE, status=TenantStatus.TRIAL)
    Tenant.objects.create(schema_name="spare_build1", slug="spare-build1", name="Warm spare",
                          kind=TenantKind.SPARE, status=TenantStatus.PROVISIONING)
    response = ops.get("/operator/provisioning/")
    assert response.context["pool"] == {"ready": 1, "building": 1, "target": 3}


# Overview ---------------------------------------------------------------------------------

def test_overview_counts_tenants_signups_mrr_and_failures(tenant_a, tenant_b, ops, settings):
    from billing.models import StripeEvent

    Tenant.objects.filter(pk=tenant_b.tenant.pk).update(status=TenantStatus.SUSPENDED)
    BillingAccount.objects.filter(tenant=tenant_a.tenant).update(
        plan=Plan.objects.get(code="starter"), subscription_status="active", seats_paid=3)
    ProvisioningJob.objects.create(slug="failed-one", admin_email="a@b.test",
                                   state=ProvisioningJob.State.FAILED, error="Boom: it broke")
    StripeEvent.objects.create(event_id="evt_failed_1", type="invoice.paid", payload={},
                               error="No such customer", attempts=2)

    response = ops.get("/operator/")

    assert response.status_code == 200
    data = response.context["data"]
    by_status = {value: count for value, _label, count in data.by_status}
    assert by_status["trial"] == 1
    assert by_status["suspended"] == 1
    assert len(data.signups) == 12
    assert data.signups[-1][1] >= 2  # alpha and beta signed up this week
    assert data.mrr == {"USD": Decimal("29.00")}
    assert data.failed_jobs == 1
    assert data.failed_events == 1
    content = response.content.decode()
    assert "Boom: it broke" in content
    assert "evt_failed_1" in content
    # Charts read a json_script block with a static script; each has a table beside it.
    assert 'id="operator-charts"' in content
    assert "vendor/chartjs/chart.umd.js" in content
    assert "<caption>" in content
    assert "cdn" not in content.lower()


def test_overview_reads_celery_queue_lengths_from_redis(tenant_a, ops, settings):
    settings.CELERY_BROKER_URL = django_settings.REDIS_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = "operator-console-test-queue"
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    client.delete("operator-console-test-queue")
    client.rpush("operator-console-test-queue", "a", "b", "c")
    try:
        data = ops.get("/operator/").context["data"]
    finally:
        client.delete("operator-console-test-queue")
    assert [(q.name, q.length) for q in data.queues] == [("operator-console-test-queue", 3)]
    assert data.broker_problem == ""


def test_overview_works_when_redis_is_down(tenant_a, ops, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = ops.get("/operator/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data.queues[0].length is None
    assert "cannot be reached" in response.content.decode()
