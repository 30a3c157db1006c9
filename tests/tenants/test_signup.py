import json

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_exists, tenant_context

from tenants.models import ProvisioningJob, Tenant, TenantStatus
from tenants.provisioning.services import signup_validate
from tenants.users.models import Role, User

GOOD = {"name": "Gamma GmbH", "slug": "gamma", "admin_email": "boss@gamma.test",
        "admin_password": "Sturdy-password-77"}


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("", "Choose an address"),
        ("ab", "at least 3"),
        ("a" * 41, "at most 40"),
        ("acme_co", "only lowercase letters"),
        ("acme.co", "only lowercase letters"),
        ("-acme", "not a hyphen"),
        ("acme-", "not a hyphen"),
        ("ac--me", "two hyphens"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("operator", "reserved"),
        ("signup", "reserved"),
    ],
)
def test_signup_rejects_slug_that_breaks_a_rule(tenant_a, slug, message):
    with pytest.raises(ValidationError) as excinfo:
        signup_validate(**{**GOOD, "slug": slug})
    assert any(message in problem for problem in excinfo.value.message_dict["slug"])


def test_signup_rejects_taken_slug(tenant_a):
    with pytest.raises(ValidationError) as excinfo:
        signup_validate(**{**GOOD, "slug": "alpha"})
    assert "already taken" in excinfo.value.message_dict["slug"][0]


def test_signup_lowercases_slug_and_email(tenant_a):
    data = signup_validate(**{**GOOD, "slug": " Gamma ", "admin_email": "Boss@Gamma.TEST"})
    assert data.slug == "gamma"
    assert data.admin_email == "boss@gamma.test"


@pytest.mark.parametrize("password", ["short1", "12345678901", "password123"])
def test_signup_rejects_weak_password(tenant_a, password):
    with pytest.raises(ValidationError) as excinfo:
        signup_validate(**{**GOOD, "admin_password": password})
    assert excinfo.value.message_dict["admin_password"]


def test_signup_form_shows_field_errors_without_creating_anything(tenant_a, public_client):
    response = public_client.post("/signup/", {**GOOD, "slug": "www", "admin_email": "nope"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "reserved" in content
    assert "valid e-mail" in content
    assert not Tenant.objects.filter(slug="www").exists()


def test_slug_check_answers_availability_as_json(tenant_a, public_client):
    taken = public_client.get("/signup/check/", {"slug": "alpha"}, HTTP_ACCEPT="application/json")
    free = public_client.get("/signup/check/", {"slug": "fresh-co"}, HTTP_ACCEPT="application/json")
    assert taken.json()["available"] is False
    assert free.json() == {"slug": "fresh-co", "host": "fresh-co.localhost", "available": True,
                           "problems": []}


def test_slug_check_renders_host_preview_for_htmx(tenant_a, public_client):
    response = public_client.get("/signup/check/", {"slug": "fresh-co"})
    assert "fresh-co.localhost" in response.content.decode()


def test_signup_through_the_form_ends_on_the_new_tenants_login(
    tenant_a, public_client, django_capture_on_commit_callbacks, tenant_client
):
    with django_capture_on_commit_callbacks(execute=True):
        response = public_client.post("/signup/", GOOD)
    assert response.status_code == 302
    job = ProvisioningJob.objects.get(slug="gamma")
    assert response["Location"] == f"/signup/progress/{job.token}/"
    status = public_client.get(f"/signup/progress/{job.token}/status/").json()
    assert status["state"] == "succeeded"
    assert status["percent"] == 100
    assert status["login_url"].startswith("http://gamma.localhost/")
    assert "/accounts/login/" in status["login_url"]

    tenant = Tenant.objects.get(slug="gamma")
    assert tenant.status == TenantStatus.TRIAL
    assert tenant.trial_ends_at is not None
    assert schema_exists("t_gamma")
    with tenant_context(tenant):
        admin = User.objects.get(email="boss@gamma.test")
        assert admin.role == Role.ADMIN
        assert admin.check_password("Sturdy-password-77")

    client = tenant_client(tenant)
    login = client.post("/accounts/login/", {"username": "boss@gamma.test",
                                             "password": "Sturdy-password-77"})
    assert login.status_code == 302
    assert login["Location"] == "/crm/"
    assert "Gamma GmbH" in client.get("/crm/").content.decode()


def test_progress_of_unknown_job_is_404(tenant_a, public_client):
    assert public_client.get("/signup/progress/not-a-uuid/").status_code == 404
    missing = "/signup/progress/00000000-0000-0000-0000-000000000000/status/"
    assert public_client.get(missing).status_code == 404


def test_progress_page_renders_for_a_job(tenant_a, public_client):
    job = ProvisioningJob.objects.create(slug="pending-co", admin_email="x@y.test",
                                         steps_total=3)
    response = public_client.get(f"/signup/progress/{job.token}/")
    assert response.status_code == 200
    assert "pending-co" in response.content.decode()
    assert json.loads(public_client.get(
        f"/signup/progress/{job.token}/status/").content)["state"] == "pending"


def test_sign_up_is_rate_limited_per_address(tenant_a, public_client):
    from django.core.cache import cache

    cache.clear()
    for _ in range(10):
        public_client.post("/signup/", {**GOOD, "slug": "www"})
    response = public_client.post("/signup/", GOOD)
    assert response.status_code == 429
    assert "Too many sign-ups" in response.content.decode()
    assert not Tenant.objects.filter(slug="gamma").exists()
    cache.clear()
