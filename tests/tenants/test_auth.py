from tenants.users.models import User, UserKind


def test_staff_login_by_email_lands_on_the_crm_shell(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    response = client.post("/accounts/login/", {"username": "REP@alpha.test",
                                                "password": "Correct-horse-battery-9"})
    assert response.status_code == 302
    page = client.get("/crm/").content.decode()
    assert "Rep Alpha" in page
    assert "Sales rep" in page


def test_login_page_prefills_email_from_sign_up(tenant_a, tenant_client):
    page = tenant_client(tenant_a).get("/accounts/login/?email=admin%40alpha.test")
    assert 'value="admin@alpha.test"' in page.content.decode()


def test_wrong_password_shows_a_form_error(tenant_a, tenant_client):
    response = tenant_client(tenant_a).post(
        "/accounts/login/", {"username": "rep@alpha.test", "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_crm_requires_login(tenant_a, tenant_client):
    response = tenant_client(tenant_a).get("/crm/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/crm/"


def test_portal_member_cannot_open_crm_api_or_admin(tenant_a, tenant_client, in_tenant):
    with in_tenant(tenant_a):
        member = User.objects.create_user(email="buyer@customer.test", password="x-Secret-123",
                                          kind=UserKind.MEMBER)
    client = tenant_client(tenant_a, member)
    assert client.get("/crm/").status_code == 403
    assert client.get("/api/v1/").status_code == 403
    assert client.get("/admin/").status_code == 302
    assert client.get("/cms/").status_code == 302
    token = tenant_client(tenant_a).post(
        "/api/v1/auth/token/", {"email": "buyer@customer.test", "password": "x-Secret-123"},
        content_type="application/json")
    assert token.status_code == 400


def test_token_auth_round_trip(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    response = client.post("/api/v1/auth/token/",
                           {"email": "manager@alpha.test", "password": "Correct-horse-battery-9"},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    root = tenant_client(tenant_a).get("/api/v1/", HTTP_AUTHORIZATION=f"Token {token}")
    assert root.status_code == 200


def test_token_auth_bad_input_is_400_json(tenant_a, tenant_client):
    client = tenant_client(tenant_a)
    wrong = client.post("/api/v1/auth/token/",
                        {"email": "manager@alpha.test", "password": "wrong"},
                        content_type="application/json")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_login"
    missing = client.post("/api/v1/auth/token/", {"email": "not-an-email"},
                          content_type="application/json")
    assert missing.status_code == 400
    assert set(missing.json()) == {"email", "password"}
    garbage = client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert garbage.status_code == 400


def test_api_without_credentials_is_401(tenant_a, tenant_client):
    assert tenant_client(tenant_a).get("/api/v1/").status_code == 401


def test_api_docs_and_schema_are_served_from_the_crm_api_only(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/token/" in paths
    assert not any(path.startswith("/cms/") for path in paths)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()


def test_password_reset_sends_email_with_tenant_host(tenant_a, tenant_client, mailoutbox):
    response = tenant_client(tenant_a).post("/accounts/password-reset/",
                                            {"email": "rep@alpha.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "alpha.localhost" in mailoutbox[0].body


def test_language_switch_persists_on_the_user(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["rep"])
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/crm/"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert User.objects.get(email="rep@alpha.test").language == "zh-hans"
    # A new session (another browser) still gets the user's language.
    fresh = tenant_client(tenant_a, tenant_a.users["rep"])
    with in_tenant(tenant_a):
        rep = User.objects.get(email="rep@alpha.test")
    fresh = tenant_client(tenant_a, rep)
    page = fresh.get("/crm/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "退出" in page  # "Sign out"


def test_openapi_schema_generates_without_warnings(tenant_a, in_tenant):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with in_tenant(tenant_a):
        schema = SchemaGenerator(urlconf="config.urls_api_schema").get_schema(public=True)
    assert "/api/v1/auth/token/" in schema["paths"]
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)


def test_repeated_wrong_passwords_are_rate_limited(tenant_a, tenant_client):
    from django.core.cache import cache

    cache.clear()
    client = tenant_client(tenant_a)
    for _ in range(10):
        client.post("/accounts/login/", {"username": "rep@alpha.test", "password": "guess"})
    limited = client.post("/accounts/login/", {"username": "rep@alpha.test",
                                               "password": "Correct-horse-battery-9"})
    assert limited.status_code == 429
    assert "Too many sign-in attempts" in limited.content.decode()
    assert client.get("/crm/").status_code == 302  # not signed in
    cache.clear()
