"""Public host: landing page, company sign-up with live slug check, provisioning progress."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from tenants.forms import SignupForm
from tenants.models import ProvisioningJob
from tenants.provisioning.services import tenant_provision
from tenants.provisioning.slugs import normalise_slug, slug_problems
from tenants.urls_util import tenant_url


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "public/landing.html")


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="10/h", method="POST", block=False)
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if getattr(request, "limited", False):
        form.is_valid()
        form.add_error(None, _("Too many sign-ups from your network. Please try again in an hour."))
        return render(request, "public/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            job = tenant_provision(**form.cleaned_data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("public:signup_progress", token=job.token)
    return render(
        request,
        "public/signup.html",
        {"form": form, "platform_domain": settings.PLATFORM_DOMAIN},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@ratelimit(key="ip", rate="120/m", block=False)
def slug_check(request: HttpRequest) -> HttpResponse:
    """Live preview of the host name and whether it can be had (htmx partial or JSON)."""
    slug = normalise_slug(request.GET.get("slug", ""))
    if getattr(request, "limited", False):
        return JsonResponse({"detail": _("Too many requests."), "code": "rate_limited"},
                            status=429)
    problems = slug_problems(slug)
    host = f"{slug or 'your-company'}.{settings.PLATFORM_DOMAIN}"
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"slug": slug, "host": host, "available": not problems,
                             "problems": problems})
    return render(request, "public/_slug_check.html",
                  {"slug": slug, "host": host, "problems": problems})


def _job_or_404(token: str) -> ProvisioningJob:
    try:
        return ProvisioningJob.objects.select_related("tenant").get(token=token)
    except (ProvisioningJob.DoesNotExist, ValidationError) as exc:
        raise Http404(_("No such sign-up.")) from exc


@require_GET
def signup_progress(request: HttpRequest, token: str) -> HttpResponse:
    job = _job_or_404(token)
    return render(request, "public/signup_progress.html", {"job": job, **_job_payload(job)})


@require_GET
def signup_progress_json(request: HttpRequest, token: str) -> JsonResponse:
    job = _job_or_404(token)
    return JsonResponse(_job_payload(job))


def _job_payload(job: ProvisioningJob) -> dict[str, object]:
    login_url = ""
    if job.state == ProvisioningJob.State.SUCCEEDED and job.tenant is not None:
        query = urlencode({"email": job.admin_email})
        login_url = tenant_url(job.tenant, f"/accounts/login/?{query}")
    return {
        "state": job.state,
        "percent": job.percent,
        "step": job.current_step,
        "error": _("Setting up your workspace failed. Please try again; nothing was charged.")
        if job.state == ProvisioningJob.State.FAILED else "",
        "login_url": login_url,
    }
