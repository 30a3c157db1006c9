"""Portal reads for staff pages in the CRM: self-registrations waiting for a decision and
what to suggest linking them to, and a contact's portal access. Staff visibility of
accounts and contacts comes from crm.accounts.selectors (the suggestions never show an
account the viewer cannot see)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from crm.accounts.models import Account, Contact
from crm.accounts.selectors import account_visible_queryset, contact_visible_queryset
from portal.models import (
    PortalInvitation,
    PortalMembership,
    PortalRegistration,
    RegistrationStatus,
)
from tenants.users.models import User
from tenants.users.permissions import Capability, can

# Addresses at these domains say nothing about the company.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net",
    "web.de", "qq.com", "163.com", "126.com", "sina.com", "sohu.com", "yeah.net",
    "foxmail.com", "aliyun.com", "139.com",
})
SUGGESTION_LIMIT = 10


def _approver(viewer: User) -> bool:
    return can(viewer, Capability.INVITE_PORTAL_MEMBERS)


def registration_list(*, viewer: User, status: str = RegistrationStatus.PENDING
                      ) -> QuerySet[PortalRegistration]:
    """Registrations in ``status`` (waiting for approval by default), oldest first; none
    for staff without the capability."""
    if not _approver(viewer):
        return PortalRegistration.objects.none()
    order = "created_at" if status == RegistrationStatus.PENDING else "-decided_at"
    return (PortalRegistration.objects.filter(status=status).select_related("decided_by")
            .order_by(order, "pk"))


def registration_get_for(*, viewer: User, registration_id: int | str) -> PortalRegistration:
    """One registration for an approver; Http404 for missing, garbage and non-approvers."""
    try:
        pk = int(registration_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not _approver(viewer):
        raise Http404
    registration = PortalRegistration.objects.filter(pk=pk).first()
    if registration is None:
        raise Http404
    return registration


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


@dataclass(frozen=True)
class Suggestions:
    contacts: list[Contact]  # same e-mail address, or at an account of the e-mail's domain
    accounts: list[Account]  # accounts of the e-mail's domain (to create the contact at)


def registration_suggestions(*, viewer: User, registration: PortalRegistration
                             ) -> Suggestions:
    """What the registration might belong to, among what the viewer can see: contacts with
    the same e-mail first, then contacts and accounts of the e-mail's domain (not for
    free-mail domains). Suggestions only: linking is the approver's choice."""
    email = registration.email.lower()
    domain = email_domain(email)
    contacts_qs = contact_visible_queryset(viewer=viewer).select_related("account")
    contacts = list(contacts_qs.filter(email__iexact=email).order_by("pk")[:SUGGESTION_LIMIT])
    accounts: list[Account] = []
    if domain and domain not in FREE_MAIL_DOMAINS:
        seen = {c.pk for c in contacts}
        contacts += list(contacts_qs.filter(email__iendswith=f"@{domain}")
                         .exclude(pk__in=seen).order_by("account__name", "last_name", "pk")
                         [:SUGGESTION_LIMIT])
        accounts = list(account_visible_queryset(viewer=viewer).filter(domain=domain)
                        .order_by("name", "pk")[:SUGGESTION_LIMIT])
        known = {a.pk for a in accounts}
        for contact in contacts:  # the accounts of the matching contacts, once each
            if contact.account_id not in known:
                known.add(contact.account_id)
                accounts.append(contact.account)
    return Suggestions(contacts=contacts, accounts=accounts)


@dataclass(frozen=True)
class ContactPortalAccess:
    membership: PortalMembership | None
    open_invitation: PortalInvitation | None

    @property
    def is_member(self) -> bool:
        return (self.membership is not None and self.membership.is_active
                and self.membership.user.is_active)


def contact_portal_access(*, contact: Contact) -> ContactPortalAccess:
    """The contact's portal membership at their account and any open invitation (the
    caller already may see the contact)."""
    membership = (PortalMembership.objects.filter(contact_id=contact.pk,
                                                  account_id=contact.account_id)
                  .select_related("user").order_by("-is_active", "pk").first())
    invitation = None
    if membership is not None:
        invitation = (PortalInvitation.objects.filter(membership=membership,
                                                      accepted_at__isnull=True,
                                                      revoked_at__isnull=True)
                      .order_by("-created_at").first())
    return ContactPortalAccess(membership=membership, open_invitation=invitation)
