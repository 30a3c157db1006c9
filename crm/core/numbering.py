"""Gap-tolerant, race-free document numbers per tenant: ``Q-2026-00042``.

One ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` both creates the year's counter and
takes the next value under the row lock, so two concurrent requests never share a number.
The counter lives in the tenant's schema, so numbering is per tenant by construction. A
rolled-back transaction gives its number back with it (the counter row is in the same
transaction), so numbers have no gaps from failed saves."""

from django.db import connection
from django.utils import timezone


def next_number(prefix: str, *, year: int | None = None, width: int = 5) -> str:
    """The next ``<prefix>-<year>-<zero padded n>`` for this tenant."""
    year = year or timezone.localdate().year
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO crm_core_documentcounter (prefix, year, last_value) VALUES (%s, %s, 1) "
            "ON CONFLICT (prefix, year) DO UPDATE "
            "SET last_value = crm_core_documentcounter.last_value + 1 RETURNING last_value",
            [prefix, year],
        )
        (value,) = cursor.fetchone()
    return f"{prefix}-{year}-{value:0{width}d}"
