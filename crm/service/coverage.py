"""Which SLA targets apply to an asset (or to a request without one) on a given day.

The order (issue 10): the asset's own active service contract, else its warranty policy
while the asset is under warranty, else an active account-wide contract (a contract with no
listed assets covers every asset of its account and of that account's branches, at any
depth: the nearest account up the head-office chain wins), else the tenant's default
policy, else none. ``warranty`` says whether the asset is under warranty that day, whichever
policy applies.

Between several active contracts of one level the one that started last wins (then the
higher id). Reads only; visibility is the caller's business (it already holds the rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from crm.accounts.models import Account
from crm.service.models import Asset, ServiceContract, SlaPolicy


class CoverageSource:
    CONTRACT = "contract"          # the asset's own contract
    WARRANTY = "warranty"          # the asset's warranty policy
    ACCOUNT_CONTRACT = "account"   # a contract covering all of the account's assets
    DEFAULT = "default"            # the tenant's default policy
    NONE = "none"


@dataclass(frozen=True)
class Coverage:
    warranty: bool
    contract: ServiceContract | None
    sla_policy: SlaPolicy | None
    source: str = CoverageSource.NONE

    def as_api(self) -> dict[str, object]:
        """``{"warranty": bool, "contract": id or null, "sla_policy": id or null}``."""
        return {"warranty": self.warranty,
                "contract": self.contract.pk if self.contract is not None else None,
                "sla_policy": self.sla_policy.pk if self.sla_policy is not None else None}


def _day(on: date | datetime | None) -> date:
    if on is None:
        return timezone.localdate()
    if isinstance(on, datetime):
        return timezone.localdate(on) if timezone.is_aware(on) else on.date()
    return on


def under_warranty(asset: Asset, on: date) -> bool:
    if asset.warranty_end is None:
        return False
    if asset.warranty_start is not None and on < asset.warranty_start:
        return False
    return on <= asset.warranty_end


def _active(on: date) -> Q:
    return Q(starts_on__lte=on, ends_on__gte=on)


_LATEST = ("-starts_on", "-pk")


def _ancestor_chains(account_ids: Iterable[int]) -> dict[int, list[int]]:
    """For each account id, the account and its ancestors, nearest first (one query)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(Account._meta.db_table)
    sql = f"""
        WITH RECURSIVE chain(origin, id, parent_id, depth) AS (
            SELECT id, id, parent_id, 0 FROM {table} WHERE id = ANY(%s)
            UNION
            SELECT chain.origin, up.id, up.parent_id, chain.depth + 1 FROM {table} up
            JOIN chain ON up.id = chain.parent_id WHERE chain.depth < 100
        ) SELECT origin, id FROM chain ORDER BY origin, depth
    """  # noqa: S608 - the table name is quoted by the backend, values are parameters
    chains: dict[int, list[int]] = {pk: [] for pk in ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids])
        for origin, pk in cursor.fetchall():
            chains[origin].append(pk)
    return chains


def _default_policy() -> SlaPolicy | None:
    return SlaPolicy.objects.filter(is_default=True).first()


def coverage_for(*, account: Account, asset: Asset | None = None,
                 on: date | datetime | None = None) -> Coverage:
    """The coverage of ``asset`` (or, without one, of ``account``) on ``on`` (default:
    today in the tenant's zone). At most five queries."""
    day = _day(on)
    warranty = False
    if asset is not None:
        own = (ServiceContract.objects.filter(_active(day), assets=asset)
               .select_related("sla_policy").order_by(*_LATEST).first())
        warranty = under_warranty(asset, day)
        if own is not None:
            return Coverage(warranty, own, own.sla_policy, CoverageSource.CONTRACT)
        if warranty and asset.warranty_policy_id is not None:
            policy = asset.warranty_policy
            return Coverage(True, None, policy, CoverageSource.WARRANTY)
    account_id = asset.account_id if asset is not None else account.pk
    chain = _ancestor_chains([account_id])[account_id]
    wide = _account_wide_contracts(chain, day)
    for pk in chain:
        if pk in wide:
            contract = wide[pk]
            return Coverage(warranty, contract, contract.sla_policy,
                            CoverageSource.ACCOUNT_CONTRACT)
    default = _default_policy()
    if default is not None:
        return Coverage(warranty, None, default, CoverageSource.DEFAULT)
    return Coverage(warranty, None, None, CoverageSource.NONE)


def _account_wide_contracts(account_ids: Iterable[int], day: date) -> dict[int, ServiceContract]:
    """The winning active contract without listed assets of each account (one query)."""
    found: dict[int, ServiceContract] = {}
    contracts = (ServiceContract.objects
                 .filter(_active(day), account_id__in=list(account_ids), assets__isnull=True)
                 .select_related("sla_policy").order_by("account_id", *_LATEST))
    for contract in contracts:
        found.setdefault(contract.account_id, contract)
    return found


def coverage_for_assets(*, assets: Iterable[Asset],
                        on: date | datetime | None = None) -> dict[int, Coverage]:
    """Coverage for many assets at once, by asset id (a fixed number of queries, whatever
    the number of assets: for list pages and the assets API)."""
    assets = list(assets)
    day = _day(on)
    if not assets:
        return {}
    asset_ids = [asset.pk for asset in assets]
    own: dict[int, ServiceContract] = {}
    through = ServiceContract.assets.through
    links = (through.objects.filter(asset_id__in=asset_ids)
             .filter(servicecontract__starts_on__lte=day, servicecontract__ends_on__gte=day)
             .select_related("servicecontract__sla_policy")
             .order_by("asset_id", "-servicecontract__starts_on", "-servicecontract__pk"))
    for link in links:
        own.setdefault(link.asset_id, link.servicecontract)
    warranty_policy_ids = {asset.warranty_policy_id for asset in assets
                           if asset.warranty_policy_id is not None}
    warranty_policies = {policy.pk: policy for policy in
                         SlaPolicy.objects.filter(pk__in=warranty_policy_ids)}
    chains = _ancestor_chains(asset.account_id for asset in assets)
    wide = _account_wide_contracts({pk for chain in chains.values() for pk in chain}, day)
    default: SlaPolicy | None = None
    default_loaded = False
    result: dict[int, Coverage] = {}
    for asset in assets:
        warranty = under_warranty(asset, day)
        if asset.pk in own:
            contract = own[asset.pk]
            result[asset.pk] = Coverage(warranty, contract, contract.sla_policy,
                                        CoverageSource.CONTRACT)
            continue
        if warranty and asset.warranty_policy_id in warranty_policies:
            result[asset.pk] = Coverage(True, None, warranty_policies[asset.warranty_policy_id],
                                        CoverageSource.WARRANTY)
            continue
        wide_contract = next(
            (wide[pk] for pk in chains.get(asset.account_id, []) if pk in wide), None)
        if wide_contract is not None:
            result[asset.pk] = Coverage(warranty, wide_contract, wide_contract.sla_policy,
                                        CoverageSource.ACCOUNT_CONTRACT)
            continue
        if not default_loaded:
            default, default_loaded = _default_policy(), True
        result[asset.pk] = Coverage(warranty, None, default,
                                    CoverageSource.DEFAULT if default else CoverageSource.NONE)
    return result
