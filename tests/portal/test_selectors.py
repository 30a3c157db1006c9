"""The portal selector layer: what each member sees on the account tree."""

import pytest
from django.http import Http404

from portal import selectors
from portal.models import PortalMembership
from tests.portal.conftest import make_member, set_branches


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_member_sees_own_quotes_and_requests_and_all_assets_of_their_account(world, tenant_a,
                                                                            in_tenant):
    with in_tenant(tenant_a):
        eng = world.members["eng"]
        assert _ids(selectors.member_quotes(eng)) == {
            world.quotes["B1_eng"].pk, world.quotes["B1_eng_requested"].pk}
        assert _ids(selectors.member_service_requests(eng)) == {
            world.requests["B1_eng"].pk, world.requests["B1_eng_contact"].pk}
        assert _ids(selectors.member_assets(eng)) == {world.assets["B1"].pk}
        assert selectors.accessible_account_ids(eng) == [world.accounts["B1"].pk]


def test_member_does_not_see_a_colleagues_quote_or_request(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        eng = world.members["eng"]
        with pytest.raises(Http404):
            selectors.member_quote_get(eng, world.quotes["B1_peer"].pk)
        with pytest.raises(Http404):
            selectors.member_service_request_get(eng, world.requests["B1_peer"].pk)


def test_a_sibling_branchs_member_sees_nothing_of_the_other_branch(world, tenant_a,
                                                                   in_tenant):
    with in_tenant(tenant_a):
        sib = world.members["sib"]
        for getter, record in ((selectors.member_quote_get, world.quotes["B1_eng"]),
                               (selectors.member_asset_get, world.assets["B1"]),
                               (selectors.member_service_request_get,
                                world.requests["B1_eng"])):
            with pytest.raises(Http404):
                getter(sib, record.pk)
        assert selectors.accessible_account_ids(sib) == [world.accounts["B2"].pk]


def test_internal_drafts_are_never_shown_to_customers(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        set_branches(True)
        boss = world.members["boss"]
        assert world.quotes["B1_draft"].pk not in _ids(selectors.member_quotes(boss))
        with pytest.raises(Http404):
            selectors.member_quote_get(world.members["eng"], world.quotes["B1_draft"].pk)


def test_customer_admin_sees_only_their_account_while_branches_are_off(world, tenant_a,
                                                                       in_tenant):
    with in_tenant(tenant_a):
        set_branches(False)
        boss = world.members["boss"]
        assert selectors.accessible_account_ids(boss) == [world.accounts["H"].pk]
        # Everything of the head office, not only the admin's own: the buyer's request too.
        assert _ids(selectors.member_service_requests(boss)) == {world.requests["H"].pk}
        with pytest.raises(Http404):
            selectors.member_asset_get(boss, world.assets["B1"].pk)


def test_customer_admin_sees_every_branch_at_any_depth_when_allowed(world, tenant_a,
                                                                    in_tenant):
    with in_tenant(tenant_a):
        set_branches(True)
        boss = world.members["boss"]
        assert set(selectors.accessible_account_ids(boss)) == {
            a.pk for a in world.accounts.values()}
        quotes = _ids(selectors.member_quotes(boss))
        assert {world.quotes[k].pk for k in ("H", "B1_eng", "B1_peer", "B1a", "B2",
                                             "B1_eng_requested")} == quotes
        assert selectors.member_asset_get(boss, world.assets["B1a"].pk).pk == \
            world.assets["B1a"].pk


def test_a_plain_member_of_the_head_office_does_not_see_branches_even_when_allowed(
        world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        set_branches(True)
        buyer = world.members["buyer"]
        assert selectors.accessible_account_ids(buyer) == [world.accounts["H"].pk]
        assert _ids(selectors.member_quotes(buyer)) == set()  # the boss's quote is not theirs
        assert _ids(selectors.member_service_requests(buyer)) == {world.requests["H"].pk}


def test_member_of_two_accounts_sees_both_and_for_account_narrows(world, tenant_a,
                                                                  in_tenant):
    with in_tenant(tenant_a):
        eng = world.members["eng"]
        make_member("eng@hoth.test", contact=world.contacts["sib"],
                    account=world.accounts["B2"])
        assert set(selectors.accessible_account_ids(eng)) == {world.accounts["B1"].pk,
                                                             world.accounts["B2"].pk}
        assert selectors.accessible_account_ids(
            eng, for_account=world.accounts["B2"].pk) == [world.accounts["B2"].pk]
        assert selectors.accessible_account_ids(eng, for_account=world.accounts["H"].pk) == []
        with pytest.raises(Http404):
            selectors.member_membership_get(eng, world.accounts["H"].pk)


def test_a_withdrawn_membership_gives_nothing(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        PortalMembership.objects.filter(user=world.members["eng"]).update(is_active=False)
        assert selectors.accessible_account_ids(world.members["eng"]) == []
        assert not selectors.member_assets(world.members["eng"]).exists()


def test_staff_users_have_no_portal_scope(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        admin = tenant_a.users["admin"]
        assert selectors.accessible_account_ids(admin) == []
        assert not selectors.member_quotes(admin).exists()
        with pytest.raises(Http404):
            selectors.member_quote_get(admin, world.quotes["H"].pk)


@pytest.mark.parametrize("garbage", ["abc", "", None, "1.5", "-1"])
def test_garbage_ids_are_404(world, tenant_a, in_tenant, garbage):
    with in_tenant(tenant_a), pytest.raises(Http404):
        selectors.member_asset_get(world.members["eng"], garbage)


def test_another_tenants_member_ids_are_not_found_here(world, member_b, tenant_a, tenant_b,
                                                      in_tenant):
    with in_tenant(tenant_b):
        for getter, record in ((selectors.member_quote_get, world.quotes["B1_eng"]),
                               (selectors.member_asset_get, world.assets["B1"]),
                               (selectors.member_service_request_get,
                                world.requests["B1_eng"])):
            with pytest.raises(Http404):
                getter(member_b, record.pk)


def test_notification_preferences_default_to_on(world, tenant_a, in_tenant):
    from portal.services.profile import member_notification_preferences_set

    with in_tenant(tenant_a):
        eng = world.members["eng"]
        assert selectors.member_wants_email(user=eng, kind="service_request_status")
        member_notification_preferences_set(member=eng, email={"service_request_status": False})
        assert not selectors.member_wants_email(user=eng, kind="service_request_status")
        assert selectors.member_wants_email(user=eng, kind="quote_status")
        assert not selectors.member_wants_email(user=tenant_a.users["admin"],
                                                kind="quote_status")


def test_a_member_sees_their_request_but_not_its_internal_revisions(world, tenant_a,
                                                                    in_tenant):
    from crm.quotes.models import QuoteStatus
    from tests.portal.conftest import make_quote

    with in_tenant(tenant_a):
        set_branches(True)
        eng, boss = world.members["eng"], world.members["boss"]
        b1 = world.accounts["B1"]
        # Revisions copy ``requested_by``: the staff's work on the request stays internal.
        internal = {status: make_quote(b1, requested_by=eng, status=status, sent=False)
                    for status in (QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL,
                                   QuoteStatus.APPROVED)}
        stale = make_quote(b1, requested_by=eng, status=QuoteStatus.PENDING_APPROVAL)
        sent = make_quote(b1, requested_by=eng, status=QuoteStatus.SENT)
        for who in (eng, boss):
            visible = _ids(selectors.member_quotes(who))
            assert world.quotes["B1_eng_requested"].pk in visible
            assert sent.pk in visible
            assert not visible & ({quote.pk for quote in internal.values()} | {stale.pk})
        with pytest.raises(Http404):
            selectors.member_quote_get(eng, internal[QuoteStatus.DRAFT].pk)


def test_members_see_orders_only_once_approved(world, tenant_a, in_tenant):
    from crm.orders.models import Order, OrderStatus
    from tests.crm.orders.factories import make_order

    with in_tenant(tenant_a):
        set_branches(True)
        eng, boss = world.members["eng"], world.members["boss"]
        orders = {}
        for status in OrderStatus.values:
            order = make_order(account=world.accounts["B1"], actor=tenant_a.users["admin"],
                               contact=world.contacts["eng"])
            Order.objects.filter(pk=order.pk).update(status=status)
            orders[status] = order.pk
        shown = {orders[s] for s in (OrderStatus.APPROVED, OrderStatus.PARTLY_DELIVERED,
                                     OrderStatus.DELIVERED, OrderStatus.CANCELLED,
                                     OrderStatus.SUPERSEDED)}
        assert _ids(selectors.member_orders(eng)) == shown
        assert _ids(selectors.member_orders(boss)) == shown
        for status in (OrderStatus.DRAFT, OrderStatus.PENDING_APPROVAL):
            with pytest.raises(Http404):
                selectors.member_order_get(eng, orders[status])
