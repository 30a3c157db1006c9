from crm.accounts.demo import seed_accounts
from crm.accounts.duplicates import find_duplicates
from crm.accounts.models import Account, Contact


def test_demo_seeder_is_idempotent_and_has_catchable_duplicates(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        seed_accounts()
        counts = (Account.objects.count(), Contact.objects.count())
        assert counts[0] >= 300
        assert Account.objects.filter(parent__isnull=False).count() >= 20
        assert Contact.objects.filter(reports_to__isnull=False).exists()
        seed_accounts()
        assert (Account.objects.count(), Contact.objects.count()) == counts
        short = Account.objects.get(name="北京工行")
        found = {c.name for c in find_duplicates(viewer=None, name=short.name,
                                                 exclude_id=short.pk)}
        assert "中国工商银行北京分行" in found
        ibm = Account.objects.get(name="IBM")
        found = {c.name for c in find_duplicates(viewer=None, name=ibm.name, exclude_id=ibm.pk)}
        assert "International Business Machines Corporation" in found
