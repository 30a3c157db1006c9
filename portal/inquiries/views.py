"""The inquiry form (the Wagtail inquiry page and /portal/inquiry/) and the staff panel on
the lead page. Adapters: the rules are in portal.inquiries.services."""

from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from crm.core.decorators import staff_required
from crm.core.forms import apply_service_errors
from portal.inquiries import selectors, services
from portal.inquiries.forms import InquiryForm
from portal.inquiries.models import InquiryChannel, InquirySettings
from tenants.security.client_ip import client_ip

_SENT_SALT = "portal.inquiries.sent"
_SENT_MAX_AGE = 3600
_NO_REFERENCE = "-"  # the honeypot's "thank you": no row, nothing for a bot to learn


def _sent_reference(request: HttpRequest) -> str | None:
    """The reference of the inquiry just sent (signed in the redirect), if any."""
    token = request.GET.get("sent")
    if not token:
        return None
    try:
        return str(signing.loads(token, salt=_SENT_SALT, max_age=_SENT_MAX_AGE))
    except signing.BadSignature:
        return None


def _redirect_sent(request: HttpRequest, reference: str) -> HttpResponseRedirect:
    token = signing.dumps(reference, salt=_SENT_SALT)
    return HttpResponseRedirect(f"{request.path}?sent={token}")


def inquiry_form_response(request: HttpRequest, *, template: str | list[str],
                          context: dict[str, Any]) -> HttpResponse:
    """GET: the form; POST: submit it (honeypot, minimum time, rate limits), then redirect
    to the same page showing the reference."""
    config = InquirySettings.load(request_or_site=request)
    status = 200
    rate_limited = False
    sent = _sent_reference(request) if request.method == "GET" else None
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST":
        form = InquiryForm(request.POST, min_seconds=config.min_seconds)
        if form.honeypot_filled:
            return _redirect_sent(request, _NO_REFERENCE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inquiry = services.inquiry_submit(
                    name=data["name"], company=data["company"], email=data["email"],
                    phone=data["phone"], product_interest=data["product_interest"],
                    message=data["message"], channel=InquiryChannel.FORM,
                    language=get_language() or "en", client_ip=client_ip(request) or None,
                    user_agent=request.headers.get("User-Agent", ""), member=user,
                    inquiry_settings=config,
                )
            except services.InquiryRateLimitedError:
                rate_limited, status = True, 429
            except ValidationError as error:
                apply_service_errors(form, error)
                status = 400
            else:
                return _redirect_sent(request, inquiry.reference)
        else:
            status = 400
        form.renew_started()
    else:
        initial = {}
        if user is not None:
            initial = {"name": user.get_full_name(), "email": user.email}
        # "Ask about this product" on a catalog page: the product travels in the link.
        product = (request.GET.get("product") or "").strip()[:200]
        if product:
            initial["product_interest"] = product
        form = InquiryForm(initial=initial, min_seconds=config.min_seconds)
    return TemplateResponse(request, template, {
        **context, "form": form, "sent": sent is not None, "rate_limited": rate_limited,
        "sent_reference": sent if sent and sent != _NO_REFERENCE else "",
    }, status=status)


@require_http_methods(["GET", "POST"])
def inquiry_page(request: HttpRequest) -> HttpResponse:
    """/portal/inquiry/: the form outside the Wagtail tree (the member area links here)."""
    return inquiry_form_response(request, template="portal/inquiries/inquiry_page.html",
                                 context={})


@require_GET
@staff_required
def lead_inquiries(request: HttpRequest, lead_id: int) -> HttpResponse:
    """The lead page's "Portal inquiries" panel (loaded by htmx)."""
    inquiries = selectors.inquiries_for_lead(viewer=request.user, lead_id=lead_id)
    return TemplateResponse(request, "portal/inquiries/_lead_inquiries.html",
                            {"inquiries": inquiries[:20]})
