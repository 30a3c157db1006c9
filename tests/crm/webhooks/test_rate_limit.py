"""Rate limit per API token: 429 with Retry-After and the API's JSON error body; each token
has its own counter; the CRM's session calls are not counted."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from crm.api_tokens.services import api_token_create


@pytest.fixture
def tokens(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        issued = [api_token_create(user=tenant_a.users["rep"], name=f"T{n}") for n in (1, 2)]
    yield issued
    with in_tenant(tenant_a):
        for token in issued:
            cache.delete(f"throttle_api_token_{tenant_a.tenant.schema_name}_{token.token.pk}")


@override_settings(API_TOKEN_RATE_LIMIT="3/min")
def test_a_token_past_its_rate_gets_429_with_retry_after(tenant_a, tenant_client, tokens):
    first = tenant_client(tenant_a, HTTP_AUTHORIZATION=f"Token {tokens[0].secret}")
    for _ in range(3):
        assert first.get("/api/v1/accounts/").status_code == 200
    refused = first.get("/api/v1/accounts/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"
    assert refused.json()["detail"]
    # Another token of the same user has its own budget.
    second = tenant_client(tenant_a, HTTP_AUTHORIZATION=f"Token {tokens[1].secret}")
    assert second.get("/api/v1/accounts/").status_code == 200


@override_settings(API_TOKEN_RATE_LIMIT="1/min")
def test_session_calls_are_not_counted(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    for _ in range(3):
        assert client.get("/api/v1/accounts/").status_code == 200
