"""Campaign commands, and the trade-show quick entry (a stack of business cards -> leads)."""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.audit import audit_changes, audit_event, audit_snapshot
from crm.leads.models import Campaign, CampaignType, Lead, LeadSource
from crm.leads.services.leads import lead_create, require_sales
from tenants.users.models import User

CAMPAIGN_FIELDS = (
    "name", "type", "start_date", "end_date", "budget", "actual_cost", "description", "owner",
)


class CampaignChanges(TypedDict, total=False):
    """What ``campaign_update`` accepts (``CAMPAIGN_FIELDS``)."""

    name: str
    type: str
    start_date: date | None
    end_date: date | None
    budget: Decimal | int
    actual_cost: Decimal | int
    description: str
    owner: User | None


CARD_FIELDS = ("company", "first_name", "last_name", "title", "phone", "email", "message",
               "region")


def _clean_campaign(campaign: Campaign) -> None:
    campaign.name = (campaign.name or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        campaign.full_clean(exclude=["owner", "created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if campaign.start_date and campaign.end_date and campaign.end_date < campaign.start_date:
        errors.setdefault("end_date", []).append(_("The end date is before the start date."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    name: str,
    type: str = CampaignType.OTHER,
    start_date: date | None = None,
    end_date: date | None = None,
    budget: Decimal | int = 0,
    actual_cost: Decimal | int = 0,
    description: str = "",
    owner: User | None = None,
) -> Campaign:
    require_sales(actor)
    campaign = Campaign(
        name=name, type=type, start_date=start_date, end_date=end_date, budget=budget,
        actual_cost=actual_cost, description=description, owner=owner or actor, created_by=actor,
    )
    _clean_campaign(campaign)
    campaign.save()
    audit_event(instance=campaign, action="create", actor=actor)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: User,
                    **fields: Unpack[CampaignChanges]) -> Campaign:
    require_sales(actor)
    before = audit_snapshot(campaign, CAMPAIGN_FIELDS)
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise ValidationError({name: _("This field cannot be changed here.")})
        setattr(campaign, name, value)
    _clean_campaign(campaign)
    campaign.save()
    audit_changes(instance=campaign, before=before, actor=actor)
    return campaign


def _card_is_blank(card: Mapping[str, object]) -> bool:
    return not any(str(card.get(name) or "").strip() for name in CARD_FIELDS)


@transaction.atomic
def campaign_quick_entry(
    *,
    campaign: Campaign,
    actor: User,
    cards: Sequence[Mapping[str, object]],
    owner: User | None = None,
) -> list[Lead]:
    """Turn business cards into leads of ``campaign``, all or none.

    Blank cards are skipped; any invalid card rolls the whole batch back and raises one
    ValidationError naming each bad row (1-based) so the form can show them all at once.
    """
    if actor is None:
        raise PermissionDenied
    require_sales(actor)
    source = (
        LeadSource.TRADE_SHOW if campaign.type == CampaignType.TRADE_SHOW else LeadSource.CAMPAIGN
    )
    leads: list[Lead] = []
    errors: dict[str, list[str]] = {}
    for row, card in enumerate(cards, start=1):
        if _card_is_blank(card):
            continue
        fields = {name: str(card.get(name) or "") for name in CARD_FIELDS}
        try:
            with transaction.atomic():
                leads.append(lead_create(actor=actor, source=source, campaign=campaign,
                                         owner=owner, **fields))
        except ValidationError as exc:
            messages = [f"{field}: {'; '.join(msgs)}" for field, msgs in
                        exc.message_dict.items()] if hasattr(exc, "error_dict") else exc.messages
            errors[f"row_{row}"] = messages
    if errors:
        raise ValidationError(errors)
    if not leads:
        raise ValidationError({"cards": [_("Enter at least one business card.")]})
    audit_event(instance=campaign, action="quick_entry", actor=actor,
                data={"leads": [lead.pk for lead in leads]})
    return leads
