"""The member's asset and service-request pages that change something: register an asset,
raise a request (optionally for an asset chosen on its page), the request page with its SLA
due times, status timeline, public comments and files, and the reply / close / reopen / rate
forms; file downloads. Every record comes through portal.selectors within the current
account's scope (another account's record is a 404); the services decide."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.files import protected_file_response
from crm.service.models import AssetStatus
from crm.service.services import (
    asset_register_by_member,
    service_comment_add,
    service_request_close,
    service_request_create,
    service_request_rate,
    service_request_reopen,
)
from crm.service.services.requests import reopen_deadline
from portal import selectors
from portal.access import PortalContext, member_required
from portal.service_forms import (
    AssetRegisterForm,
    CloseForm,
    RateForm,
    ReopenForm,
    ReplyForm,
    ServiceRequestForm,
)

# At most this many choices in the asset and product pickers (the API takes any id the
# member may use).
PICKER_LIMIT = 1000


def _ctx(request: HttpRequest) -> PortalContext:
    return request.portal


def _base(request: HttpRequest, **extra: object) -> dict[str, object]:
    return {"portal": _ctx(request), "today": timezone.localdate(), **extra}


def _form_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _asset_label(asset: Any) -> str:
    what = asset.product.name if asset.product_id else f"{asset.make} {asset.model}".strip()
    return f"{what} · {asset.serial_number} ({asset.account.name})"


@require_http_methods(["GET", "POST"])
@member_required
def asset_register(request: HttpRequest) -> HttpResponse:
    """Register equipment by serial number; pending until staff verify it."""
    portal = _ctx(request)
    accounts = [(a.pk, a.name) for a in selectors.member_accounts(portal.scope)]
    products = [(p.pk, f"{p.name} ({p.sku})")
                for p in selectors.member_asset_products()[:PICKER_LIMIT]]
    form = AssetRegisterForm(request.POST or None, accounts=accounts, products=products,
                             initial={"account": portal.account.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = selectors.member_accounts(portal.scope).get(pk=data["account"])
        product = (selectors.member_asset_product_get(data["product"])
                   if data.get("product") else None)
        try:
            asset = asset_register_by_member(
                member=request.user, account=account, serial_number=data["serial_number"],
                product=product, make=data["make"], model=data["model"],
                customer_reference=data["customer_reference"], location=data["location"],
                installed_on=data["installed_on"], notes=data["notes"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Thank you: %(serial)s is registered and waits for "
                                        "our verification.") % {"serial": asset.serial_number})
            return redirect("portal:asset_detail", asset.pk)
    return render(request, "portal/asset_register.html", _base(request, form=form))


@require_http_methods(["GET", "POST"])
@member_required
def service_request_new(request: HttpRequest) -> HttpResponse:
    """Raise a request against one of the member's assets (``?asset=<id>`` preselects it,
    a foreign id is a 404) or none ("other")."""
    portal = _ctx(request)
    scope = portal.scope
    preselected = None
    if request.GET.get("asset"):
        preselected = selectors.member_asset_get(scope, request.GET["asset"])
    candidates = list(selectors.member_assets(scope).exclude(status=AssetStatus.RETIRED)
                      [:PICKER_LIMIT])
    if preselected is not None and preselected.pk not in {a.pk for a in candidates}:
        candidates.insert(0, preselected)
    form = ServiceRequestForm(request.POST or None, request.FILES or None,
                              assets=[(a.pk, _asset_label(a)) for a in candidates],
                              categories=selectors.member_request_categories(),
                              initial={"asset": preselected.pk if preselected else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        asset = selectors.member_asset_get(scope, data["asset"]) if data["asset"] else None
        account = asset.account if asset is not None else portal.account
        contact = portal.membership.contact if account.pk == portal.account.pk else None
        try:
            created = service_request_create(
                actor=request.user, account=account, contact=contact, asset=asset,
                subject=data["subject"], description=data["description"],
                severity=data["severity"], category=data["category"],
                uploads=data["files"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your request %(number)s was received.")
                             % {"number": created.number})
            return redirect("portal:service_request_detail", created.pk)
    return render(request, "portal/service_request_new.html", _base(
        request, form=form, preselected=preselected))


def _detail(request: HttpRequest, request_id: int, **forms: Form | None) -> HttpResponse:
    service_request = selectors.member_service_request_get(_ctx(request).scope, request_id)
    timeline = selectors.member_service_request_timeline(request.user, service_request)
    actions = selectors.member_request_actions(service_request)
    context = _base(
        request, service_request=service_request, actions=actions,
        timeline=timeline,
        files=[entry.item for entry in timeline if entry.kind == "file"],
        reopen_until=reopen_deadline(service_request),
        reply_form=forms.get("reply_form") or ReplyForm(),
        close_form=forms.get("close_form") or CloseForm(),
        reopen_form=forms.get("reopen_form") or ReopenForm(),
        rate_form=forms.get("rate_form") or RateForm(),
    )
    status = 400 if any(form is not None and form.errors for form in forms.values()) else 200
    return render(request, "portal/service_request_detail.html", context, status=status)


@require_GET
@member_required
def service_request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _detail(request, request_id)


def _act(request: HttpRequest, request_id: int, *, form: Form, form_name: str,
         run: Any, done: str) -> HttpResponse:
    """Validate ``form``, run the service on the member's request, and go back to the page
    (or show the page with the form's errors, 400)."""
    service_request = selectors.member_service_request_get(_ctx(request).scope, request_id)
    if form.is_valid():
        try:
            run(service_request, form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, done)
            return redirect("portal:service_request_detail", service_request.pk)
    return _detail(request, request_id, **{form_name: form})


@require_POST
@member_required
def service_request_reply(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, form=ReplyForm(request.POST, request.FILES),
                form_name="reply_form", done=_("Your reply was added."),
                run=lambda sr, data: service_comment_add(
                    request=sr, actor=request.user, body=data["body"], public=True,
                    uploads=data["files"]))


@require_POST
@member_required
def service_request_close_view(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, form=CloseForm(request.POST), form_name="close_form",
                done=_("The request is closed."),
                run=lambda sr, data: service_request_close(request=sr, actor=request.user,
                                                           note=data["note"]))


@require_POST
@member_required
def service_request_reopen_view(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, form=ReopenForm(request.POST), form_name="reopen_form",
                done=_("The request is open again."),
                run=lambda sr, data: service_request_reopen(request=sr, actor=request.user,
                                                            reason=data["reason"]))


@require_POST
@member_required
def service_request_rate_view(request: HttpRequest, request_id: int) -> HttpResponse:
    return _act(request, request_id, form=RateForm(request.POST), form_name="rate_form",
                done=_("Thank you for your rating."),
                run=lambda sr, data: service_request_rate(request=sr, actor=request.user,
                                                          score=data["score"],
                                                          remark=data["comment"]))


@require_GET
@member_required
def service_request_file(request: HttpRequest, request_id: int,
                         attachment_id: int) -> FileResponse:
    """One file of the member's request, as a download (nosniff, never inline)."""
    attachment = selectors.member_request_attachment_get(_ctx(request).scope, request_id,
                                                         attachment_id)
    return protected_file_response(attachment.file, filename=attachment.name)
