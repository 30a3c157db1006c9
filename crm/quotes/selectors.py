"""Quote reads the pages, the API, the PDF and (later) the portal and exports share.

Visibility: a staff user who works sales (or reads everything) sees the quotes whose owner
they may see by crm.core.visibility's owner rules (their own, their teams', unowned ones;
managers their teams'; admins and read-only users all). ``quote_get_for`` is the one
accessor by id: the same 404 for "missing", "not yours" and garbage ids."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from crm.core.approvals import approval_inbox, approvals_for
from crm.core.models import Approval
from crm.core.visibility import scope_by_owner
from crm.quotes.models import Quote, QuoteLine, QuoteSettings
from tenants.users.models import User
from tenants.users.permissions import Capability, can


def _sees_quotes(viewer: User) -> bool:
    return can(viewer, Capability.USE_CRM) and (
        can(viewer, Capability.MANAGE_SALES) or can(viewer, Capability.SEE_ALL_RECORDS))


def quote_visible_queryset(viewer: User) -> QuerySet[Quote]:
    """Every quote (every revision) ``viewer`` may see; none for users outside sales."""
    if not _sees_quotes(viewer):
        return Quote.objects.none()
    return scope_by_owner(Quote.objects.all(), viewer)


def quote_list(*, viewer: User) -> QuerySet[Quote]:
    """Visible quotes with account and owner loaded (list pages and the API list)."""
    return (quote_visible_queryset(viewer).select_related("account", "owner")
            .order_by("-created_at", "-pk"))


def _lines_prefetch() -> Prefetch:
    return Prefetch("lines", queryset=QuoteLine.objects.select_related("product")
                    .order_by("position", "pk"))


def quote_api_list(*, viewer: User) -> QuerySet[Quote]:
    """Visible quotes with their lines prefetched (the API nests the lines)."""
    return quote_list(viewer=viewer).prefetch_related(_lines_prefetch())


def quote_get_for(viewer: User, quote_id: int | str) -> Quote:
    """The quote with this id if ``viewer`` may see it, with account, contact, opportunity,
    owner and lines loaded; Http404 otherwise."""
    try:
        pk = int(quote_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if pk < 1 or pk > 2**63 - 1:
        raise Http404
    quote = (quote_visible_queryset(viewer)
             .select_related("account", "contact", "opportunity", "owner", "created_by",
                             "previous_revision")
             .prefetch_related(_lines_prefetch()).filter(pk=pk).first())
    if quote is None:
        raise Http404
    return quote


def quote_revisions(*, viewer: User, quote: Quote) -> QuerySet[Quote]:
    """Every revision of ``quote``'s number that ``viewer`` may see, newest first."""
    return (quote_visible_queryset(viewer).filter(number=quote.number)
            .order_by("-revision").only("pk", "number", "revision", "status", "total",
                                        "currency", "created_at", "sent_at"))


def quote_approvals(*, quote: Quote) -> QuerySet[Approval]:
    """The approval trail of this revision (every round, oldest first)."""
    return approvals_for(quote).prefetch_related("candidates")


def quote_approval_inbox(*, viewer: User) -> list[tuple[Approval, Quote]]:
    """Pending discount approvals ``viewer`` may decide, with their quotes, newest first."""
    from django.contrib.contenttypes.models import ContentType

    steps = list(approval_inbox(viewer).filter(
        content_type=ContentType.objects.get_for_model(Quote)))
    quotes = {quote.pk: quote for quote in quote_list(viewer=viewer).filter(
        pk__in=[step.object_id for step in steps])}
    return [(step, quotes[step.object_id]) for step in steps if step.object_id in quotes]


def quote_panel_rows(*, viewer: User, account_ids: list[int] | None = None,
                     opportunity_id: int | None = None, limit: int = 10) -> list[Quote]:
    """The newest visible quotes of these accounts or of this opportunity (superseded
    revisions left out), for the account and opportunity pages."""
    queryset = quote_list(viewer=viewer).exclude(status="superseded")
    if account_ids is not None:
        queryset = queryset.filter(account_id__in=account_ids)
    if opportunity_id is not None:
        queryset = queryset.filter(opportunity_id=opportunity_id)
    return list(queryset[:limit])


def quote_settings_get() -> QuoteSettings:
    """This schema's quote settings; an unsaved row with the defaults before the first save."""
    found = QuoteSettings.objects.filter(pk=QuoteSettings.SINGLETON_PK).first()
    return found or QuoteSettings(pk=QuoteSettings.SINGLETON_PK)
