"""Every path that makes a staff seat goes through the one seat service and is refused over
the limit: invitations (page, API, service), accepting, reactivation, a portal member made
staff, the Django admin's add and change forms, Wagtail's create and edit pages and its bulk
"set active state" action. Open invitations hold seats; deactivation frees one."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.services.seats import SeatLimitExceededError
from crm.staff.models import Invitation
from crm.staff.services.invitations import invitation_create
from crm.staff.services.seats import staff_seat_check
from crm.staff.services.users import user_deactivate, user_make_staff, user_reactivate
from tenants.seats import seats_in_use
from tenants.users.models import Role, User, UserKind

from .helpers import last_link

ACTIVE_IN_ALPHA = 7
PASSWORD = "Blue-giraffe-sings-42"


def _member(email="member@alpha.test", **extra):
    return User.objects.create_user(email=email, password=PASSWORD, kind=UserKind.MEMBER,
                                    **extra)


def test_alpha_starts_with_seven_seats_in_use(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        assert seats_in_use() == ACTIVE_IN_ALPHA


def test_open_invitations_hold_seats_until_they_expire(tenant_a, in_tenant, people_a,
                                                       paid_seats):
    paid_seats(ACTIVE_IN_ALPHA + 1)
    with in_tenant(tenant_a):
        invitation_create(email="one@alpha.test", role=Role.SALES_REP, actor=people_a["admin"])
        with pytest.raises(SeatLimitExceededError) as refused:
            staff_seat_check()
        assert "8 staff seats" in str(refused.value)
        assert "1 are held by open invitations" in str(refused.value)
        Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        staff_seat_check()  # an expired invitation holds nothing


def test_invitation_over_the_limit_is_refused_by_the_service(tenant_a, in_tenant, people_a,
                                                             paid_seats):
    paid_seats(ACTIVE_IN_ALPHA)
    with in_tenant(tenant_a), pytest.raises(ValidationError, match="7 staff seats"):
        invitation_create(email="over@alpha.test", role=Role.SALES_REP, actor=people_a["admin"])
    with in_tenant(tenant_a):
        assert not User.objects.filter(email="over@alpha.test").exists()


def test_invitation_page_over_the_limit_shows_the_limit(tenant_a, in_tenant, people_a,
                                                        tenant_client, paid_seats):
    paid_seats(ACTIVE_IN_ALPHA)
    response = tenant_client(tenant_a, people_a["admin"]).post("/crm/settings/users/invite/", {
        "email": "over@alpha.test", "role": Role.SALES_REP})
    assert response.status_code == 400
    assert "7 staff seats" in response.content.decode()
    assert "/crm/settings/billing/" in response.content.decode()
    with in_tenant(tenant_a):
        assert not User.objects.filter(email="over@alpha.test").exists()


def test_api_invitation_over_the_limit_answers_400_naming_the_limit(
        tenant_a, in_tenant, people_a, tenant_client, paid_seats):
    paid_seats(ACTIVE_IN_ALPHA)
    response = tenant_client(tenant_a, people_a["admin"]).post(
        "/api/v1/users/", {"email": "over@alpha.test", "first_name": "O", "last_name": "V",
                           "role": Role.SALES_REP}, content_type="application/json")
    assert response.status_code == 400
    assert "7 staff seats" in " ".join(response.json()["detail"])


def test_accepting_needs_the_seat_when_paid_seats_went_down(
        tenant_a, in_tenant, people_a, tenant_client, paid_seats,
        django_capture_on_commit_callbacks):
    with in_tenant(tenant_a), django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(email="late@alpha.test", role=Role.SALES_REP,
                                       actor=people_a["admin"])
    paid_seats(ACTIVE_IN_ALPHA)
    link = last_link("late@alpha.test")
    response = tenant_client(tenant_a).post(link["path"], {"password1": PASSWORD,
                                                           "password2": PASSWORD})
    assert response.status_code == 400
    assert "no free seat" in response.content.decode()
    with in_tenant(tenant_a):
        assert not User.objects.get(pk=invitation.user_id).is_active
    paid_seats(ACTIVE_IN_ALPHA + 1)
    assert tenant_client(tenant_a).post(link["path"], {
        "password1": PASSWORD, "password2": PASSWORD}).status_code == 302


def test_deactivation_frees_a_seat_and_reactivation_needs_one(tenant_a, in_tenant, people_a,
                                                              paid_seats):
    paid_seats(ACTIVE_IN_ALPHA)
    with in_tenant(tenant_a):
        user_deactivate(user=people_a["rep2"], actor=people_a["admin"])
        assert seats_in_use() == ACTIVE_IN_ALPHA - 1
        invitation_create(email="fills@alpha.test", role=Role.SALES_REP,
                          actor=people_a["admin"])  # the freed seat is taken again
        with pytest.raises(ValidationError, match="7 staff seats"):
            user_reactivate(user=people_a["rep2"], actor=people_a["admin"])
        assert not User.objects.get(pk=people_a["rep2"].pk).is_active


def test_reactivation_page_and_api_over_the_limit(tenant_a, in_tenant, people_a, tenant_client,
                                                  paid_seats):
    with in_tenant(tenant_a):
        user_deactivate(user=people_a["rep2"], actor=people_a["admin"])
    paid_seats(ACTIVE_IN_ALPHA - 1)
    client = tenant_client(tenant_a, people_a["admin"])
    rep2 = people_a["rep2"].pk

    page = client.post(f"/crm/settings/users/{rep2}/reactivate/")
    api = client.post(f"/api/v1/users/{rep2}/reactivate/")

    assert page.status_code == 400
    assert "6 staff seats" in page.content.decode()
    assert api.status_code == 400
    assert "6 staff seats" in " ".join(api.json()["detail"])
    with in_tenant(tenant_a):
        assert not User.objects.get(pk=rep2).is_active


def test_a_member_made_staff_needs_a_seat(tenant_a, in_tenant, people_a, paid_seats):
    paid_seats(ACTIVE_IN_ALPHA)
    with in_tenant(tenant_a):
        member = _member()
        with pytest.raises(ValidationError, match="7 staff seats"):
            user_make_staff(user=member, role=Role.SALES_REP, actor=people_a["admin"])
        assert User.objects.get(pk=member.pk).kind == UserKind.MEMBER
    paid_seats(ACTIVE_IN_ALPHA + 1)
    with in_tenant(tenant_a):
        made = user_make_staff(user=member, role=Role.SALES_REP, actor=people_a["admin"])
        assert (made.kind, made.role) == (UserKind.STAFF, Role.SALES_REP)


# The Django admin --------------------------------------------------------------------------

def _admin_change_data(user: User, **overrides) -> dict[str, str]:
    data = {
        "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "phone": "", "language": "", "kind": user.kind, "role": user.role, "manager": "",
        "is_active": "on" if user.is_active else "",
        "last_login_0": "", "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_django_admin_add_form_counts_open_invitations(tenant_a, in_tenant, people_a,
                                                       tenant_client, paid_seats):
    paid_seats(ACTIVE_IN_ALPHA + 1)
    with in_tenant(tenant_a):
        invitation_create(email="held@alpha.test", role=Role.SALES_REP, actor=people_a["admin"])
    response = tenant_client(tenant_a, people_a["admin"]).post("/admin/users/user/add/", {
        "email": "new@alpha.test", "first_name": "N", "last_name": "U", "role": "sales_rep",
        "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true",
    })
    assert response.status_code == 200
    assert "8 staff seats" in response.content.decode()
    with in_tenant(tenant_a):
        assert not User.objects.filter(email="new@alpha.test").exists()


def test_django_admin_change_form_checks_reactivation(tenant_a, in_tenant, people_a,
                                                      tenant_client, paid_seats):
    with in_tenant(tenant_a):
        user_deactivate(user=people_a["rep2"], actor=people_a["admin"])
        rep2 = User.objects.get(pk=people_a["rep2"].pk)
    paid_seats(ACTIVE_IN_ALPHA - 1)
    client = tenant_client(tenant_a, people_a["admin"])

    response = client.post(f"/admin/users/user/{rep2.pk}/change/",
                           _admin_change_data(rep2, is_active="on"))

    assert response.status_code == 200
    assert "6 staff seats" in response.content.decode()
    with in_tenant(tenant_a):
        assert not User.objects.get(pk=rep2.pk).is_active
    paid_seats(ACTIVE_IN_ALPHA)
    saved = client.post(f"/admin/users/user/{rep2.pk}/change/",
                        _admin_change_data(rep2, is_active="on"))
    assert saved.status_code == 302
    with in_tenant(tenant_a):
        assert User.objects.get(pk=rep2.pk).is_active


def test_django_admin_change_form_checks_a_member_turned_staff(tenant_a, in_tenant, people_a,
                                                               tenant_client, paid_seats):
    paid_seats(ACTIVE_IN_ALPHA)
    with in_tenant(tenant_a):
        member = _member()
    response = tenant_client(tenant_a, people_a["admin"]).post(
        f"/admin/users/user/{member.pk}/change/",
        _admin_change_data(member, kind=UserKind.STAFF, role=Role.SALES_REP))
    assert response.status_code == 200
    assert "7 staff seats" in response.content.decode()
    with in_tenant(tenant_a):
        assert User.objects.get(pk=member.pk).kind == UserKind.MEMBER


def test_django_admin_change_form_keeps_the_last_admin(tenant_a, in_tenant, people_a,
                                                       tenant_client):
    admin = people_a["admin"]
    response = tenant_client(tenant_a, admin).post(
        f"/admin/users/user/{admin.pk}/change/",
        _admin_change_data(admin, role=Role.SALES_REP, is_staff="on", is_superuser="on"))
    assert response.status_code == 200
    assert "last active administrator" in response.content.decode()
    with in_tenant(tenant_a):
        assert User.objects.get(pk=admin.pk).role == Role.ADMIN


# Wagtail's user pages -----------------------------------------------------------------------

def test_wagtail_create_user_over_the_limit_is_refused(tenant_a, in_tenant, people_a,
                                                       tenant_client, paid_seats):
    paid_seats(ACTIVE_IN_ALPHA)
    client = tenant_client(tenant_a, people_a["admin"])
    data = {"email": "cms@alpha.test", "first_name": "C", "last_name": "M",
            "password1": PASSWORD, "password2": PASSWORD}

    refused = client.post("/cms/users/add/", data)

    assert refused.status_code == 200
    assert "7 staff seats" in refused.content.decode()
    with in_tenant(tenant_a):
        assert not User.objects.filter(email="cms@alpha.test").exists()
    paid_seats(ACTIVE_IN_ALPHA + 1)
    assert client.post("/cms/users/add/", data).status_code == 302
    with in_tenant(tenant_a):
        assert User.objects.get(email="cms@alpha.test").is_active


def test_wagtail_edit_reactivation_over_the_limit_is_refused(tenant_a, in_tenant, people_a,
                                                             tenant_client, paid_seats):
    with in_tenant(tenant_a):
        user_deactivate(user=people_a["rep2"], actor=people_a["admin"])
    paid_seats(ACTIVE_IN_ALPHA - 1)
    rep2 = people_a["rep2"]

    response = tenant_client(tenant_a, people_a["admin"]).post(
        f"/cms/users/edit/{rep2.pk}/", {"email": rep2.email, "first_name": rep2.first_name,
                                        "last_name": rep2.last_name, "is_active": "on"})

    assert response.status_code == 200
    assert "6 staff seats" in response.content.decode()
    with in_tenant(tenant_a):
        assert not User.objects.get(pk=rep2.pk).is_active


def test_wagtail_bulk_activation_over_the_limit_is_refused(tenant_a, in_tenant, people_a,
                                                           tenant_client, paid_seats):
    with in_tenant(tenant_a):
        for key in ("rep", "rep2"):
            user_deactivate(user=people_a[key], actor=people_a["admin"])
    paid_seats(ACTIVE_IN_ALPHA - 1)  # room for one of the two
    ids = f"id={people_a['rep'].pk}&id={people_a['rep2'].pk}"
    client = tenant_client(tenant_a, people_a["admin"])

    response = client.post(f"/cms/bulk/users/user/set_active_state/?{ids}&next=/cms/users/",
                           {"mark_as_active": "True"}, follow=True)

    assert response.status_code == 200
    assert "6 staff seats" in response.content.decode()
    with in_tenant(tenant_a):
        assert not User.objects.filter(pk__in=[people_a["rep"].pk, people_a["rep2"].pk],
                                       is_active=True).exists()
    paid_seats(ACTIVE_IN_ALPHA)
    client.post(f"/cms/bulk/users/user/set_active_state/?{ids}&next=/cms/users/",
                {"mark_as_active": "True"})
    with in_tenant(tenant_a):
        assert User.objects.filter(pk__in=[people_a["rep"].pk, people_a["rep2"].pk],
                                   is_active=True).count() == 2
