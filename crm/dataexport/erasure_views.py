"""Confirmation pages that erase a contact's or a lead's personal data (admins only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm.accounts.selectors import contact_get_for
from crm.core.decorators import capability_required
from crm.core.forms import apply_service_errors
from crm.dataexport.erasure import person_erase
from crm.dataexport.forms import ErasureForm
from crm.leads.selectors import lead_get_for
from tenants.users.permissions import Capability


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def contact_erase(request: HttpRequest, pk: str) -> HttpResponse:
    contact = contact_get_for(viewer=request.user, contact_id=pk)
    return _erase(request, kind="contact", record=contact,
                  back_url=f"/crm/contacts/{contact.pk}/")


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def lead_erase(request: HttpRequest, pk: str) -> HttpResponse:
    lead = lead_get_for(viewer=request.user, lead_id=pk)
    return _erase(request, kind="lead", record=lead, back_url=f"/crm/leads/{lead.pk}/")


def _erase(request: HttpRequest, *, kind: str, record: models.Model, back_url: str
           ) -> HttpResponse:
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_erase(actor=request.user, reason=form.cleaned_data["reason"],
                         **{kind: record})
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The person's personal data has been erased."))
            return redirect(back_url)
    return render(request, "crm/dataexport/erase_confirm.html", {
        "form": form, "record": record, "kind": kind, "back_url": back_url,
    }, status=400 if request.method == "POST" else 200)
