"""Reads of SLA policies and service contracts that the pages and the API share.

Policies are tenant settings: every staff user with USE_CRM reads them. Contracts belong to
accounts: a viewer sees the contracts of the accounts they may see
(crm.accounts.selectors.account_visible_queryset); a missing or invisible id is one 404."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from crm.accounts.selectors import account_visible_queryset
from crm.service.models import Asset, ServiceContract, SlaPolicy
from tenants.users.models import User
from tenants.users.permissions import Capability, can


def _pk(value: int | str) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def sla_policy_list(*, viewer: User) -> QuerySet[SlaPolicy]:
    """Every policy, for staff with CRM access (none for anyone else)."""
    if not can(viewer, Capability.USE_CRM):
        return SlaPolicy.objects.none()
    return SlaPolicy.objects.all()


def sla_policy_get_for(*, viewer: User, policy_id: int | str) -> SlaPolicy:
    """The policy, or Http404 when it does not exist or the viewer may not read policies."""
    policy = sla_policy_list(viewer=viewer).filter(pk=_pk(policy_id)).first()
    if policy is None:
        raise Http404
    return policy


def service_contract_list(*, viewer: User) -> QuerySet[ServiceContract]:
    """Contracts of the accounts ``viewer`` may see, with account, policy and listed assets
    loaded (three queries for a page, whatever its length)."""
    if not can(viewer, Capability.USE_CRM):
        return ServiceContract.objects.none()
    return (ServiceContract.objects
            .filter(account__in=account_visible_queryset(viewer=viewer))
            .select_related("account", "sla_policy")
            .prefetch_related(Prefetch("assets", queryset=Asset.objects.order_by("pk"))))


def service_contract_get_for(*, viewer: User, contract_id: int | str) -> ServiceContract:
    """The contract if its account is visible to ``viewer``; one 404 otherwise."""
    contract = service_contract_list(viewer=viewer).filter(pk=_pk(contract_id)).first()
    if contract is None:
        raise Http404
    return contract
