"""Activity reads: the visibility matrix per role, timelines, Today, nearby accounts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from crm.activities.models import AccountLocation, ActivityKind
from crm.activities.selectors import (
    activity_get_for,
    activity_list,
    nearby_accounts,
    timeline_for,
    today_for,
)
from crm.activities.services import activity_create, activity_log
from crm.pool.services import pool_add_accounts, pool_claim, pool_create
from crm.sales.services import opportunity_create
from tests.crm.accounts.factories import make_account, make_contact
from tests.crm.activities.conftest import fresh
from tests.crm.core.factories import make_team


@pytest.fixture
def activities_a(tenant_a, in_tenant, people_a):
    rep, rep2 = people_a["rep"], people_a["rep2"]
    with in_tenant(tenant_a):
        team = make_team("East", managers=[people_a["manager"]])
        team.members.set([rep])
        own = make_account(owner=rep)
        other = make_account(owner=rep2)
        pooled = make_account(owner=None)
        opportunity = opportunity_create(account=own, name="Big deal", amount=1000,
                                         currency=None, close_date=date.today(), owner=rep,
                                         actor=rep)
        return {
            "rep": activity_log(actor=rep, kind=ActivityKind.CALL, subject="mine", target=own),
            "rep2": activity_log(actor=rep2, kind=ActivityKind.CALL, subject="theirs",
                                 target=other),
            "pool": activity_log(actor=rep2, kind=ActivityKind.VISIT, subject="pool",
                                 target=pooled),
            "opportunity": activity_log(actor=rep, kind=ActivityKind.MEETING, subject="deal",
                                        target=opportunity),
        }


# viewer -> which activities they see
MATRIX = {
    "admin": {"rep", "rep2", "pool", "opportunity"},
    "readonly": {"rep", "rep2", "pool", "opportunity"},
    "manager": {"rep", "pool", "opportunity"},  # their team's rep and the pool
    "rep": {"rep", "pool", "opportunity"},
    "rep2": {"rep2", "pool"},  # the pool account's history is open to the next rep
    "agent": {"rep", "rep2", "pool"},  # all accounts, but nothing on deals or leads
}


@pytest.mark.parametrize(("role", "expected"), list(MATRIX.items()))
def test_activity_visibility_matrix(tenant_a, in_tenant, people_a, activities_a, role,
                                    expected):
    with in_tenant(tenant_a):
        viewer = fresh(people_a[role])
        visible = set(activity_list(viewer=viewer).values_list("pk", flat=True))
        assert visible == {activities_a[key].pk for key in expected}
        for key, activity in activities_a.items():
            if key in expected:
                assert activity_get_for(viewer=viewer, activity_id=activity.pk) == activity
            else:
                with pytest.raises(Http404):
                    activity_get_for(viewer=viewer, activity_id=activity.pk)


def test_account_timeline_holds_contact_and_opportunity_activities(tenant_a, in_tenant,
                                                                   people_a):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account, elsewhere = make_account(owner=rep), make_account(owner=rep)
        contact = make_contact(account=account)
        opportunity = opportunity_create(account=account, name="Deal", amount=5, currency=None,
                                         close_date=date.today(), owner=rep, actor=rep)
        now = timezone.now()
        on_account = activity_log(actor=rep, kind=ActivityKind.CALL, subject="a",
                                  target=account, occurred_at=now - timedelta(days=3))
        on_contact = activity_log(actor=rep, kind=ActivityKind.CALL, subject="c",
                                  target=contact, occurred_at=now - timedelta(days=2))
        on_deal = activity_log(actor=rep, kind=ActivityKind.MEETING, subject="o",
                               target=opportunity, occurred_at=now - timedelta(days=1))
        activity_log(actor=rep, kind=ActivityKind.CALL, subject="x", target=elsewhere)
        assert timeline_for(viewer=fresh(rep), record=account) == [on_deal, on_contact,
                                                                    on_account]
        assert timeline_for(viewer=fresh(rep), record=contact) == [on_contact]
        assert timeline_for(viewer=fresh(rep), record=opportunity) == [on_deal]
        # Service agents see the account's timeline without the deal's activities.
        agent_view = timeline_for(viewer=fresh(people_a["agent"]), record=account)
        assert agent_view == [on_contact, on_account]


def test_today_lists_overdue_due_reminders_follow_ups_and_reclaim_warnings(
        tenant_a, in_tenant, people_a):
    rep = people_a["rep"]
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with in_tenant(tenant_a):
        overdue = activity_create(actor=rep, kind=ActivityKind.TASK, subject="overdue",
                                  due_at=now - timedelta(days=2))
        due = activity_create(actor=rep, kind=ActivityKind.TASK, subject="today",
                              due_at=now + timedelta(hours=3))
        later = activity_create(actor=rep, kind=ActivityKind.TASK, subject="later",
                                due_at=now + timedelta(days=5), remind_at=now - timedelta(hours=1))
        call = activity_create(actor=rep, kind=ActivityKind.CALL, subject="call back",
                               due_at=now + timedelta(hours=4), done=False)
        activity_create(actor=people_a["rep2"], kind=ActivityKind.TASK, subject="not mine",
                        due_at=now - timedelta(days=1))
        pool = pool_create(actor=None, name="Today pool", reclaim_after_days_without_activity=10,
                           reclaim_after_days_without_won_deal=None, warn_days_before=3)
        account = make_account(owner=None, name="Slipping Co")
        pool_add_accounts(pool=pool, accounts=[account], actor=None)
        pool_claim(account=account, actor=rep, now=now - timedelta(days=8))
        today = today_for(viewer=fresh(rep), now=now)
        assert today.overdue == [overdue]
        assert today.due_today == [due]
        assert today.reminders == [later]
        assert today.follow_ups == [call]
        assert [w.account for w in today.reclaim_warnings] == [account]
        assert today.reclaim_warnings[0].deadline.at == now + timedelta(days=2)


def test_nearby_accounts_are_ordered_by_distance_within_the_radius(tenant_a, in_tenant,
                                                                  people_a):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        places = {
            "people_square": ("31.2304", "121.4737"),
            "pudong_airport": ("31.1443", "121.8083"),  # ~33 km
            "hongqiao": ("31.1979", "121.3364"),  # ~13.5 km
            "beijing": ("39.9042", "116.4074"),  # ~1,067 km
        }
        accounts = {}
        for name, (lat, lon) in places.items():
            accounts[name] = make_account(owner=rep, name=name)
            AccountLocation.objects.create(account=accounts[name], latitude=Decimal(lat),
                                           longitude=Decimal(lon))
        hidden = make_account(owner=people_a["rep2"], name="someone else's")
        AccountLocation.objects.create(account=hidden, latitude=Decimal("31.2305"),
                                       longitude=Decimal("121.4738"))
        make_account(owner=rep, name="no location")
        found = nearby_accounts(viewer=fresh(rep), latitude="31.2304", longitude="121.4737",
                                radius_km=50)
        assert [a.name for a in found] == ["people_square", "hongqiao", "pudong_airport"]
        assert found[0].distance_km == pytest.approx(0, abs=0.01)
        assert found[1].distance_km == pytest.approx(13.5, abs=1.0)
        assert found[2].distance_km == pytest.approx(33.5, abs=1.5)
        everywhere = nearby_accounts(viewer=fresh(rep), latitude="31.2304",
                                     longitude="121.4737", radius_km=None)
        assert everywhere[-1].name == "beijing"
        assert everywhere[-1].distance_km == pytest.approx(1067, rel=0.01)
