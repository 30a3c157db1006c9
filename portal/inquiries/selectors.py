"""Reads of inquiries (staff side)."""

from django.db.models import QuerySet

from crm.leads.selectors import lead_get_for
from portal.inquiries.models import Inquiry
from tenants.users.models import User


def inquiries_for_lead(*, viewer: User, lead_id: int | str) -> QuerySet[Inquiry]:
    """The inquiries behind a lead, for a viewer who may see that lead (Http404 otherwise,
    through the leads' own accessor)."""
    lead = lead_get_for(viewer=viewer, lead_id=lead_id)
    return (Inquiry.objects.filter(lead=lead).select_related("member")
            .order_by("-created_at", "-id"))
