"""The member API (/portal/api/v1/): tokens, me/, quotes, assets, service requests; staff
and other accounts refused."""

import pytest
from django.test import Client

from crm.api_tokens.services import api_token_create
from tests.conftest import PASSWORD
from tests.portal.conftest import make_asset, make_quote, make_request, set_branches


def _token(tenant_a, tenant_client, email: str) -> str:
    response = tenant_client(tenant_a).post("/portal/api/v1/auth/token/",
                                            {"email": email, "password": PASSWORD},
                                            content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _api(tenant, token: str) -> Client:
    return Client(HTTP_HOST=tenant.host, HTTP_AUTHORIZATION=f"Token {token}")


def test_member_gets_a_token_and_reads_me(world, tenant_a, tenant_client):
    token = _token(tenant_a, tenant_client, "eng@hoth.test")
    response = _api(tenant_a, token).get("/portal/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "eng@hoth.test"
    assert body["role"] == "member"
    assert body["account"] == {"id": world.accounts["B1"].pk, "name": "Hoth Branch One"}
    assert body["accounts"] == [{"id": world.accounts["B1"].pk, "name": "Hoth Branch One",
                                 "role": "member"}]


def test_staff_credentials_get_no_portal_token(world, tenant_a, tenant_client):
    response = tenant_client(tenant_a).post(
        "/portal/api/v1/auth/token/", {"email": "admin@alpha.test", "password": PASSWORD},
        content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_login"


def test_the_token_endpoint_is_throttled(world, tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    for _ in range(10):
        client.post("/portal/api/v1/auth/token/", {"email": "eng@hoth.test",
                                                   "password": "wrong"},
                    content_type="application/json")
    response = client.post("/portal/api/v1/auth/token/",
                           {"email": "eng@hoth.test", "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_a_members_token_is_refused_on_the_staff_api(world, tenant_a, tenant_client):
    token = _token(tenant_a, tenant_client, "boss@hoth.test")
    response = _api(tenant_a, token).get("/api/v1/accounts/")
    assert response.status_code == 401


def test_a_members_session_is_refused_on_the_staff_api(world, member_client):
    assert member_client(world.members["boss"]).get("/api/v1/accounts/").status_code == 403


def test_staff_are_refused_by_the_member_api(world, tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        staff_token = api_token_create(user=tenant_a.users["admin"], name="t").secret
    assert _api(tenant_a, staff_token).get("/portal/api/v1/quotes/").status_code == 401
    session = tenant_client(tenant_a, tenant_a.users["admin"])
    assert session.get("/portal/api/v1/quotes/").status_code == 403
    assert session.get("/portal/api/v1/me/").status_code == 403
    assert tenant_client(tenant_a).get("/portal/api/v1/quotes/").status_code in (401, 403)


def test_quotes_list_and_detail_only_the_members_own(world, tenant_a, tenant_client):
    client = _api(tenant_a, _token(tenant_a, tenant_client, "eng@hoth.test"))
    listing = client.get("/portal/api/v1/quotes/")
    assert listing.status_code == 200
    ids = {row["id"] for row in listing.json()["results"]}
    assert ids == {world.quotes["B1_eng"].pk, world.quotes["B1_eng_requested"].pk}
    detail = client.get(f"/portal/api/v1/quotes/{world.quotes['B1_eng'].pk}/")
    assert detail.status_code == 200
    assert detail.json()["total"] == "100.00"
    assert detail.json()["account"] == {"id": world.accounts["B1"].pk,
                                        "name": "Hoth Branch One"}
    assert "lines" in detail.json()
    for other in ("B1_peer", "B2", "H", "B1_draft"):
        response = client.get(f"/portal/api/v1/quotes/{world.quotes[other].pk}/")
        assert response.status_code == 404, other
        assert "detail" in response.json()
    assert client.get("/portal/api/v1/quotes/abc/").status_code == 404


def test_assets_and_service_requests_follow_the_account_tree(world, tenant_a, tenant_client,
                                                             in_tenant):
    with in_tenant(tenant_a):
        set_branches(True)
    boss = _api(tenant_a, _token(tenant_a, tenant_client, "boss@hoth.test"))
    assets = {row["id"] for row in boss.get("/portal/api/v1/assets/").json()["results"]}
    assert assets == {a.pk for a in world.assets.values()}
    sib = _api(tenant_a, _token(tenant_a, tenant_client, "sib@hoth.test"))
    assert {row["id"] for row in sib.get("/portal/api/v1/assets/").json()["results"]} == {
        world.assets["B2"].pk}
    assert sib.get(f"/portal/api/v1/service-requests/{world.requests['B1_eng'].pk}/"
                   ).status_code == 404
    own = sib.get(f"/portal/api/v1/service-requests/{world.requests['B2'].pk}/")
    assert own.status_code == 200
    assert own.json()["number"] == world.requests["B2"].number
    with in_tenant(tenant_a):
        set_branches(False)
    assets = {row["id"] for row in boss.get("/portal/api/v1/assets/").json()["results"]}
    assert assets == {world.assets["H"].pk}


def test_account_parameter_narrows_and_refuses_foreign_accounts(world, tenant_a,
                                                                tenant_client):
    client = _api(tenant_a, _token(tenant_a, tenant_client, "eng@hoth.test"))
    mine = client.get(f"/portal/api/v1/assets/?account={world.accounts['B1'].pk}")
    assert mine.status_code == 200
    assert client.get(f"/portal/api/v1/assets/?account={world.accounts['B2'].pk}"
                      ).status_code == 404
    assert client.get("/portal/api/v1/me/?account=garbage").status_code == 404


def test_another_tenants_member_gets_404_and_their_token_is_unknown_here(
        world, member_b, tenant_a, tenant_b, tenant_client):
    token_b = _token(tenant_b, tenant_client, "bee@beta-customer.test")
    client_b = _api(tenant_b, token_b)
    for path in (f"/portal/api/v1/quotes/{world.quotes['H'].pk}/",
                 f"/portal/api/v1/assets/{world.assets['H'].pk}/",
                 f"/portal/api/v1/service-requests/{world.requests['H'].pk}/"):
        assert client_b.get(path).status_code == 404
    assert _api(tenant_a, token_b).get("/portal/api/v1/me/").status_code == 401


def test_unknown_member_api_paths_are_json_404(world, member_client):
    response = member_client(world.members["eng"]).get("/portal/api/v1/nothing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/portal/api/v1/quotes/", "/portal/api/v1/assets/",
                                  "/portal/api/v1/service-requests/"])
def test_member_api_lists_keep_a_query_budget(world, tenant_a, tenant_client, in_tenant, path,
                                              django_assert_max_num_queries):
    with in_tenant(tenant_a):
        set_branches(True)
        for index in range(40):
            asset = make_asset(world.accounts["B1a"], f"SN-API-{index}")
            make_quote(world.accounts["B1a"])
            make_request(world.accounts["B1a"], asset=asset)
    client = _api(tenant_a, _token(tenant_a, tenant_client, "boss@hoth.test"))
    with django_assert_max_num_queries(10):
        response = client.get(path)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 40


def test_member_api_schema_generates_without_warnings(tenant_a, in_tenant):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with in_tenant(tenant_a):
        schema = SchemaGenerator(urlconf="config.urls_portal_api_schema").get_schema(
            public=True)
    for path in ("/portal/api/v1/auth/token/", "/portal/api/v1/me/",
                 "/portal/api/v1/quotes/", "/portal/api/v1/quotes/{id}/",
                 "/portal/api/v1/assets/", "/portal/api/v1/service-requests/",
                 "/portal/api/v1/service-requests/{id}/"):
        assert path in schema["paths"], path
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)


@pytest.mark.parametrize("attribute", ["permission_classes", "authentication_classes",
                                       "visible_queryset", "get_queryset"])
def test_member_viewsets_cannot_open_the_door(attribute):
    from rest_framework.permissions import AllowAny

    from portal.api import MemberReadOnlyViewSet

    with pytest.raises(TypeError):
        type("Leaky", (MemberReadOnlyViewSet,), {attribute: (AllowAny,)})


def test_a_member_endpoint_must_say_which_records_it_lists():
    from portal.api import MemberReadOnlyViewSet

    with pytest.raises(TypeError, match="scoped_queryset"):
        type("Forgetful", (MemberReadOnlyViewSet,), {"__module__": __name__})
