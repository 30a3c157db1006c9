"""The quote demo: every status, one pending the East manager's approval, a Chinese quote,
an accepted quote with its order; safe to run twice."""

from crm.accounts.demo import seed_accounts
from crm.catalog.demo import seed_catalog
from crm.core.demo import seed_teams
from crm.orders.models import Order
from crm.quotes.demo import seed_quotes
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.selectors import quote_approval_inbox
from tenants.users.models import User


def test_the_demo_has_quotes_in_every_status(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        for key, email in (("rep", "rep@demo.test"), ("manager", "manager@demo.test"),
                           ("admin", "admin@demo.test")):
            User.objects.filter(pk=tenant_a.users[key].pk).update(email=email)
        seed_accounts()
        seed_catalog()
        seed_teams()
        seed_quotes()
        seed_quotes()
        statuses = set(Quote.objects.values_list("status", flat=True))
        assert statuses == set(QuoteStatus.values)
        manager = User.objects.get(pk=tenant_a.users["manager"].pk)
        assert len(quote_approval_inbox(viewer=manager)) == 1
        assert Quote.objects.filter(lines__description="现场安装服务",
                                    language="zh-hans").exists()
        accepted = Quote.objects.get(status=QuoteStatus.ACCEPTED)
        assert Order.objects.filter(quote=accepted).exists()
        assert Quote.objects.filter(revision=2, previous_revision__status="superseded").exists()
