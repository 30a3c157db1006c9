"""Staff pages of the portal in the CRM: invite a contact (a button on the contact page),
self-registrations waiting for approval (/crm/portal/registrations/), portal settings
(/crm/settings/portal/)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.accounts.selectors import account_get_for, contact_get_for
from crm.core.decorators import capability_required
from crm.core.pagination import page_of
from portal import forms
from portal.models import RegistrationStatus
from portal.services import memberships, registrations
from portal.services.settings import portal_settings_update
from portal.settings_selectors import portal_settings
from portal.staff_selectors import (
    registration_get_for,
    registration_list,
    registration_suggestions,
)
from tenants.users.permissions import Capability

invite_required = capability_required(Capability.INVITE_PORTAL_MEMBERS)


def _errors_to_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_POST
@invite_required
def contact_invite(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_get_for(viewer=request.user, contact_id=pk)
    form = forms.StaffInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose customer admin or member."))
        return redirect("crm_accounts:contact_detail", pk=contact.pk)
    try:
        result = memberships.member_invite(contact=contact, role=form.cleaned_data["role"],
                                           actor=request.user)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        if result.invitation is None:
            messages.success(request, _("%(email)s already had a portal account and can now "
                                        "see %(account)s.")
                             % {"email": contact.email, "account": contact.account.name})
        else:
            messages.success(request, _("A portal invitation was sent to %(email)s.")
                             % {"email": contact.email})
    return redirect("crm_accounts:contact_detail", pk=contact.pk)


@invite_required
def registration_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", RegistrationStatus.PENDING)
    if status not in RegistrationStatus.values:
        status = RegistrationStatus.PENDING
    pager = page_of(registration_list(viewer=request.user, status=status),
                   request)
    rows = [{"registration": r,
             "suggestions": registration_suggestions(viewer=request.user,
                                                     registration=r)
             if r.status == RegistrationStatus.PENDING else None}
            for r in pager["rows"]]
    return render(request, "portal/staff/registration_list.html", {
        "pager": pager, "rows": rows, "status": status,
        "statuses": RegistrationStatus.choices})


@require_http_methods(["GET", "POST"])
@invite_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_get_for(viewer=request.user,
                                        registration_id=pk)
    suggestions = registration_suggestions(viewer=request.user,
                                           registration=registration)
    approve_form = forms.RegistrationApproveForm(request.POST or None)
    if request.method == "POST" and approve_form.is_valid():
        data = approve_form.cleaned_data
        try:
            contact = (contact_get_for(viewer=request.user,
                                       contact_id=data["contact"]) if data["contact"] else None)
            account = (account_get_for(viewer=request.user,
                                       account_id=data["account"]) if data["account"] else None)
        except Http404:
            approve_form.add_error(None, _("No such contact or account among those you see."))
        else:
            try:
                membership = registrations.registration_approve(
                    registration=registration, actor=request.user,
                    contact=contact, account=account, role=data["role"])
            except ValidationError as error:
                approve_form.add_error(None, error.messages)
            else:
                messages.success(request, _("%(email)s can now sign in to the portal for "
                                            "%(account)s.")
                                 % {"email": registration.email,
                                    "account": membership.account.name})
                return redirect("portal_staff:registration_list")
    return render(request, "portal/staff/registration_detail.html", {
        "registration": registration, "suggestions": suggestions,
        "approve_form": approve_form, "reject_form": forms.RegistrationRejectForm(),
        "is_pending": registration.status == RegistrationStatus.PENDING})


@require_POST
@invite_required
def registration_reject(request: HttpRequest, pk: int) -> HttpResponse:
    registration = registration_get_for(viewer=request.user,
                                        registration_id=pk)
    form = forms.RegistrationRejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        registrations.registration_reject(registration=registration,
                                          actor=request.user, reason=reason)
    except ValidationError as error:
        _errors_to_messages(request, error)
        return redirect("portal_staff:registration_detail", pk=registration.pk)
    messages.success(request, _("The registration of %(email)s was rejected.")
                     % {"email": registration.email})
    return redirect("portal_staff:registration_list")


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def settings_edit(request: HttpRequest) -> HttpResponse:
    from crm.core.settings_sections import settings_sections_for

    current = portal_settings()
    form = forms.PortalSettingsForm(request.POST or None, initial={
        "self_registration": current.self_registration,
        "admins_see_branches": current.admins_see_branches,
        "list_prices_public": current.list_prices_public})
    if request.method == "POST" and form.is_valid():
        portal_settings_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Portal settings saved."))
        return redirect("portal_settings:edit")
    return render(request, "portal/staff/settings.html", {
        "form": form, "sections": settings_sections_for(request.user,
                                                        request.path)})
