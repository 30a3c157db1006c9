"""Parent/child hierarchies (accounts and their branches, assets and their components) read
in one recursive query each way. Ids only: callers apply visibility.

UNION (not UNION ALL) stops at a row already seen, so even a cycle written behind the
services' back cannot make these loop; the depth cap on the way up is a second guard."""

from django.db import connection, models

_DESCENDANTS_SQL = """
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


def _ids(sql: str, model: type[models.Model], pk: int) -> list[int]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), [pk])
        return [row[0] for row in cursor.fetchall()]


def descendant_ids(model: type[models.Model], pk: int) -> list[int]:
    """The row and every row below it through ``parent_id``, at any depth."""
    return _ids(_DESCENDANTS_SQL, model, pk)


def ancestor_ids(model: type[models.Model], pk: int) -> list[int]:
    """The row, its parent, grandparent... up to the root (nearest first)."""
    return _ids(_ANCESTORS_SQL, model, pk)
