import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context
from wagtail.models import Site

from cms.models import HomePage
from tenants.models import Domain, ProvisioningJob, Tenant, TenantKind
from tenants.provisioning import registry, warm_pool
from tenants.provisioning.services import tenant_build, tenant_provision
from tenants.users.models import User


def _provision(slug: str, **extra) -> ProvisioningJob:
    return tenant_provision(name=f"{slug.title()} Corp", slug=slug,
                            admin_email=f"owner@{slug}.test",
                            admin_password="Sturdy-password-77", run_inline=True, **extra)


def test_provisioned_tenant_has_admin_site_and_home_page_titled_with_its_name(tenant_a):
    job = _provision("delta")
    assert job.state == ProvisioningJob.State.SUCCEEDED
    assert job.steps_done == job.steps_total
    assert Domain.objects.get(tenant=job.tenant).domain == "delta.localhost"
    with tenant_context(job.tenant):
        assert User.objects.filter(email="owner@delta.test", role="admin").count() == 1
        home = HomePage.objects.get()
        assert home.title == "Delta Corp"
        site = Site.objects.get(is_default_site=True)
        assert site.hostname == "delta.localhost"
        assert site.root_page_id == home.pk


def test_provisioning_runs_again_without_duplicating_anything(tenant_a):
    job = _provision("epsilon")
    # A retried task on a finished job is a no-op...
    assert tenant_build(job_id=job.pk).state == ProvisioningJob.State.SUCCEEDED
    # ...and every step is idempotent when run again on a built schema.
    job.state = ProvisioningJob.State.RUNNING
    job.save()
    again = tenant_build(job_id=job.pk)
    assert again.state == ProvisioningJob.State.SUCCEEDED
    with tenant_context(job.tenant):
        assert User.objects.filter(email="owner@epsilon.test").count() == 1
        assert HomePage.objects.count() == 1


def test_failed_step_leaves_no_half_built_tenant(tenant_a, monkeypatch):
    def explode(context):
        raise RuntimeError("disk full")

    steps = dict(registry._steps)
    steps["explode"] = registry.ProvisioningStep("explode", "Exploding", 99, explode)
    monkeypatch.setattr(registry, "_steps", steps)

    job = _provision("zeta")
    assert job.state == ProvisioningJob.State.FAILED
    assert "disk full" in job.error
    assert job.admin_password_hash == ""
    assert not Tenant.objects.filter(slug="zeta").exists()
    assert not Domain.objects.filter(domain="zeta.localhost").exists()
    assert not schema_exists("t_zeta")

    monkeypatch.setattr(registry, "_steps", {k: v for k, v in steps.items() if k != "explode"})
    retry = _provision("zeta")  # the slug is free again
    assert retry.state == ProvisioningJob.State.SUCCEEDED


def test_sign_up_takes_a_warm_spare_when_one_is_ready(tenant_a, settings):
    settings.TENANT_WARM_POOL_SIZE = 1
    assert warm_pool.refill() == 1
    spare = Tenant.objects.get(kind=TenantKind.SPARE)
    assert Domain.objects.filter(tenant=spare).count() == 0
    job = _provision("theta")
    assert job.used_warm_spare is True
    assert not Tenant.objects.filter(pk=spare.pk).exists()
    assert not schema_exists(spare.schema_name)
    assert schema_exists("t_theta")
    with tenant_context(job.tenant):
        assert User.objects.filter(email="owner@theta.test").exists()
        assert HomePage.objects.get().title == "Theta Corp"


def test_provision_tenant_command_prints_host_and_login(tenant_a, capsys):
    call_command("provision_tenant", slug="iota", name="Iota Ltd",
                 admin_email="admin@iota.test", admin_password="Sturdy-password-77")
    out = capsys.readouterr().out
    assert "iota.localhost" in out
    assert "admin@iota.test" in out


def test_provision_tenant_command_explains_bad_slug(tenant_a):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="reserved"):
        call_command("provision_tenant", slug="www", name="X", admin_email="a@b.test")


def test_tenants_command_lists_tenants_with_status_and_users(tenant_a, tenant_b, capsys):
    connection.set_schema_to_public()
    call_command("tenants")
    out = capsys.readouterr().out
    alpha_line = next(line for line in out.splitlines() if line.startswith("alpha"))
    assert "trial" in alpha_line
    assert "alpha.localhost" in alpha_line
    # alpha: one user per role (the admin is the provisioned one) + 1 extra
    assert alpha_line.split()[3] == "7"


def test_setup_platform_skips_and_then_builds_a_sign_up_whose_job_never_ran(tenant_a):
    job = tenant_provision(name="Kappa Co", slug="kappa", admin_email="owner@kappa.test",
                           admin_password="Sturdy-password-77")  # queued after commit: never
    assert job.state == ProvisioningJob.State.PENDING
    assert not schema_exists("t_kappa")
    call_command("setup_platform", no_warm_pool=True)
    job.refresh_from_db()
    assert job.state == ProvisioningJob.State.SUCCEEDED
    assert schema_exists("t_kappa")
    with tenant_context(job.tenant):
        assert User.objects.filter(email="owner@kappa.test").exists()
