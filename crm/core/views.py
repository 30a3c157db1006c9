"""The CRM shell: home and workspace settings overview."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from crm.core.decorators import capability_required, staff_required
from tenants.users.models import UserKind
from tenants.users.permissions import Capability, can


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """The CRM's front page; a service agent's home is their queue (issue 10)."""
    if can(request.user, Capability.MANAGE_SERVICE) and not can(request.user,
                                                                Capability.MANAGE_SALES):
        return redirect("crm_service:home")
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
        .annotate(team_count=Count("teams", filter=Q(teams__archived_at__isnull=True),
                                   distinct=True))
        .order_by("-is_active", "first_name", "email")
    )
    summary = users.aggregate(active=Count("pk", filter=Q(is_active=True)))
    from crm.core.settings_sections import settings_sections_for

    return render(request, "crm/core/settings.html", {
        "users": users, "summary": summary,
        "sections": settings_sections_for(request.user, request.path),
    })


@require_GET
@staff_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The viewer's own in-app notifications, newest first (unread ones highlighted)."""
    from crm.core.models import Notification

    show = request.GET.get("show", "all")
    notifications = Notification.objects.filter(recipient=request.user).select_related("actor")
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    return render(request, "crm/core/notifications.html", {
        "notifications": notifications[:200], "show": show,
    })


@require_POST
@staff_required
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one (``id``) or all of the viewer's notifications read; others' ids do nothing."""
    from django.shortcuts import redirect
    from django.utils import timezone

    from crm.core.models import Notification

    mine = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    notification_id = request.POST.get("id", "")
    if notification_id:
        if not notification_id.isdigit():
            return redirect("crm:notifications")
        mine = mine.filter(pk=int(notification_id))
    mine.update(read_at=timezone.now())
    return redirect("crm:notifications")
