"""The demo portal: the head office with branches, the two documented members."""

from crm.quotes.models import Quote
from crm.service.models import Asset, ServiceRequest
from portal import selectors
from portal.demo import seed_portal
from portal.models import MemberRole, PortalMembership
from portal.settings_selectors import portal_settings
from tenants.users.models import User


def test_demo_members_see_what_the_readme_promises(tenant_a, in_tenant, tenant_client):
    with in_tenant(tenant_a):
        seed_portal()
        seed_portal()  # idempotent
        buyer = User.objects.get(email="buyer@customer.test")
        engineer = User.objects.get(email="engineer@customer.test")
        assert buyer.check_password("demo-pass-123")
        head = PortalMembership.objects.get(user=buyer)
        assert head.role == MemberRole.CUSTOMER_ADMIN
        assert head.account.parent_id is None
        branches = list(head.account.children.all())
        assert len(branches) >= 2
        for branch in branches:
            assert Asset.objects.filter(account=branch).exists()
            assert Quote.objects.filter(account=branch).exists()
            assert ServiceRequest.objects.filter(account=branch).exists()
        assert portal_settings().admins_see_branches
        assert set(selectors.accessible_account_ids(buyer)) >= {b.pk for b in branches}
        member = PortalMembership.objects.get(user=engineer)
        assert member.role == MemberRole.MEMBER
        assert member.account in branches
        assert selectors.member_quotes(engineer).count() < selectors.member_quotes(
            buyer).count()
    client = tenant_client(tenant_a)
    response = client.post("/portal/login/", {"username": "buyer@customer.test",
                                              "password": "demo-pass-123"})
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200
