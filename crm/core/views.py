"""The CRM shell: home and workspace settings overview."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crm.core.decorators import capability_required, staff_required
from tenants.users.models import UserKind
from tenants.users.permissions import Capability


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/core/home.html", {"widgets": home_widgets(request)})


def home_widgets(request: HttpRequest) -> list[dict[str, object]]:
    """Widgets other apps contribute to the home page (registered in crm.core.home)."""
    from crm.core.home import widgets_for

    return widgets_for(request)


@require_GET
@capability_required(Capability.MANAGE_SETTINGS)
def settings_overview(request: HttpRequest) -> HttpResponse:
    users = (
        get_user_model()
        .objects.filter(kind=UserKind.STAFF)
        .annotate(team_count=Count("teams", distinct=True))
        .order_by("-is_active", "first_name", "email")
    )
    summary = users.aggregate(active=Count("pk", filter=Q(is_active=True)))
    return render(request, "crm/core/settings.html", {"users": users, "summary": summary})
