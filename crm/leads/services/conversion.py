"""Lead conversion: account (an existing one, or a new one after the duplicate check),
contact and optionally an opportunity, all in one transaction; the lead keeps the links."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.core.regions import region_or_blank
from crm.core.visibility import manages_user
from crm.leads.models import Lead, LeadStatus
from crm.leads.services.assignment import can_own_leads
from crm.leads.services.leads import require_sales
from tenants.users.models import User

if TYPE_CHECKING:
    from crm.accounts.duplicates import DuplicateCandidate
    from crm.accounts.models import Account, Contact
    from crm.sales.models import Opportunity, Pipeline

# A candidate this close (same normalised name, an alias, the same phone) is the same
# company: a new account is not created next to it unless the caller confirms.
STRONG_DUPLICATE_SCORE = 0.9
DEFAULT_CLOSE_IN_DAYS = 90


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    account: "Account"
    contact: "Contact | None"
    opportunity: "Opportunity | None"
    account_created: bool


class DuplicateAccountError(ValidationError):
    """A new account was asked for, but the company already exists (``candidates``)."""

    def __init__(self, candidates: "list[DuplicateCandidate]") -> None:
        names = ", ".join(candidate.name for candidate in candidates[:3])
        super().__init__(
            _("An account for this company seems to exist already (%(names)s). Choose it, "
              "or confirm that a new account should be created.") % {"names": names},
            code="duplicate_account",
        )
        self.candidates = candidates


def strong_duplicates(*, lead: Lead, viewer: User) -> "list[DuplicateCandidate]":
    """Existing accounts that are very likely the lead's company."""
    return [c for c in conversion_candidates(lead=lead, viewer=viewer)
            if c.score >= STRONG_DUPLICATE_SCORE]


def conversion_candidates(*, lead: Lead, viewer: User) -> "list[DuplicateCandidate]":
    """Likely existing accounts for the lead's company (by name, phone and e-mail domain)."""
    from crm.accounts.selectors import duplicate_candidates

    name = lead.company or lead.person_name
    return duplicate_candidates(viewer=viewer, name=name, phone=lead.phone, email=lead.email)


def _contact_for(*, lead: Lead, account: "Account", actor: User) -> "Contact | None":
    """The lead's person as a contact of ``account`` (an existing contact with the same
    e-mail address is reused rather than doubled)."""
    from crm.accounts.models import Contact
    from crm.accounts.services import contact_create

    if lead.email:
        existing = Contact.objects.filter(account=account, email__iexact=lead.email).first()
        if existing is not None:
            return existing
    last_name = lead.last_name or lead.first_name
    first_name = lead.first_name if lead.last_name else ""
    if not last_name and lead.email:
        last_name = lead.email.split("@", 1)[0]
    if not last_name:
        return None
    return contact_create(
        actor=actor, account=account, first_name=first_name, last_name=last_name,
        title=lead.title, phone=lead.phone, email=lead.email,
    )


@transaction.atomic
def lead_convert(
    *,
    lead: Lead,
    actor: User,
    account: "Account | None" = None,
    create_opportunity: bool = True,
    pipeline: "Pipeline | None" = None,
    confirm_new_account: bool = False,
    opportunity_name: str = "",
    amount: Decimal | int = 0,
    close_date: date | None = None,
) -> Conversion:
    """Convert ``lead`` into an account, a contact and (optionally) an opportunity.

    ``account`` is an existing account the actor may see; without it a new account is
    created, unless a strong duplicate exists and ``confirm_new_account`` is not set
    (DuplicateAccountError). Everything happens or nothing does; a lead converts once.
    """
    from crm.accounts.selectors import account_is_visible
    from crm.accounts.services import account_create
    from crm.sales.services import opportunity_create

    require_sales(actor)
    locked = Lead.objects.select_for_update().filter(pk=lead.pk).first()
    if locked is None:
        raise ValidationError(_("This lead no longer exists."))
    if locked.status == LeadStatus.CONVERTED:
        raise ValidationError(
            {"lead": [_("This lead was converted already; it cannot be converted again.")]},
            code="already_converted",
        )
    if locked.status == LeadStatus.DISQUALIFIED:
        raise ValidationError(
            {"lead": [_("A disqualified lead cannot be converted; reopen it first.")]},
            code="disqualified",
        )
    # The records go to the lead's owner when the converter may name them (their own lead,
    # or a manager converting a lead of their team); otherwise the converter takes them.
    owner = (locked.owner if can_own_leads(locked.owner)
             and (actor is None or manages_user(actor, locked.owner))
             else actor)

    account_created = False
    if account is not None:
        if not account_is_visible(viewer=actor, account=account):
            raise ValidationError({"account": [_("No account with this id.")]})
    else:
        duplicates = strong_duplicates(lead=locked, viewer=actor)
        if duplicates and not confirm_new_account:
            raise DuplicateAccountError(duplicates)
        account = account_create(
            actor=actor, name=locked.company or locked.person_name or locked.email,
            phone=locked.phone, region=region_or_blank(locked.region), owner=owner,
        )
        account_created = True

    contact = _contact_for(lead=locked, account=account, actor=actor)

    opportunity = None
    if create_opportunity:
        opportunity = opportunity_create(
            account=account,
            name=opportunity_name or _("%(company)s: new business") % {"company": account.name},
            amount=amount, currency=None,
            close_date=close_date or timezone.localdate() + timedelta(days=DEFAULT_CLOSE_IN_DAYS),
            pipeline=pipeline, owner=owner, actor=actor, contact=contact,
        )

    now = timezone.now()
    locked.status = LeadStatus.CONVERTED
    locked.owner = owner
    locked.converted_account = account
    locked.converted_contact = contact
    locked.converted_opportunity = opportunity
    locked.converted_at = now
    locked.converted_by = actor
    locked.save(update_fields=[
        "status", "owner", "converted_account", "converted_contact", "converted_opportunity",
        "converted_at", "converted_by", "updated_at",
    ])
    audit_event(
        instance=locked, action="convert", actor=actor,
        data={"account": account.pk, "account_created": account_created,
              "contact": contact.pk if contact else None,
              "opportunity": opportunity.pk if opportunity else None},
        changes={"status": [lead.status, LeadStatus.CONVERTED]},
    )
    # The caller's instance reflects the conversion too.
    for name in ("status", "owner", "converted_account", "converted_contact",
                 "converted_opportunity", "converted_at", "converted_by"):
        setattr(lead, name, getattr(locked, name))
    return Conversion(lead=locked, account=account, contact=contact, opportunity=opportunity,
                      account_created=account_created)
