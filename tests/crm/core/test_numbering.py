"""Document numbers count per tenant, prefix and year, without sharing a value."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from crm.core.numbering import next_number


def test_numbers_count_per_prefix_year_and_tenant(tenant_a, tenant_b, in_tenant):
    with in_tenant(tenant_a):
        assert [next_number("Q", year=2026) for _ in range(3)] == [
            "Q-2026-00001", "Q-2026-00002", "Q-2026-00003"]
        assert next_number("SR", year=2026) == "SR-2026-00001"
        assert next_number("Q", year=2027) == "Q-2027-00001"
    with in_tenant(tenant_b):
        assert next_number("Q", year=2026) == "Q-2026-00001"


def test_a_rolled_back_number_is_handed_out_again(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        def take_and_fail() -> None:
            with transaction.atomic():
                next_number("INV", year=2026)
                raise RuntimeError

        with pytest.raises(RuntimeError):
            take_and_fail()
        assert next_number("INV", year=2026) == "INV-2026-00001"


def test_concurrent_requests_never_share_a_number(tenant_a):
    """Eight connections of their own (each commits), racing on one counter row."""
    def take(_: int) -> str:
        try:
            with tenant_context(tenant_a.tenant):
                return next_number("RACE", year=2026)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(take, range(40)))
    assert len(set(numbers)) == 40
