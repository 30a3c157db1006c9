"""What a portal member may see and whom of the customer to e-mail, as the portal defines it.

The portal registers its rules from its AppConfig (``register_member_accounts``: the
accounts a member sees the assets of; ``register_member_requests``: the service requests a
member sees, which for a plain member are only their own; ``register_customer_recipients``:
who of the customer gets an e-mail about a request). Until it does, members see no service
record, a member's requests are those of their accounts, and the request's contact gets the
e-mails. Selectors, services and tasks ask here, so the staff side never rebuilds the
portal's rules."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from tenants.users.models import User, UserKind

if TYPE_CHECKING:
    from crm.service.models import ServiceRequest

# viewer -> a queryset of account ids (``.values("pk")`` or similar).
MemberAccounts = Callable[[User], "QuerySet[Any]"]
# viewer -> a queryset of service-request ids (``.values("pk")``).
MemberRequests = Callable[[User], "QuerySet[Any]"]
# (request, notification kind) -> the e-mail addresses of the customer to tell.
CustomerRecipients = Callable[["ServiceRequest", str], list[str]]
# The kinds a member may turn off (the values of portal.models.NotificationKind).
STATUS_EMAIL = "service_request_status"
COMMENT_EMAIL = "service_request_comment"
_rules: list[MemberAccounts] = []
_request_rules: list[MemberRequests] = []
_recipient_rules: list[CustomerRecipients] = []


def register_member_accounts(rule: MemberAccounts) -> None:
    _rules[:] = [rule]


def register_member_requests(rule: MemberRequests) -> None:
    _request_rules[:] = [rule]


def register_customer_recipients(rule: CustomerRecipients) -> None:
    _recipient_rules[:] = [rule]


def is_member(user: User) -> bool:
    return getattr(user, "kind", None) == UserKind.MEMBER


def member_account_ids(viewer: User) -> "QuerySet[Any] | None":
    """The accounts ``viewer`` (a member) may see; None: none at all."""
    if not is_member(viewer) or not viewer.is_active or not _rules:
        return None
    return _rules[0](viewer)


def member_request_ids(viewer: User) -> "QuerySet[Any] | None":
    """The service requests ``viewer`` (a member) may see when the portal says which (None:
    no request rule, the member's accounts decide)."""
    if not is_member(viewer) or not viewer.is_active or not _request_rules:
        return None
    return _request_rules[0](viewer)


def member_may_see_account(viewer: User, account_id: int) -> bool:
    accounts = member_account_ids(viewer)
    if accounts is None:
        return False
    from crm.accounts.models import Account

    return Account.objects.filter(pk=account_id, pk__in=accounts).exists()


def member_may_see_request(viewer: User, *, request_id: int, account_id: int) -> bool:
    """Whether the member may see (and so act on) that request: through the portal's request
    rule where registered, else by its account."""
    if not member_may_see_account(viewer, account_id):
        return False
    requests = member_request_ids(viewer)
    if requests is None:
        return True
    from crm.service.models import ServiceRequest

    return ServiceRequest.objects.filter(pk=request_id, pk__in=requests).exists()


def customer_recipients(request: "ServiceRequest", *, kind: str) -> list[str]:
    """Whom of the customer to e-mail about ``request`` (``kind``: STATUS_EMAIL or
    COMMENT_EMAIL): the portal's answer where registered (its members of the request who
    want it, and a contact without portal access), else the request's contact."""
    if _recipient_rules:
        return _recipient_rules[0](request, kind)
    contact = request.contact
    return [contact.email] if contact is not None and contact.email else []
