"""Activity pages: Today (and the home widget), list, create forms, feed, check-in, nearby,
timelines; isolation between tenants and reps; query budgets on list pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.activities.models import AccountLocation, Activity, ActivityKind, ActivityLike
from crm.activities.services import activity_comment, activity_create, activity_log
from tests.crm.accounts.factories import make_account
from tests.crm.core.factories import make_team


def test_today_page_and_home_widget_show_the_viewers_day(tenant_a, in_tenant, people_a,
                                                         tenant_client):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        activity_create(actor=rep, kind=ActivityKind.TASK, subject="Overdue quote",
                        due_at=timezone.now() - timedelta(days=1))
        activity_create(actor=people_a["rep2"], kind=ActivityKind.TASK, subject="Not for rep",
                        due_at=timezone.now() - timedelta(days=1))
    client = tenant_client(tenant_a, rep)
    page = client.get("/crm/today/")
    assert page.status_code == 200
    assert "Overdue quote" in page.content.decode()
    assert "Not for rep" not in page.content.decode()
    home = client.get("/crm/")
    assert home.status_code == 200
    assert "Overdue quote" in home.content.decode()


def test_activity_list_page_filters_and_stays_within_its_query_budget(
        tenant_a, in_tenant, people_a, tenant_client, django_assert_max_num_queries):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep)
        for index in range(30):
            activity_log(actor=rep, kind=ActivityKind.CALL if index % 2 else ActivityKind.LOG,
                         subject=f"Item {index}", target=account)
    client = tenant_client(tenant_a, rep)
    with django_assert_max_num_queries(14):
        page = client.get("/crm/activities/")
    assert page.status_code == 200
    assert page.content.decode().count("Item ") == 30
    calls = client.get("/crm/activities/?kind=call", HTTP_HX_REQUEST="true")
    assert calls.status_code == 200
    assert calls.content.decode().count("Item ") == 15
    assert "<html" not in calls.content.decode()  # htmx gets the rows only


def test_create_forms_for_each_kind_save_through_htmx(tenant_a, in_tenant, people_a,
                                                      tenant_client):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep)
    client = tenant_client(tenant_a, rep)
    for kind in ActivityKind.values:
        form = client.get(f"/crm/activities/new/{kind}/?target_type=account&target_id={account.pk}")
        assert form.status_code == 200
    response = client.post("/crm/activities/new/call/", {
        "subject": "Called the buyer", "notes": "", "target_type": "account",
        "target_id": account.pk, "occurred_at": "", "due_at": "", "remind_at": "",
        "duration_minutes": "10"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/crm/activities/")
    invalid = client.post("/crm/activities/new/task/", {"subject": "No due date"},
                          HTTP_HX_REQUEST="true")
    assert invalid.status_code == 200
    assert "errorlist" in invalid.content.decode()
    with in_tenant(tenant_a):
        call = Activity.objects.get(subject="Called the buyer")
        assert (call.account_id, call.duration_minutes) == (account.pk, 10)
        assert not Activity.objects.filter(subject="No due date").exists()


def test_activity_pages_of_another_rep_or_tenant_are_404(tenant_a, tenant_b, in_tenant,
                                                          people_a, people_b, tenant_client):
    with in_tenant(tenant_a):
        private = activity_log(actor=people_a["rep2"], kind=ActivityKind.CALL,
                               subject="rep2 only", target=make_account(owner=people_a["rep2"]))
    with in_tenant(tenant_b):
        foreign = activity_log(actor=people_b["rep"], kind=ActivityKind.LOG, subject="beta log")
    client = tenant_client(tenant_a, people_a["rep"])
    assert client.get(f"/crm/activities/{private.pk}/").status_code == 404
    assert client.post(f"/crm/activities/{private.pk}/like/").status_code == 404
    assert client.post(f"/crm/activities/{private.pk}/comments/", {"body": "hi"}).status_code == 404
    assert client.get(f"/crm/activities/{foreign.pk}/").status_code == 404
    assert client.get(f"/crm/activities/timeline/account/{private.account_id}/").status_code == 404
    admin = tenant_client(tenant_a, people_a["admin"])
    assert admin.get(f"/crm/activities/{private.pk}/").status_code == 200


def test_feed_comments_and_likes_through_htmx(tenant_a, in_tenant, people_a, tenant_client,
                                              django_assert_max_num_queries):
    rep, rep2 = people_a["rep"], people_a["manager"]  # the manager of rep's team
    with in_tenant(tenant_a):
        make_team("Feed team", managers=[rep2]).members.set([rep])
        logs = [activity_log(actor=rep, kind=ActivityKind.LOG, subject=f"Day {i}")
                for i in range(10)]
        for log in logs:
            activity_comment(activity=log, actor=rep2, body="Well done")
    client = tenant_client(tenant_a, rep2)
    with django_assert_max_num_queries(12):
        feed = client.get("/crm/activities/feed/")
    assert feed.status_code == 200
    assert "Day 9" in feed.content.decode()
    liked = client.post(f"/crm/activities/{logs[0].pk}/like/", HTTP_HX_REQUEST="true")
    assert liked.status_code == 200
    assert "Liked" in liked.content.decode()
    client.post(f"/crm/activities/{logs[0].pk}/like/", HTTP_HX_REQUEST="true")
    commented = client.post(f"/crm/activities/{logs[0].pk}/comments/", {"body": "Great"},
                            HTTP_HX_REQUEST="true")
    assert commented.status_code == 200
    assert "Great" in commented.content.decode()
    empty = client.post(f"/crm/activities/{logs[0].pk}/comments/", {"body": ""},
                        HTTP_HX_REQUEST="true")
    assert empty.status_code == 400
    with in_tenant(tenant_a):
        assert ActivityLike.objects.filter(activity=logs[0]).count() == 1
    readonly = tenant_client(tenant_a, people_a["readonly"])
    assert readonly.post(f"/crm/activities/{logs[1].pk}/like/").status_code == 403


def test_check_in_form_validates_and_nearby_page_lists_accounts(tenant_a, in_tenant, people_a,
                                                               tenant_client):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep, name="Shanghai Plant")
    client = tenant_client(tenant_a, rep)
    page = client.get(f"/crm/activities/check-in/?target_type=account&target_id={account.pk}")
    assert page.status_code == 200
    assert "check_in.js" in page.content.decode()
    bad = client.post("/crm/activities/check-in/", {
        "latitude": "95", "longitude": "121", "target_type": "account", "target_id": account.pk})
    assert bad.status_code == 400
    good = client.post("/crm/activities/check-in/", {
        "latitude": "31.2304", "longitude": "121.4737", "target_type": "account",
        "target_id": account.pk, "address": "", "subject": "", "notes": ""})
    assert good.status_code == 302
    with in_tenant(tenant_a):
        assert AccountLocation.objects.filter(account=account).exists()
    nearby = client.get("/crm/activities/nearby/?latitude=31.23&longitude=121.47&radius_km=5")
    assert nearby.status_code == 200
    assert "Shanghai Plant" in nearby.content.decode()
    assert client.get("/crm/activities/nearby/?latitude=200&longitude=0").status_code == 400


def test_account_page_shows_the_timeline_panel(tenant_a, in_tenant, people_a, tenant_client):
    rep = people_a["rep"]
    with in_tenant(tenant_a):
        account = make_account(owner=rep)
        activity_log(actor=rep, kind=ActivityKind.CALL, subject="Panel call", target=account)
    page = tenant_client(tenant_a, rep).get(f"/crm/accounts/{account.pk}/")
    assert page.status_code == 200
    assert "Panel call" in page.content.decode()


@pytest.mark.parametrize("path", ["/crm/today/", "/crm/activities/", "/crm/activities/feed/"])
def test_activity_pages_need_a_login(tenant_a, tenant_client, path):
    response = tenant_client(tenant_a).get(path)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_today_page_with_reclaim_warnings_keeps_its_query_budget(
        tenant_a, in_tenant, people_a, tenant_client, django_assert_max_num_queries):
    from crm.pool.services import pool_add_accounts, pool_claim, pool_create

    rep = people_a["rep"]
    with in_tenant(tenant_a):
        pool = pool_create(actor=None, name="Warn pool", reclaim_after_days_without_activity=10,
                           reclaim_after_days_without_won_deal=None, warn_days_before=5)
        for index in range(8):
            account = make_account(owner=None, name=f"Slipping {index}")
            pool_add_accounts(pool=pool, accounts=[account], actor=None)
            pool_claim(account=account, actor=rep, now=timezone.now() - timedelta(days=7))
            activity_create(actor=rep, kind=ActivityKind.TASK, subject=f"Task {index}",
                            target=account, due_at=timezone.now() - timedelta(days=index))
    client = tenant_client(tenant_a, rep)
    with django_assert_max_num_queries(14):
        page = client.get("/crm/today/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Slipping 7" in body
    assert "No follow-up activity for 10 days." in body


def test_account_page_shows_the_pool_panel_with_the_last_reason(tenant_a, in_tenant, people_a,
                                                                tenant_client):
    from crm.pool.services import pool_add_accounts, pool_claim, pool_create, pool_return

    rep = people_a["rep"]
    with in_tenant(tenant_a):
        pool = pool_create(actor=None, name="Panel pool")
        account = make_account(owner=None, name="Panel account")
        pool_add_accounts(pool=pool, accounts=[account], actor=None)
        pool_claim(account=account, actor=rep)
        pool_return(account=account, actor=rep, reason="Budget frozen until 2028")
    page = tenant_client(tenant_a, people_a["rep2"]).get(f"/crm/accounts/{account.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Budget frozen until 2028" in body
    assert "Panel pool" in body
