"""The provisioning queue, its failures with a retry button, and the warm pool."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tenants.models import ProvisioningJob
from tenants.operator import forms
from tenants.operator.access import operator_required
from tenants.operator.selectors import provisioning_jobs
from tenants.operator.services import provisioning_retry
from tenants.provisioning.warm_pool import warm_pool_state
from tenants.services import TenantActionError


@require_GET
@operator_required
def job_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in ProvisioningJob.State.values:
        state = ""
    page = Paginator(provisioning_jobs(state=state), 50).get_page(request.GET.get("page"))
    return render(request, "operator/provisioning.html", {
        "page": page, "state": state, "states": ProvisioningJob.State.choices,
        "pool": warm_pool_state(), "retry_form": forms.RetryForm(),
    })


@require_POST
@operator_required
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ProvisioningJob, pk=pk)
    form = forms.RetryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason; it is kept in the audit log."))
        return redirect("operator:provisioning")
    try:
        job = provisioning_retry(job=job, actor=request.user, reason=form.cleaned_data["reason"])
    except TenantActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Job %(job)s for %(slug)s: %(state)s.") % {
            "job": job.pk, "slug": job.slug, "state": job.get_state_display()})
    return redirect("operator:provisioning")
