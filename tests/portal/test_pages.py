"""The member area through the test client: dashboard, lists and details, switching
accounts, profile, preferences and colleagues."""

import pytest

from crm.accounts.models import Contact
from portal.access import SESSION_ACCOUNT_KEY
from portal.models import MemberNotificationPreference, PortalMembership
from tenants.users.models import User
from tests.portal.conftest import make_asset, make_member, make_quote, make_request, set_branches


def test_dashboard_shows_the_members_real_counts(world, member_client):
    response = member_client(world.members["eng"]).get("/portal/")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["counts"] == {"quotes": 2, "assets": 1, "service_requests": 2}
    assert world.quotes["B1_eng"].number in page
    assert world.quotes["B1_peer"].number not in page
    assert "Hoth Branch One" in page


def test_customer_admin_dashboard_counts_branches_when_allowed(world, member_client,
                                                               tenant_a, in_tenant):
    with in_tenant(tenant_a):
        set_branches(True)
    response = member_client(world.members["boss"]).get("/portal/")
    assert response.context["counts"] == {"quotes": 6, "assets": 4, "service_requests": 6}


@pytest.mark.parametrize(("path", "key", "own"), [
    ("/portal/quotes/{}/", "quotes", "B1_eng"),
    ("/portal/assets/{}/", "assets", "B1"),
    ("/portal/service-requests/{}/", "requests", "B1_eng"),
])
def test_detail_pages_answer_own_records_and_404_for_a_sibling_branchs(world, member_client,
                                                                      path, key, own):
    records = getattr(world, key)
    eng = member_client(world.members["eng"])
    assert eng.get(path.format(records[own].pk)).status_code == 200
    sibling = member_client(world.members["sib"])
    assert sibling.get(path.format(records[own].pk)).status_code == 404


def test_member_does_not_open_a_colleagues_quote(world, member_client):
    client = member_client(world.members["eng"])
    assert client.get(f"/portal/quotes/{world.quotes['B1_peer'].pk}/").status_code == 404
    assert client.get(f"/portal/service-requests/{world.requests['B1_peer'].pk}/"
                      ).status_code == 404


def test_lists_show_only_visible_records(world, member_client):
    client = member_client(world.members["eng"])
    quotes = client.get("/portal/quotes/").content.decode()
    assert world.quotes["B1_eng"].number in quotes
    assert world.quotes["B1_peer"].number not in quotes
    assert world.quotes["B2"].number not in quotes
    assets = client.get("/portal/assets/").content.decode()
    assert "SN-B1" in assets
    assert "SN-B2" not in assets
    requests = client.get("/portal/service-requests/").content.decode()
    assert world.requests["B1_eng"].number in requests
    assert world.requests["B1_peer"].number not in requests


def test_asset_page_shows_the_service_history_the_member_may_see(world, member_client):
    page = member_client(world.members["eng"]).get(
        f"/portal/assets/{world.assets['B1'].pk}/").content.decode()
    assert world.requests["B1_eng"].number in page
    assert world.requests["B1_peer"].number not in page  # a colleague's request


def test_anonymous_visitors_go_to_the_portal_sign_in(tenant_a, tenant_client):
    response = tenant_client(tenant_a).get("/portal/quotes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/?next=/portal/quotes/")


@pytest.mark.parametrize("path", ["/portal/", "/portal/quotes/", "/portal/profile/",
                                  "/portal/assets/1/"])
def test_staff_users_are_refused_by_member_pages(tenant_a, tenant_client, path):
    response = tenant_client(tenant_a, tenant_a.users["admin"]).get(path)
    assert response.status_code == 403
    assert "This area is for customers" in response.content.decode()


def test_switching_accounts_changes_what_the_member_sees(world, member_client, tenant_a,
                                                         in_tenant):
    with in_tenant(tenant_a):
        make_member("eng@hoth.test", contact=world.contacts["sib"],
                    account=world.accounts["B2"])
    client = member_client(world.members["eng"])
    assert client.get(f"/portal/assets/{world.assets['B2'].pk}/").status_code == 404
    response = client.post("/portal/account/switch/", {"account": world.accounts["B2"].pk})
    assert response.status_code == 302
    assert client.get(f"/portal/assets/{world.assets['B2'].pk}/").status_code == 200
    assert client.get(f"/portal/assets/{world.assets['B1'].pk}/").status_code == 404


def test_switching_to_an_account_without_membership_is_404(world, member_client):
    client = member_client(world.members["eng"])
    assert client.post("/portal/account/switch/",
                       {"account": world.accounts["H"].pk}).status_code == 404
    assert client.post("/portal/account/switch/", {"account": "x"}).status_code == 404


def test_a_forged_or_withdrawn_current_account_falls_back_to_a_real_one(world, member_client,
                                                                        tenant_a, in_tenant):
    with in_tenant(tenant_a):
        make_member("eng@hoth.test", contact=world.contacts["sib"],
                    account=world.accounts["B2"])
    client = member_client(world.members["eng"])
    session = client.session
    session[SESSION_ACCOUNT_KEY] = world.accounts["H"].pk  # never theirs
    session.save()
    response = client.get("/portal/")
    assert response.context["portal"].account.pk == world.accounts["B1"].pk
    client.post("/portal/account/switch/", {"account": world.accounts["B2"].pk})
    with in_tenant(tenant_a):
        PortalMembership.objects.filter(user=world.members["eng"],
                                        account=world.accounts["B2"]).update(is_active=False)
    response = client.get("/portal/")
    assert response.context["portal"].account.pk == world.accounts["B1"].pk
    assert client.get(f"/portal/assets/{world.assets['B2'].pk}/").status_code == 404


def test_member_without_any_membership_sees_a_clear_page(world, member_client, tenant_a,
                                                         in_tenant):
    with in_tenant(tenant_a):
        PortalMembership.objects.filter(user=world.members["eng"]).update(is_active=False)
    response = member_client(world.members["eng"]).get("/portal/")
    assert response.status_code == 403
    assert "No account linked" in response.content.decode()


def test_profile_saves_name_phone_and_language(world, member_client, tenant_a, in_tenant):
    client = member_client(world.members["eng"])
    response = client.post("/portal/profile/", {"first_name": "Erin", "last_name": "Eng",
                                                "phone": "+86 10 1234", "language": "zh-hans"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        user = User.objects.get(pk=world.members["eng"].pk)
    assert (user.first_name, user.phone, user.language) == ("Erin", "+86 10 1234", "zh-hans")
    page = client.get("/portal/profile/").content.decode()
    assert 'lang="zh-hans"' in page


def test_profile_refuses_an_unknown_language(world, member_client):
    response = member_client(world.members["eng"]).post(
        "/portal/profile/", {"last_name": "Eng", "language": "xx"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_notification_preferences_are_saved_per_kind(world, member_client, tenant_a,
                                                     in_tenant):
    client = member_client(world.members["eng"])
    response = client.post("/portal/profile/notifications/", {
        "quote_status": "on", "order_status": "on", "service_request_comment": "on"})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        prefs = dict(MemberNotificationPreference.objects.filter(
            user=world.members["eng"]).values_list("kind", "email"))
    assert prefs["service_request_status"] is False
    assert prefs["quote_status"] is True


def test_customer_admin_invites_a_colleague_and_a_contact_is_created(
        world, member_client, tenant_a, in_tenant, mailoutbox,
        django_capture_on_commit_callbacks):
    client = member_client(world.members["boss"])
    assert client.get("/portal/team/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/team/", {
            "email": "newbie@hoth.test", "first_name": "New", "last_name": "Bie",
            "role": "member", "account": world.accounts["H"].pk})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        contact = Contact.objects.get(email="newbie@hoth.test")
        assert contact.account_id == world.accounts["H"].pk
        assert PortalMembership.objects.filter(contact=contact).exists()
    assert len(mailoutbox) == 1
    assert "/portal/invitation/" in mailoutbox[0].body


def test_customer_admin_cannot_invite_to_a_branch_while_branches_are_off(world,
                                                                        member_client):
    response = member_client(world.members["boss"]).post("/portal/team/", {
        "email": "x@hoth.test", "last_name": "X", "role": "member",
        "account": world.accounts["B1"].pk})
    assert response.status_code == 200  # not a choice: the form refuses it
    assert "account" in response.context["form"].errors


def test_plain_members_cannot_open_the_colleagues_page(world, member_client):
    assert member_client(world.members["eng"]).get("/portal/team/").status_code == 403


@pytest.mark.parametrize("path", ["/portal/quotes/", "/portal/assets/",
                                  "/portal/service-requests/", "/portal/"])
def test_member_lists_keep_a_query_budget(world, member_client, tenant_a, in_tenant, path,
                                          django_assert_max_num_queries):
    with in_tenant(tenant_a):
        set_branches(True)
        for index in range(30):
            account = world.accounts["B1a"]
            asset = make_asset(account, f"SN-MANY-{index}")
            make_quote(account)
            make_request(account, asset=asset)
    client = member_client(world.members["boss"])
    client.get(path)  # warm the session and the workspace formats
    # A fixed cost per page: the portal layout reads the branding and the site menu.
    with django_assert_max_num_queries(18):
        response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/portal/", "/portal/quotes/", "/portal/assets/",
                                  "/portal/service-requests/", "/portal/profile/",
                                  "/portal/profile/notifications/", "/portal/team/",
                                  "/portal/api/v1/quotes/", "/portal/api/v1/assets/",
                                  "/portal/api/v1/service-requests/", "/portal/api/v1/me/"])
def test_member_routes_survive_junk_query_parameters(world, member_client, path):
    junk = {"page": "x", "page_size": "-3", "cursor": "not-a-cursor", "ordering": "nope",
            "account": "-1", "status": "???"}
    response = member_client(world.members["boss"]).get(path, junk)
    assert response.status_code < 500, (path, response.status_code)


def test_customer_admin_withdraws_a_colleagues_access(world, member_client, tenant_a,
                                                      in_tenant):
    with in_tenant(tenant_a):
        colleague = PortalMembership.objects.get(user=world.members["buyer"])
        sibling = PortalMembership.objects.get(user=world.members["sib"])
    boss = member_client(world.members["boss"])
    assert "Withdraw access" in boss.get("/portal/team/").content.decode()
    response = boss.post(f"/portal/memberships/{colleague.pk}/withdraw/")
    assert response.status_code == 302
    with in_tenant(tenant_a):
        colleague.refresh_from_db()
        assert colleague.is_active is False
    assert member_client(world.members["buyer"]).get("/portal/").status_code == 403
    # Not one of the boss's accounts (branches off): 404; a plain member may not at all.
    assert boss.post(f"/portal/memberships/{sibling.pk}/withdraw/").status_code == 404
    assert member_client(world.members["eng"]).post(
        f"/portal/memberships/{sibling.pk}/withdraw/").status_code == 404
