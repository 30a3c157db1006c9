"""The asset hierarchy in one recursive query each way (crm.core.trees, as for accounts).
Ids only: callers apply visibility."""

from crm.core.trees import ancestor_ids, descendant_ids
from crm.service.models import Asset


def asset_subtree_ids(*, asset_id: int) -> list[int]:
    """The asset and its components at any depth (one query)."""
    return descendant_ids(Asset, asset_id)


def asset_ancestor_ids(*, asset_id: int) -> list[int]:
    """The asset, the system it is part of, and so on up, nearest first (one query)."""
    return ancestor_ids(Asset, asset_id)
