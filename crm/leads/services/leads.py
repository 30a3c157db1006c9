"""Lead commands: create (scored, routed by the rules, audited), update, disqualify,
assign and record activity."""

from datetime import datetime
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_changes, audit_event, audit_snapshot
from crm.core.events import emit
from crm.core.notifications import notify
from crm.core.ownership import check_new_owner
from crm.core.regions import region_clean
from crm.leads.models import EDITABLE_STATUSES, Campaign, Lead, LeadSource, LeadStatus
from crm.leads.services.assignment import can_own_leads, owner_by_rules
from crm.leads.services.scoring import compute_score
from tenants.users.models import User
from tenants.users.permissions import Capability, can

# What a person may change on a lead (status only among the open statuses).
LEAD_EDITABLE_FIELDS = (
    "company", "first_name", "last_name", "title", "phone", "email", "message", "region",
    "source", "status", "campaign",
)
AUDITED_FIELDS = (*LEAD_EDITABLE_FIELDS, "owner", "score", "disqualified_reason")



class LeadChanges(TypedDict, total=False):
    """What ``lead_update`` accepts (``LEAD_EDITABLE_FIELDS``)."""

    company: str
    first_name: str
    last_name: str
    title: str
    phone: str
    email: str
    message: str
    region: str
    source: str
    status: str
    campaign: Campaign | None


_TEXT_FIELDS = ("company", "first_name", "last_name", "title", "phone", "email", "message",
                "region")


def require_sales(actor: User | None) -> None:
    """Lead work needs the sales capability (service agents and read-only users have none)."""
    if actor is not None and not (
        can(actor, Capability.MANAGE_SALES) and can(actor, Capability.EDIT_RECORDS)
    ):
        raise PermissionDenied(_("You may not change leads."))


def _clean_lead(lead: Lead, *, validate_constraints: bool = True) -> None:
    for name in _TEXT_FIELDS:
        setattr(lead, name, str(getattr(lead, name) or "").strip())
    lead.email = lead.email.lower()
    errors: dict[str, list[str]] = {}
    try:
        lead.full_clean(exclude=["owner", "campaign", "converted_account", "converted_contact",
                                 "converted_by", "created_by"],
                        validate_constraints=validate_constraints)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (lead.company or lead.last_name or lead.first_name or lead.email):
        errors.setdefault("company", []).append(
            _("Enter at least a company, a name or an e-mail address.")
        )
    if errors:
        raise ValidationError(errors)


def _lead_url(lead: Lead) -> str:
    return reverse("leads:lead_detail", args=[lead.pk])


def _notify_owner(lead: Lead, actor: User | None) -> None:
    if lead.owner is not None:
        notify(
            recipients=[lead.owner], actor=actor, verb="lead_assigned",
            message=_("Lead assigned to you: %(lead)s") % {"lead": lead}, target=lead,
            url=_lead_url(lead),
        )


@transaction.atomic
def lead_create(
    *,
    actor: User | None,
    company: str = "",
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    phone: str = "",
    email: str = "",
    message: str = "",
    region: str = "",
    source: str = LeadSource.MANUAL,
    campaign: Campaign | None = None,
    owner: User | None = None,
    status: str = LeadStatus.NEW,
) -> Lead:
    """Create a lead, score it and route it by the tenant's assignment rules (an explicit
    ``owner`` wins). ``actor`` is None for leads the portal or an import job creates."""
    require_sales(actor)
    if status not in EDITABLE_STATUSES:
        raise ValidationError({"status": _("A new lead cannot start as %(status)s.")
                               % {"status": status}})
    if owner is not None and not can_own_leads(owner):
        raise ValidationError({"owner": _("This user cannot own leads.")})
    # The assignment rules may route to anyone; a person names only whom they manage.
    check_new_owner(actor=actor, owner=owner)
    lead = Lead(
        company=company, first_name=first_name, last_name=last_name, title=title, phone=phone,
        email=email, message=message, region=region_clean(region), source=source, campaign=campaign,
        status=status, created_by=actor,
    )
    # Django checks each CheckConstraint with a query in a savepoint (six statements); both
    # of Lead's concern disqualified and converted leads, and a new lead's status is an
    # editable one (checked above), so they hold by construction (PostgreSQL enforces them
    # on the INSERT all the same).
    _clean_lead(lead, validate_constraints=False)
    lead.score = compute_score(lead)
    lead.owner = owner if owner is not None else owner_by_rules(lead)
    lead.save()
    audit_event(instance=lead, action="create", actor=actor,
                data={"source": lead.source, "owner": lead.owner_id, "score": lead.score})
    _notify_owner(lead, actor)
    emit("lead.created", data={"lead": lead_event_data(lead)})
    return lead


def lead_event_data(lead: Lead) -> dict[str, object]:
    """The stable JSON of a lead in domain events (webhook bodies)."""
    return {
        "id": lead.pk, "company": lead.company, "first_name": lead.first_name,
        "last_name": lead.last_name, "title": lead.title, "email": lead.email,
        "phone": lead.phone, "region": lead.region, "source": lead.source,
        "status": lead.status, "score": lead.score, "owner": lead.owner_id,
        "campaign": lead.campaign_id,
        "created_at": lead.created_at.isoformat() if lead.created_at else None,
    }


def _require_open(lead: Lead) -> None:
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("This lead was converted already and can no longer change."))


@transaction.atomic
def lead_update(*, lead: Lead, actor: User, **fields: Unpack[LeadChanges]) -> Lead:
    """Change a lead's details or open status; the score follows."""
    require_sales(actor)
    _require_open(lead)
    before = audit_snapshot(lead, AUDITED_FIELDS)
    for name, value in fields.items():
        if name not in LEAD_EDITABLE_FIELDS:
            raise ValidationError({name: _("This field cannot be changed here.")})
        if name == "region":
            value = region_clean(str(value or ""), current=lead.region)
        setattr(lead, name, value)
    if "status" in fields and lead.status not in EDITABLE_STATUSES:
        raise ValidationError({"status": _(
            "Disqualify a lead with a reason, and convert it with the conversion; "
            "neither is a plain status change."
        )})
    if lead.status != LeadStatus.DISQUALIFIED:
        lead.disqualified_reason = ""
    _clean_lead(lead)
    lead.score = compute_score(lead)
    lead.save()
    audit_changes(instance=lead, before=before, actor=actor)
    return lead


@transaction.atomic
def lead_disqualify(*, lead: Lead, actor: User, reason: str) -> Lead:
    require_sales(actor)
    _require_open(lead)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the lead is disqualified.")})
    before = audit_snapshot(lead, AUDITED_FIELDS)
    lead.status = LeadStatus.DISQUALIFIED
    lead.disqualified_reason = reason[:300]
    lead.save(update_fields=["status", "disqualified_reason", "updated_at"])
    audit_changes(instance=lead, before=before, actor=actor)
    return lead


@transaction.atomic
def lead_assign(*, lead: Lead, actor: User, owner: User | None) -> Lead:
    """Give ``lead`` to ``owner`` (None: back to the unassigned queue).

    Anyone in sales may take a lead from the queue or return their own; assigning to
    someone else, or taking someone else's, needs ASSIGN_RECORDS.
    """
    require_sales(actor)
    _require_open(lead)
    taking_from_queue = lead.owner_id is None and owner is not None and owner.pk == actor.pk
    returning_own = owner is None and lead.owner_id == actor.pk
    if not (taking_from_queue or returning_own or can(actor, Capability.ASSIGN_RECORDS)):
        raise PermissionDenied(_("Only a manager may assign leads to other people."))
    if owner is not None and not can_own_leads(owner):
        raise ValidationError({"owner": _("This user cannot own leads.")})
    if (owner.pk if owner else None) == lead.owner_id:
        return lead
    before = audit_snapshot(lead, AUDITED_FIELDS)
    lead.owner = owner
    lead.save(update_fields=["owner", "updated_at"])
    audit_changes(instance=lead, before=before, actor=actor, action="assign")
    _notify_owner(lead, actor)
    return lead


@transaction.atomic
def lead_record_activity(*, lead_id: int, at: datetime | None = None) -> None:
    """Note an activity on the lead (called by crm.activities); recent activity scores."""
    lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
    if lead is None:
        return
    at = at or timezone.now()
    if lead.last_activity_at is None or at > lead.last_activity_at:
        lead.last_activity_at = at
        lead.score = compute_score(lead)
        lead.save(update_fields=["last_activity_at", "score", "updated_at"])
