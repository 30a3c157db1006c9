"""Settings pages of crm.core: teams (/crm/settings/teams/), regions and territories
(/crm/settings/regions/) and the sales settings overview (/crm/settings/sales/).

Admins (MANAGE_SETTINGS) change teams and regions; managers (SEE_TEAM_RECORDS) open the
teams they manage read-only; everyone else gets 403. Rules live in crm.core.teams and
crm.core.regions.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core import regions as region_services
from crm.core import teams as team_services
from crm.core.decorators import capability_required, staff_required
from crm.core.forms import apply_service_errors
from crm.core.sales_settings import sales_settings_cards
from crm.core.settings_forms import RegionForm, TeamForm
from crm.core.team_selectors import team_get_for, team_list
from tenants.users.models import User
from tenants.users.permissions import Capability, can


def _require_team_reader(user: User) -> None:
    if not (can(user, Capability.MANAGE_SETTINGS) or can(user, Capability.SEE_TEAM_RECORDS)):
        raise PermissionDenied


def _context(request: HttpRequest, **values: object) -> dict[str, object]:
    return values


# --- teams ----------------------------------------------------------------------------

@require_GET
@staff_required
def team_list_view(request: HttpRequest) -> HttpResponse:
    _require_team_reader(request.user)
    return render(request, "crm/core/team_list.html", _context(
        request, teams=team_list(viewer=request.user),
        can_manage=can(request.user, Capability.MANAGE_SETTINGS)))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def team_create_view(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = team_services.team_create(
                actor=request.user, name=data["name"], region=data["region"],
                managers=list(data["managers"]), members=list(data["members"]))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect("crm:team_list")
    return render(request, "crm/core/team_form.html", _context(request, form=form, team=None,
                                                                 can_manage=True))


@require_http_methods(["GET", "POST"])
@staff_required
def team_edit_view(request: HttpRequest, team_id: int) -> HttpResponse:
    """Admins edit; managers see their team read-only (a POST from them is refused)."""
    _require_team_reader(request.user)
    team = team_get_for(viewer=request.user, team_id=team_id)
    can_manage = can(request.user, Capability.MANAGE_SETTINGS)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = TeamForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team_services.team_update(
                team=team, actor=request.user, name=data["name"], region=data["region"],
                managers=list(data["managers"]), members=list(data["members"]))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Team saved."))
            return redirect("crm:team_list")
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "crm/core/team_form.html",
                  _context(request, form=form, team=team, can_manage=can_manage))


def _team_state_change(request: HttpRequest, team_id: int, *, archive: bool) -> HttpResponse:
    team = team_get_for(viewer=request.user, team_id=team_id)
    change = team_services.team_archive if archive else team_services.team_restore
    try:
        change(team=team, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Team archived.") if archive else _("Team restored."))
    return redirect("crm:team_list")


@require_POST
@capability_required(Capability.MANAGE_SETTINGS)
def team_archive_view(request: HttpRequest, team_id: int) -> HttpResponse:
    return _team_state_change(request, team_id, archive=True)


@require_POST
@capability_required(Capability.MANAGE_SETTINGS)
def team_restore_view(request: HttpRequest, team_id: int) -> HttpResponse:
    return _team_state_change(request, team_id, archive=False)


# --- regions --------------------------------------------------------------------------

@require_GET
@capability_required(Capability.MANAGE_SETTINGS)
def region_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/core/region_list.html", _context(
        request, regions=region_services.region_list()))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def region_edit_view(request: HttpRequest, region_id: int | None = None) -> HttpResponse:
    region = region_services.region_get(region_id=region_id) if region_id else None
    form = RegionForm(request.POST or None, region=region)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if region is None:
                region_services.region_create(actor=request.user, name=data["name"],
                                              parent=data["parent"], active=data["active"])
            else:
                region_services.region_update(region=region, actor=request.user,
                                              name=data["name"], parent=data["parent"],
                                              active=data["active"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Region saved."))
            return redirect("crm:region_list")
    return render(request, "crm/core/region_form.html",
                  _context(request, form=form, region=region))


# --- sales settings -------------------------------------------------------------------

@require_GET
@capability_required(Capability.MANAGE_SETTINGS)
def sales_settings_view(request: HttpRequest) -> HttpResponse:
    cards = [{"card": card, "figures": card.figures()} for card in sales_settings_cards()]
    return render(request, "crm/core/sales_settings.html", _context(request, cards=cards))
