"""The asset hierarchy in one recursive query each way (like
crm.accounts.selectors.account_descendant_ids). Ids only: callers apply visibility."""

from django.db import connection

from crm.service.models import Asset

# UNION (not UNION ALL) stops at a row already seen, so even a cycle written behind the
# services' back cannot make these loop; the depth cap is a second guard.
_SUBTREE_SQL = """
    WITH RECURSIVE tree(id) AS (
        SELECT id FROM {table} WHERE id = %s
        UNION
        SELECT child.id FROM {table} child JOIN tree ON child.parent_id = tree.id
    ) SELECT id FROM tree
"""
_ANCESTORS_SQL = """
    WITH RECURSIVE chain(id, parent_id, depth) AS (
        SELECT id, parent_id, 0 FROM {table} WHERE id = %s
        UNION
        SELECT up.id, up.parent_id, chain.depth + 1 FROM {table} up
        JOIN chain ON up.id = chain.parent_id WHERE chain.depth < 100
    ) SELECT id FROM chain ORDER BY depth
"""


def _tree_ids(sql: str, asset_id: int) -> list[int]:
    table = connection.ops.quote_name(Asset._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), [asset_id])
        return [row[0] for row in cursor.fetchall()]


def asset_subtree_ids(*, asset_id: int) -> list[int]:
    """The asset and its components at any depth (one query)."""
    return _tree_ids(_SUBTREE_SQL, asset_id)


def asset_ancestor_ids(*, asset_id: int) -> list[int]:
    """The asset, the system it is part of, and so on up, nearest first (one query)."""
    return _tree_ids(_ANCESTORS_SQL, asset_id)
