"""Portal settings in the CRM settings area (tenant admins)."""

from portal.settings_selectors import portal_settings


def test_admin_edits_portal_settings(tenant_a, tenant_client, in_tenant):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    overview = client.get("/crm/settings/").content.decode()
    assert "/crm/settings/portal/" in overview
    assert client.get("/crm/settings/portal/").status_code == 200
    response = client.post("/crm/settings/portal/", {
        "self_registration": "approval", "admins_see_branches": "on"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        row = portal_settings()
        assert (row.self_registration, row.admins_see_branches, row.list_prices_public) == (
            "approval", True, False)


def test_only_admins_edit_portal_settings(tenant_a, tenant_client):
    for role in ("manager", "rep", "readonly"):
        client = tenant_client(tenant_a, tenant_a.users[role])
        assert client.get("/crm/settings/portal/").status_code == 403
        assert client.post("/crm/settings/portal/", {"self_registration": "approval"}
                           ).status_code == 403


def test_bad_input_is_a_form_error(tenant_a, tenant_client):
    response = tenant_client(tenant_a, tenant_a.users["admin"]).post(
        "/crm/settings/portal/", {"self_registration": "everyone"})
    assert response.status_code == 200
    assert response.context["form"].errors
