"""/crm/settings/webhooks/: the admins' webhook endpoints and their delivery logs."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.decorators import capability_required
from crm.core.events import EVENT_TYPES
from crm.core.forms import apply_service_errors
from crm.core.pagination import page_of
from crm.core.settings_sections import settings_sections_for
from crm.webhooks.forms import WebhookEndpointEditForm, WebhookEndpointForm
from crm.webhooks.models import WebhookEndpoint
from crm.webhooks.selectors import delivery_list, endpoint_get_for, endpoint_list
from crm.webhooks.services import (
    endpoint_create,
    endpoint_delete,
    endpoint_ping,
    endpoint_update,
)
from tenants.users.permissions import Capability

admin_required = capability_required(Capability.MANAGE_INTEGRATIONS)


def _list_page(request: HttpRequest, form: WebhookEndpointForm, *, secret: str = "",
               created: WebhookEndpoint | None = None) -> HttpResponse:
    return render(request, "crm/webhooks/endpoint_list.html", {
        "endpoints": endpoint_list(viewer=request.user), "form": form, "secret": secret,
        "created": created, "event_labels": EVENT_TYPES,
        "sections": settings_sections_for(request.user, request.path),
    })


@require_GET
@admin_required
def endpoint_list_view(request: HttpRequest) -> HttpResponse:
    return _list_page(request, WebhookEndpointForm())


@require_POST
@admin_required
def endpoint_create_view(request: HttpRequest) -> HttpResponse:
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            created = endpoint_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # The secret is shown in this one answer (never again, never in a redirect).
            return _list_page(request, WebhookEndpointForm(), secret=created.secret,
                              created=created.endpoint)
    return _list_page(request, form)


def _detail_page(request: HttpRequest, endpoint: WebhookEndpoint,
                 form: WebhookEndpointEditForm | None = None) -> HttpResponse:
    form = form or WebhookEndpointEditForm(initial={
        "url": endpoint.url, "description": endpoint.description,
        "events": endpoint.events, "is_active": endpoint.is_active,
    })
    return render(request, "crm/webhooks/endpoint_detail.html", {
        "endpoint": endpoint, "form": form, "event_labels": EVENT_TYPES,
        "page": page_of(delivery_list(endpoint=endpoint), request),
        "sections": settings_sections_for(request.user, request.path),
    })


@require_http_methods(["GET", "POST"])
@admin_required
def endpoint_detail_view(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoint_get_for(viewer=request.user, endpoint_id=endpoint_id)
    if request.method == "GET":
        return _detail_page(request, endpoint)
    form = WebhookEndpointEditForm(request.POST)
    if form.is_valid():
        try:
            endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("crm_webhooks:endpoint_detail", endpoint.pk)
    return _detail_page(request, endpoint, form)


@require_POST
@admin_required
def endpoint_test_view(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoint_get_for(viewer=request.user, endpoint_id=endpoint_id)
    endpoint_ping(endpoint=endpoint, actor=request.user)
    messages.success(request, _("A ping event is on its way; reload to see its delivery."))
    return redirect("crm_webhooks:endpoint_detail", endpoint.pk)


@require_POST
@admin_required
def endpoint_delete_view(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoint_get_for(viewer=request.user, endpoint_id=endpoint_id)
    endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Webhook deleted."))
    return redirect("crm_webhooks:endpoint_list")
