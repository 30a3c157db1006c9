"""The member area at /portal/: dashboard with the account switcher, read-only lists and
detail pages of assets, the list of service requests (quotes: portal.views.quotes; the
pages that change assets and requests: portal.views.service), the profile, notification
preferences, and the colleagues page of customer admins. Every record comes through
portal.selectors within the current account's scope."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm.core.pagination import page_of
from portal import forms, selectors
from portal.access import SESSION_ACCOUNT_KEY, PortalContext, member_required
from portal.selectors import member_accounts
from portal.services import memberships, profile

RECENT = 5


def _ctx(request: HttpRequest) -> PortalContext:
    return request.portal


def _base(request: HttpRequest, **extra: object) -> dict[str, object]:
    portal = _ctx(request)
    return {"portal": portal, "today": timezone.localdate(), **extra}


@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _ctx(request).scope
    quotes = selectors.member_quotes(scope)
    assets = selectors.member_assets(scope)
    requests = selectors.member_service_requests(scope)
    return render(request, "portal/dashboard.html", _base(
        request,
        counts={"quotes": quotes.count(), "assets": assets.count(),
                "service_requests": requests.count()},
        recent_quotes=list(quotes[:RECENT]), recent_requests=list(requests[:RECENT]),
        accounts=list(member_accounts(scope)),
    ))


@require_POST
@member_required
def account_switch(request: HttpRequest) -> HttpResponse:
    """Make another of the member's accounts current (a foreign id is a 404)."""
    membership = selectors.member_membership_get(request.user,
                                                 request.POST.get("account"))
    request.session[SESSION_ACCOUNT_KEY] = membership.account_id
    messages.success(request, _("You are now working for %(account)s.")
                     % {"account": membership.account.name})
    return redirect("portal:dashboard")


@member_required
def asset_list(request: HttpRequest) -> HttpResponse:
    pager = page_of(selectors.member_assets(_ctx(request).scope), request)
    return render(request, "portal/asset_list.html", _base(request, pager=pager))


@member_required
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    scope = _ctx(request).scope
    asset = selectors.member_asset_get(scope, asset_id)
    history = list(selectors.member_asset_service_requests(scope, asset)[:50])
    return render(request, "portal/asset_detail.html", _base(
        request, asset=asset, history=history))


@member_required
def service_request_list(request: HttpRequest) -> HttpResponse:
    pager = page_of(selectors.member_service_requests(_ctx(request).scope), request)
    return render(request, "portal/service_request_list.html", _base(request, pager=pager))


@require_http_methods(["GET", "POST"])
@member_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    member = request.user
    form = forms.ProfileForm(request.POST or None, initial={
        "first_name": member.first_name, "last_name": member.last_name,
        "phone": member.phone, "language": member.language})
    if request.method == "POST" and form.is_valid():
        try:
            updated = profile.member_profile_update(member=member,
                                                    **form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            if updated.language:
                translation.activate(updated.language)
            messages.success(request, _("Your profile was saved."))
            response = redirect("portal:profile")
            if updated.language:
                from django.conf import settings

                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, updated.language,
                                    samesite="Lax")
            return response
    return render(request, "portal/profile.html", _base(request, form=form))


@require_http_methods(["GET", "POST"])
@member_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    member = request.user
    current = selectors.member_notification_preferences(member)
    form = forms.NotificationPreferencesForm(request.POST or None, initial_choices=current)
    if request.method == "POST" and form.is_valid():
        profile.member_notification_preferences_set(member=member,
                                                    email=form.cleaned_data)
        messages.success(request, _("Your e-mail preferences were saved."))
        return redirect("portal:notifications")
    return render(request, "portal/notifications.html", _base(request, form=form))


def _invite_form(request: HttpRequest) -> forms.ColleagueInviteForm:
    # A customer admin's current scope: the account and, where allowed, its branches.
    accounts = [(a.pk, a.name) for a in member_accounts(_ctx(request).scope)]
    return forms.ColleagueInviteForm(request.POST or None, accounts=accounts,
                                     initial={"account": _ctx(request).account.pk})


@require_http_methods(["GET", "POST"])
@member_required
def team(request: HttpRequest) -> HttpResponse:
    """Customer admins: the members of the accounts they administer, and inviting one."""
    portal = _ctx(request)
    if not portal.is_customer_admin:
        raise PermissionDenied
    form = _invite_form(request)
    if request.method == "POST" and form.is_valid():
        account = member_accounts(portal.scope).get(pk=form.cleaned_data["account"])
        try:
            result = memberships.member_invite_colleague(
                actor=request.user, account=account,
                email=form.cleaned_data["email"], first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"], role=form.cleaned_data["role"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error.messages)
        else:
            if result.invitation is None:
                messages.success(request, _("%(email)s can now see %(account)s.")
                                 % {"email": form.cleaned_data["email"],
                                    "account": account.name})
            else:
                messages.success(request, _("An invitation was sent to %(email)s.")
                                 % {"email": form.cleaned_data["email"]})
            return redirect("portal:team")
    colleagues = list(selectors.member_colleagues(portal.scope))
    return render(request, "portal/team.html", _base(request, form=form,
                                                     colleagues=colleagues))


@require_POST
@member_required
def colleague_withdraw(request: HttpRequest, membership_id: int) -> HttpResponse:
    """A customer admin withdraws a colleague's access to one of their accounts."""
    membership = selectors.member_colleague_get(_ctx(request).scope, membership_id)
    try:
        memberships.membership_deactivate(membership=membership, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(email)s no longer sees %(account)s.")
                         % {"email": membership.user.email, "account": membership.account.name})
    return redirect("portal:team")
