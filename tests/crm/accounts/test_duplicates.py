# ruff: noqa: RUF001  (full-width CJK punctuation in company names is the point)
import pytest

from crm.accounts.duplicates import duplicate_groups, find_duplicates, trigram_available
from crm.accounts.models import AccountSettings
from crm.accounts.selectors import duplicate_candidates
from crm.accounts.services import account_settings_update
from tests.crm.accounts.factories import make_account


def _by_id(candidates):
    return {candidate.id: candidate for candidate in candidates}


def _server_offers_pg_trgm() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        return cursor.fetchone() is not None


def test_trigram_extension_is_installed_where_the_server_offers_it(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        if not _server_offers_pg_trgm():
            # e.g. the private PostgreSQL bundle make test starts when none runs
            assert not trigram_available()
            pytest.skip("this PostgreSQL has no pg_trgm; duplicate matching uses its fallback")
        assert trigram_available()


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ("中国工商银行北京分行", "北京工行"),
        ("华为技术（上海）", "上海华为技术有限公司"),
        ("International Business Machines Corp.", "IBM"),
    ],
)
def test_alias_and_location_spellings_are_found(tenant_a, in_tenant, existing, typed):
    with in_tenant(tenant_a):
        account = make_account(name=existing)
        found = _by_id(duplicate_candidates(viewer=tenant_a.users["admin"], name=typed))
        assert account.pk in found
        assert found[account.pk].score >= 0.95
        assert found[account.pk].reasons[0] in {"same_name", "alias"}


def test_exact_normalised_name_scores_one(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        account = make_account(name="Acme Holdings, Inc.")
        found = _by_id(duplicate_candidates(viewer=tenant_a.users["admin"], name="ACME holdings"))
        assert found[account.pk].score == 1.0
        assert found[account.pk].reasons == ["same_name"]


def test_similar_names_are_found_by_trigram_similarity(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        account = make_account(name="Northwind Traders Ltd")
        unrelated = make_account(name="Zebra Paint Works")
        found = _by_id(duplicate_candidates(viewer=tenant_a.users["admin"],
                                            name="Northwind Trader"))
        assert account.pk in found
        assert "similar_name" in found[account.pk].reasons or "contains" in found[
            account.pk].reasons
        assert 0.4 <= found[account.pk].score < 1.0
        assert unrelated.pk not in found


def test_same_phone_and_same_domain_are_signals(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        by_phone = make_account(name="Completely Different A", phone="+86 (10) 8888-6666")
        by_site = make_account(name="Completely Different B", website="http://www.foo-bar.example")
        found = _by_id(duplicate_candidates(
            viewer=tenant_a.users["admin"], name="Something Else", phone="010 8888 6666",
            email="buyer@foo-bar.example",
        ))
        assert found[by_phone.pk].reasons == ["phone"]
        assert found[by_phone.pk].score == pytest.approx(0.9)
        assert found[by_site.pk].reasons == ["domain"]
        assert found[by_site.pk].score == pytest.approx(0.8)


def test_free_mail_domains_are_not_a_signal(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        make_account(name="Mailbox Co", website="https://qq.com")
        assert duplicate_candidates(viewer=tenant_a.users["admin"], name="",
                                    email="someone@qq.com") == []


def test_unrelated_names_are_not_candidates(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        make_account(name="上海银行")
        make_account(name="建设银行")
        found = duplicate_candidates(viewer=tenant_a.users["admin"], name="北京银行")
        assert [c.name for c in found if c.score >= 0.9] == []


def test_threshold_is_a_tenant_setting(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        account = make_account(name="Meridian Analytics")
        assert AccountSettings.current().duplicate_threshold == pytest.approx(0.4)
        assert account.pk in _by_id(find_duplicates(viewer=None, name="Meridian Robotics"))
        account_settings_update(actor=tenant_a.users["admin"], duplicate_threshold=0.95)
        assert account.pk not in _by_id(find_duplicates(viewer=None, name="Meridian Robotics"))


def test_exclude_leaves_out_the_account_being_edited(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        account = make_account(name="Edit Me GmbH")
        assert duplicate_candidates(viewer=tenant_a.users["admin"], name="Edit Me",
                                    exclude_id=account.pk) == []


def test_a_rep_learns_only_name_owner_and_score_of_anothers_account(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        theirs = make_account(owner=users["rep2"], name="Secret Client Ltd")
        mine = make_account(owner=users["rep"], name="Secret Client Holdings")
        found = _by_id(duplicate_candidates(viewer=users["rep"], name="Secret Client"))
        assert found[theirs.pk].visible is False
        assert found[mine.pk].visible is True
        assert set(found[theirs.pk].as_dict()) == {"id", "name", "owner", "score", "reasons",
                                                    "visible"}
        assert found[theirs.pk].owner_name == users["rep2"].display_name


def test_duplicates_report_groups_visible_accounts(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        first = make_account(owner=users["rep"], name="中国建设银行股份有限公司")
        second = make_account(owner=users["rep"], name="建行")
        hidden = make_account(owner=users["rep2"], name="建设银行")
        groups = duplicate_groups(viewer=users["rep"])
        group = next(g for g in groups if g.key == "建设银行")
        assert {a.pk for a in group.accounts} == {first.pk, second.pk}
        admin_group = next(g for g in duplicate_groups(viewer=users["admin"])
                           if g.key == "建设银行")
        assert hidden.pk in {a.pk for a in admin_group.accounts}
