"""Provisioning a tenant: validate, record, build (clone or warm spare + registered steps).

``tenant_provision`` commits the Tenant, its Domain and a ProvisioningJob, then queues
``tenant_build`` in Celery. ``tenant_build`` is idempotent: every step can run again, and a
failure part-way drops the schema and the rows, so no half-built tenant is left behind.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists, tenant_context

from tenants.models import (
    Domain,
    ProvisioningJob,
    StatusCause,
    Tenant,
    TenantKind,
    TenantStatus,
)
from tenants.provisioning import warm_pool
from tenants.provisioning.registry import ProvisioningContext, registered_steps
from tenants.provisioning.slugs import normalise_slug, schema_name_for, slug_problems
from tenants.status import tenant_status_transition

logger = logging.getLogger(__name__)

TRIAL_DAYS = 14


@dataclass(frozen=True)
class SignupData:
    name: str
    slug: str
    admin_email: str
    admin_password: str | None
    plan: str


def signup_validate(
    *, name: str, slug: str, admin_email: str, admin_password: str | None, plan: str = "starter"
) -> SignupData:
    """Check a sign-up; raises ValidationError with a message per field."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    slug = normalise_slug(slug)
    admin_email = (admin_email or "").strip().lower()
    if not name:
        errors["name"] = [_("Enter your company's name.")]
    elif len(name) > 200:
        errors["name"] = [_("Use at most 200 characters.")]
    problems = slug_problems(slug)
    if problems:
        errors["slug"] = problems
    try:
        validate_email(admin_email)
    except ValidationError:
        errors["admin_email"] = [_("Enter a valid e-mail address.")]
    if admin_password is not None:
        try:
            validate_password(admin_password)
        except ValidationError as exc:
            errors["admin_password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return SignupData(name, slug, admin_email, admin_password, plan)


def tenant_provision(
    *,
    name: str,
    slug: str,
    admin_email: str,
    admin_password: str | None = None,
    plan: str = "starter",
    run_inline: bool = False,
) -> ProvisioningJob:
    """Record a new tenant and start building it in Celery (or here, with run_inline)."""
    data = signup_validate(
        name=name, slug=slug, admin_email=admin_email, admin_password=admin_password, plan=plan
    )
    with schema_context(settings.PUBLIC_SCHEMA_NAME), transaction.atomic():
        tenant = Tenant.objects.create(
            schema_name=schema_name_for(data.slug),
            slug=data.slug,
            name=data.name,
            kind=TenantKind.CUSTOMER,
            status=TenantStatus.PROVISIONING,
            plan_code=data.plan,
        )
        Domain.objects.create(tenant=tenant, domain=tenant.primary_host, is_primary=True)
        job = ProvisioningJob.objects.create(
            tenant=tenant,
            slug=data.slug,
            admin_email=data.admin_email,
            company_name=data.name,
            plan_code=data.plan,
            admin_password_hash=make_password(data.admin_password) if data.admin_password else "",
            steps_total=1 + len(registered_steps()),
        )
        if not run_inline:
            transaction.on_commit(lambda: _enqueue_build(job.pk))
    if run_inline:
        tenant_build(job_id=job.pk)
        job.refresh_from_db()
    return job


def _enqueue_build(job_id: int) -> None:
    from tenants.tasks import provision_tenant

    try:
        provision_tenant.delay(job_id)
    except Exception:
        # The broker is down: the sign-up is committed, so build it here rather than
        # leave the signer waiting on a job nobody will run.
        logger.exception("Could not queue provisioning job %s; building inline", job_id)
        tenant_build(job_id=job_id)


def tenant_build(*, job_id: int) -> ProvisioningJob:
    """Build the tenant of a job: schema (warm spare or clone), then every registered step.

    Safe to run twice: a finished job is left alone; an interrupted one resumes.
    """
    connection.set_schema_to_public()
    job = ProvisioningJob.objects.select_related("tenant").get(pk=job_id)
    if job.state == ProvisioningJob.State.SUCCEEDED or job.tenant is None:
        return job
    tenant = job.tenant
    started = time.perf_counter()
    steps = registered_steps()
    job.state = ProvisioningJob.State.RUNNING
    job.steps_total = 1 + len(steps)
    job.steps_done = 0
    job.current_step = str(_("Creating your workspace"))
    job.error = ""
    job.save(update_fields=["state", "steps_total", "steps_done", "current_step", "error"])
    try:
        if not schema_exists(tenant.schema_name):
            job.used_warm_spare = warm_pool.claim_spare_into(tenant.schema_name)
            if not job.used_warm_spare:
                tenant.create_schema(check_if_exists=True, verbosity=0)
        _advance(job)
        context = ProvisioningContext(
            tenant=tenant,
            job=job,
            admin_email=job.admin_email,
            admin_password_hash=job.admin_password_hash,
        )
        for step in steps:
            job.current_step = str(step.label)
            job.save(update_fields=["current_step"])
            with tenant_context(tenant), transaction.atomic():
                step.run(context)
            _advance(job)
        connection.set_schema_to_public()
        with transaction.atomic():
            tenant.trial_ends_at = timezone.now() + timedelta(days=TRIAL_DAYS)
            tenant.save(update_fields=["trial_ends_at", "updated_at"])
            tenant_status_transition(tenant=tenant, to=TenantStatus.TRIAL,
                                     cause=StatusCause.PROVISIONING,
                                     reason=f"provisioning job {job.pk} finished")
    except Exception as exc:
        logger.exception("Provisioning %s failed; removing what was built", tenant.slug)
        connection.set_schema_to_public()
        tenant_discard(tenant=tenant)
        job.tenant = None
        job.state = ProvisioningJob.State.FAILED
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        job.admin_password_hash = ""
        job.finished_at = timezone.now()
        job.save()
        return job
    job.state = ProvisioningJob.State.SUCCEEDED
    job.current_step = ""
    job.admin_password_hash = ""  # no longer needed: do not keep it around
    job.finished_at = timezone.now()
    job.seconds = time.perf_counter() - started
    job.save()
    if job.used_warm_spare:
        warm_pool.request_refill()
    return job


def _advance(job: ProvisioningJob) -> None:
    connection.set_schema_to_public()
    job.steps_done += 1
    job.save(update_fields=["steps_done"])


def tenant_discard(*, tenant: Tenant) -> None:
    """Drop a tenant's schema and rows (used on failed provisioning and in tests)."""
    connection.set_schema_to_public()
    if tenant.schema_name in (settings.PUBLIC_SCHEMA_NAME, settings.TENANT_BASE_SCHEMA):
        raise ValueError("Refusing to drop the public or template schema.")
    with connection.cursor() as cursor:
        # Inside an outer transaction (a test, or a caller's atomic block) deferred FK checks
        # of the rows just written would block DROP SCHEMA: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Domain.objects.filter(tenant=tenant).delete()
    tenant.delete(force_drop=True)


def resume_unfinished_provisioning() -> int:
    """Build the tenants of jobs that never finished (a worker died, or none ran)."""
    connection.set_schema_to_public()
    job_ids = list(
        ProvisioningJob.objects.filter(
            state__in=[ProvisioningJob.State.PENDING, ProvisioningJob.State.RUNNING],
            tenant__isnull=False,
        ).values_list("pk", flat=True)
    )
    for job_id in job_ids:
        tenant_build(job_id=job_id)
    return len(job_ids)


class ProvisioningRetryError(Exception):
    """The job cannot be retried (not failed, or its address was taken meanwhile)."""


def provisioning_job_retry(*, job_id: int, run_inline: bool = False) -> ProvisioningJob:
    """Build a failed job's tenant again: the same job row, a fresh Tenant and Domain (the
    failure removed them), then ``tenant_build`` as at sign-up. Safe to call twice: only a
    failed job is retried, under a row lock, so a second call finds it pending or done.
    The signer's password hash was wiped when the job failed: the first administrator gets
    no usable password and signs in through "Forgot password"."""
    connection.set_schema_to_public()
    with transaction.atomic():
        job = ProvisioningJob.objects.select_for_update().get(pk=job_id)
        if job.state != ProvisioningJob.State.FAILED:
            raise ProvisioningRetryError(_("Only failed jobs can be retried."))
        if Tenant.objects.filter(slug=job.slug).exists():
            raise ProvisioningRetryError(
                _("The address %(slug)s is taken by another workspace now.") % {"slug": job.slug}
            )
        tenant = Tenant.objects.create(
            schema_name=schema_name_for(job.slug), slug=job.slug,
            name=job.company_name or job.slug, kind=TenantKind.CUSTOMER,
            status=TenantStatus.PROVISIONING, plan_code=job.plan_code or "starter",
        )
        Domain.objects.create(tenant=tenant, domain=tenant.primary_host, is_primary=True)
        job.tenant = tenant
        job.state = ProvisioningJob.State.PENDING
        job.attempts += 1
        job.steps_done = 0
        job.current_step = ""
        job.finished_at = None
        job.save(update_fields=["tenant", "state", "attempts", "steps_done", "current_step",
                                "finished_at"])
        if not run_inline:
            transaction.on_commit(lambda: _enqueue_build(job.pk))
    if run_inline:
        tenant_build(job_id=job.pk)
        job.refresh_from_db()
    return job
