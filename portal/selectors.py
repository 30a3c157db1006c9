"""THE portal selector layer: what a portal member may see. Every portal page and the
member API read through here, and every function starts from the member's accessible
accounts; an id from a URL is only ever looked up inside them.

Roles on the account tree (per membership):
- a *customer admin* sees every record of the account and, when the tenant's portal
  settings let customer admins see branches, of every account below it (any depth);
- a *member* sees the account's assets, and of quotes, orders and service requests only
  their own: made by them, or of the contact they are at that account.

``for_account`` narrows to one of the member's accounts (the portal's current account); an
account the member has no active membership of gives nothing (and ``*_get`` a 404).
Staff users and anonymous users have no memberships: they see nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Account
from crm.accounts.selectors import account_descendant_ids
from crm.catalog.models import Product
from crm.core.models import Attachment
from crm.orders.models import Order, OrderStatus
from crm.quotes.models import Quote, QuoteStatus
from crm.service.models import Asset, ServiceQueue, ServiceRequest
from crm.service.selectors import public_comments, request_attachments, request_status_history
from crm.service.services.requests import (
    customer_may_close,
    may_be_rated,
    may_be_reopened,
)
from portal.models import (
    MemberNotificationPreference,
    MemberRole,
    NotificationKind,
    PortalMembership,
)
from portal.settings_selectors import portal_settings
from tenants.users.models import User, UserKind


@dataclass(frozen=True)
class PortalScope:
    """What one member may see, resolved once per request."""

    user_id: int | None
    # Accounts whose records the member sees in full (customer admin: account + branches).
    full_account_ids: frozenset[int] = frozenset()
    # Accounts where the member sees the assets and only their own other records.
    own_account_ids: frozenset[int] = frozenset()
    contact_ids: frozenset[int] = frozenset()
    memberships: tuple[PortalMembership, ...] = field(default=())

    @property
    def account_ids(self) -> frozenset[int]:
        return self.full_account_ids | self.own_account_ids

    @property
    def is_empty(self) -> bool:
        return not self.account_ids

    def sees_everything_of(self, account_id: int) -> bool:
        return account_id in self.full_account_ids


_EMPTY = PortalScope(user_id=None)
RecordT = TypeVar("RecordT", bound=Model)


def member_memberships(member: User) -> QuerySet[PortalMembership]:
    """The member's active memberships with their accounts (none for staff or inactive
    users), oldest first: the first is the default account."""
    if not getattr(member, "is_authenticated", False) or not member.is_active \
            or member.kind != UserKind.MEMBER:
        return PortalMembership.objects.none()
    return (PortalMembership.objects.filter(user_id=member.pk, is_active=True)
            .select_related("account", "contact").order_by("created_at", "pk"))


def member_membership_get(member: User, account_id: int | str | None) -> PortalMembership:
    """The member's active membership of ``account_id``; Http404 for garbage ids, accounts
    they are not a member of, staff and anonymous users alike."""
    try:
        pk = int(str(account_id))
    except (TypeError, ValueError):
        raise Http404 from None
    membership = member_memberships(member).filter(account_id=pk).first()
    if membership is None:
        raise Http404
    return membership


def member_scope(member: User, *, for_account: int | None = None,
                 memberships: tuple[PortalMembership, ...] | None = None) -> PortalScope:
    """The member's scope over all their memberships, or over the one of ``for_account``
    (a scope that sees nothing when they have no such membership). ``memberships``: the
    member's active memberships when the caller already read them."""
    memberships_list = list(member_memberships(member) if memberships is None
                            else memberships)
    if for_account is not None:
        memberships_list = [m for m in memberships_list if m.account_id == for_account]
    if not memberships_list:
        return _EMPTY
    full: set[int] = set()
    own: set[int] = set()
    branches = None
    for membership in memberships_list:
        if membership.role == MemberRole.CUSTOMER_ADMIN:
            if branches is None:
                branches = portal_settings().admins_see_branches
            if branches:
                full.update(account_descendant_ids(account_id=membership.account_id))
            else:
                full.add(membership.account_id)
        else:
            own.add(membership.account_id)
    return PortalScope(
        user_id=member.pk, full_account_ids=frozenset(full),
        own_account_ids=frozenset(own - full),
        contact_ids=frozenset(m.contact_id for m in memberships_list),
        memberships=tuple(memberships_list),
    )


def accessible_account_ids(member: User, *, for_account: int | None = None) -> list[int]:
    """Every account id whose records (at least its assets) the member may see, sorted."""
    return sorted(member_scope(member, for_account=for_account).account_ids)


def _scope_of(member: User | PortalScope, for_account: int | None) -> PortalScope:
    if isinstance(member, PortalScope):
        return member
    return member_scope(member, for_account=for_account)


def _owned(scope: PortalScope, *, by: tuple[str, ...], contact: str = "contact_id") -> Q:
    """Records of the full accounts, plus the member's own ones in the other accounts."""
    mine = Q(**{f"{contact}__in": scope.contact_ids})
    for lookup in by:
        mine |= Q(**{lookup: scope.user_id})
    return Q(account_id__in=scope.full_account_ids) | (
        Q(account_id__in=scope.own_account_ids) & mine)


def _get(queryset: QuerySet[RecordT], record_id: int | str) -> RecordT:
    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        raise Http404 from None
    record = queryset.filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


# --- accounts ----------------------------------------------------------------------------

def member_accounts(member: User | PortalScope, *, for_account: int | None = None
                    ) -> QuerySet[Account]:
    """The accounts the member sees records of (their accounts, and branches for customer
    admins where allowed), by name."""
    scope = _scope_of(member, for_account)
    return Account.objects.filter(pk__in=scope.account_ids).order_by("name", "pk")


# --- quotes ------------------------------------------------------------------------------

# A quote with one of these statuses and a ``sent_at`` reached the customer.
CUSTOMER_QUOTE_STATUSES = (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.REJECTED,
                           QuoteStatus.EXPIRED, QuoteStatus.SUPERSEDED)
# Orders past the staff's approval (a superseded one was approved before its amendment).
CUSTOMER_ORDER_STATUSES = (OrderStatus.APPROVED, OrderStatus.PARTLY_DELIVERED,
                           OrderStatus.DELIVERED, OrderStatus.CANCELLED,
                           OrderStatus.SUPERSEDED)

def member_quotes(member: User | PortalScope, *, for_account: int | None = None
                  ) -> QuerySet[Quote]:
    """Quotes the customer may see: those sent to them (any revision, also once accepted,
    rejected, expired or superseded) and quote requests while they wait for the staff;
    never a staff draft or one in internal review, not even a revision of the member's own
    request (revisions keep ``requested_by``). Members see only their own (requested by
    them or for their contact); customer admins all of their accessible accounts. Newest
    first."""
    scope = _scope_of(member, for_account)
    if scope.is_empty:
        return Quote.objects.none()
    customer_visible = (Q(sent_at__isnull=False, status__in=CUSTOMER_QUOTE_STATUSES)
                        | Q(status=QuoteStatus.REQUESTED))
    return (Quote.objects.filter(_owned(scope, by=("requested_by_id",)))
            .filter(customer_visible)
            .select_related("account").order_by("-created_at", "-pk"))


def member_quote_get(member: User | PortalScope, quote_id: int | str, *,
                     for_account: int | None = None) -> Quote:
    """One quote of ``member_quotes`` with its lines; Http404 for missing, garbage and not
    the member's alike."""
    queryset = member_quotes(member, for_account=for_account).prefetch_related(
        "lines__product")
    return _get(queryset, quote_id)


# --- orders ------------------------------------------------------------------------------

def member_orders(member: User | PortalScope, *, for_account: int | None = None
                  ) -> QuerySet[Order]:
    """Orders and contracts once approved (in force, delivered, cancelled, or superseded by
    an approved amendment), never a draft or one in internal approval; members see the ones
    of their contact or made from a quote they requested, customer admins all of their
    accessible accounts."""
    scope = _scope_of(member, for_account)
    if scope.is_empty:
        return Order.objects.none()
    return (Order.objects.filter(_owned(scope, by=("quote__requested_by_id",)))
            .filter(status__in=CUSTOMER_ORDER_STATUSES)
            .select_related("account").order_by("-ordered_on", "-pk"))


def member_order_get(member: User | PortalScope, order_id: int | str, *,
                     for_account: int | None = None) -> Order:
    """One order of ``member_orders`` with its lines; Http404 otherwise."""
    queryset = member_orders(member, for_account=for_account).prefetch_related(
        "lines__product")
    return _get(queryset, order_id)


# --- assets ------------------------------------------------------------------------------

def member_assets(member: User | PortalScope, *, for_account: int | None = None
                  ) -> QuerySet[Asset]:
    """Every asset of every accessible account (members included: assets belong to the
    account), by account and serial number."""
    scope = _scope_of(member, for_account)
    if scope.is_empty:
        return Asset.objects.none()
    return (Asset.objects.filter(account_id__in=scope.account_ids)
            .select_related("account", "product").order_by("account__name", "serial_number",
                                                           "pk"))


def member_asset_get(member: User | PortalScope, asset_id: int | str, *,
                     for_account: int | None = None) -> Asset:
    """One asset of ``member_assets``; Http404 otherwise."""
    return _get(member_assets(member, for_account=for_account), asset_id)


# --- service requests --------------------------------------------------------------------

def member_service_requests(member: User | PortalScope, *, for_account: int | None = None
                            ) -> QuerySet[ServiceRequest]:
    """Service requests: members see their own (created by them or for their contact),
    customer admins all of their accessible accounts. Newest first."""
    scope = _scope_of(member, for_account)
    if scope.is_empty:
        return ServiceRequest.objects.none()
    return (ServiceRequest.objects.filter(_owned(scope, by=("created_by_id",)))
            .select_related("account", "asset", "asset__product")
            .order_by("-reported_at", "-pk"))


def member_service_request_get(member: User | PortalScope, request_id: int | str, *,
                               for_account: int | None = None) -> ServiceRequest:
    """One service request of ``member_service_requests``; Http404 otherwise."""
    return _get(member_service_requests(member, for_account=for_account), request_id)


def member_asset_service_requests(member: User | PortalScope, asset: Asset, *,
                                  for_account: int | None = None) -> QuerySet[ServiceRequest]:
    """The asset's service history as far as the member may see it."""
    return member_service_requests(member, for_account=for_account).filter(asset_id=asset.pk)


def member_request_ids(member: User) -> QuerySet[ServiceRequest, Any]:
    """The ids of every request the member sees over all their memberships: the rule the
    portal registers with crm.service (``register_member_requests``), so the service
    commands and the protected-file view answer as the portal does."""
    return member_service_requests(member).order_by().values("pk")


def member_request_categories() -> list[str]:
    """The categories a customer picks from when raising a request: the tenant's service
    queues' categories (so the request lands in the right queue), sorted, each once."""
    seen: dict[str, str] = {}
    for categories in ServiceQueue.objects.values_list("categories", flat=True):
        for category in categories:
            if category.strip():
                seen.setdefault(category.strip().casefold(), category.strip())
    return sorted(seen.values(), key=str.casefold)


def member_asset_products() -> QuerySet[Product]:
    """Catalog products a customer may name when registering equipment (active ones)."""
    return Product.objects.filter(active=True).order_by("name", "sku", "pk")


def member_asset_product_get(product_id: int | str) -> Product:
    """One product of ``member_asset_products``; Http404 otherwise."""
    return _get(member_asset_products(), product_id)


def comment_author(comment: Any) -> str:
    """Who wrote a comment, as the customer sees it."""
    author = comment.author
    return author.display_name if author is not None else str(_("Support team"))


@dataclass(frozen=True)
class MemberTimelineEntry:
    at: datetime
    kind: str  # "status", "comment" or "file"
    item: Any
    by_customer: bool

    @property
    def text(self) -> str:
        """The entry in words, in the active language."""
        if self.kind == "status":
            if not self.item.from_status:
                return str(_("Request raised"))
            return str(_("Status: %(status)s") % {"status": self.item.get_to_status_display()})
        if self.kind == "comment":
            return str(_("Comment by %(author)s") % {"author": comment_author(self.item)})
        return str(_("File added: %(name)s") % {"name": self.item.name})

    @property
    def note(self) -> str:
        """A status change's note, only where the customer made the change (staff notes
        are internal)."""
        return self.item.note if self.kind == "status" and self.by_customer else ""


def member_request_actions(service_request: ServiceRequest, *,
                           now: datetime | None = None) -> dict[str, bool]:
    """Which of close / reopen / rate the customer can do now, asked of the service rules
    (which decide again when called); this shapes the page and the API answer."""
    return {
        "close": customer_may_close(service_request),
        "reopen": may_be_reopened(service_request, now=now),
        "rate": may_be_rated(service_request),
    }


def member_service_request_timeline(member: User, service_request: ServiceRequest
                                    ) -> list[MemberTimelineEntry]:
    """What the customer sees of a request's history, oldest first: status changes (with
    the note only when a customer made the change: staff notes are internal), public
    comments only (never an internal one) and files. ``service_request`` comes from
    ``member_service_request_get``; three queries."""
    entries = [MemberTimelineEntry(change.at, "status", change,
                                   change.actor is not None
                                   and change.actor.kind == UserKind.MEMBER)
               for change in request_status_history(service_request)]
    entries += [MemberTimelineEntry(comment.created_at, "comment", comment,
                                    not comment.by_staff)
                for comment in public_comments(service_request)]
    entries += [MemberTimelineEntry(attachment.created_at, "file", attachment,
                                    attachment.uploaded_by is not None
                                    and attachment.uploaded_by.kind == UserKind.MEMBER)
                for attachment in member_request_attachments(service_request)]
    order = {"status": 0, "comment": 1, "file": 2}
    return sorted(entries, key=lambda entry: (entry.at, order[entry.kind], entry.item.pk))


def member_request_attachments(service_request: ServiceRequest) -> QuerySet[Attachment]:
    """The files of a request the member may see (``member_service_request_get``)."""
    return request_attachments(service_request).select_related("uploaded_by")


def member_request_attachment_get(member: User | PortalScope, request_id: int | str,
                                  attachment_id: int | str, *,
                                  for_account: int | None = None) -> Attachment:
    """One file of one of the member's requests; Http404 for a file of another request, of
    a request the member may not see, and for garbage ids alike."""
    service_request = member_service_request_get(member, request_id, for_account=for_account)
    return _get(member_request_attachments(service_request), attachment_id)


def member_request_recipients(service_request: ServiceRequest, *, kind: str,
                              exclude_user_id: int | None = None) -> list[User]:
    """The portal members to e-mail about ``service_request``: who raised it and the members
    at its contact, still active, still able to see it, and not opted out of ``kind``."""
    candidates: set[int] = set()
    if service_request.created_by_id:
        candidates.add(service_request.created_by_id)
    if service_request.contact_id:
        candidates.update(PortalMembership.objects.filter(
            contact_id=service_request.contact_id, is_active=True).values_list("user_id",
                                                                               flat=True))
    if exclude_user_id is not None:
        candidates.discard(exclude_user_id)
    recipients = []
    for user in User.objects.filter(pk__in=candidates, kind=UserKind.MEMBER,
                                    is_active=True).order_by("pk"):
        if not member_service_requests(user).filter(pk=service_request.pk).exists():
            continue
        if member_wants_email(user=user, kind=kind):
            recipients.append(user)
    return recipients


def member_customer_recipients(service_request: ServiceRequest, kind: str) -> list[str]:
    """The addresses crm.service e-mails about ``service_request`` (the rule the portal
    registers with ``register_customer_recipients``): the request's portal members who want
    ``kind``, and its contact's address when no active portal member is at that contact (a
    customer who phoned in still hears back)."""
    addresses = [user.email for user in member_request_recipients(service_request, kind=kind)]
    contact = service_request.contact
    if contact is not None and contact.email and contact.email not in addresses:
        has_member = PortalMembership.objects.filter(
            contact_id=contact.pk, is_active=True, user__is_active=True).exists()
        if not has_member:
            addresses.append(contact.email)
    return addresses


# --- colleagues (customer admins) --------------------------------------------------------

def member_colleagues(member: User | PortalScope, *, for_account: int | None = None
                      ) -> QuerySet[PortalMembership]:
    """Memberships of the accounts the member administers (customer admins only; nobody
    else lists other members)."""
    scope = _scope_of(member, for_account)
    if not scope.full_account_ids:
        return PortalMembership.objects.none()
    return (PortalMembership.objects.filter(account_id__in=scope.full_account_ids)
            .select_related("user", "account", "contact").order_by("account__name", "pk"))


def member_colleague_get(member: User | PortalScope, membership_id: int | str, *,
                         for_account: int | None = None) -> PortalMembership:
    """One membership of ``member_colleagues``; Http404 otherwise."""
    return _get(member_colleagues(member, for_account=for_account), membership_id)


# --- notification preferences ------------------------------------------------------------

def member_notification_preferences(member: User) -> dict[str, bool]:
    """E-mail on/off for every notification kind (on unless the member turned it off)."""
    chosen = dict(MemberNotificationPreference.objects.filter(user_id=member.pk)
                  .values_list("kind", "email"))
    return {kind: chosen.get(kind, True) for kind in NotificationKind.values}


def member_wants_email(*, user: User, kind: str) -> bool:
    """Whether to e-mail ``user`` (a portal member) about ``kind``: the subscribers of
    quote, order and service-request events ask here before queueing an e-mail."""
    if user.kind != UserKind.MEMBER or not user.is_active:
        return False
    return member_notification_preferences(user).get(kind, True)
