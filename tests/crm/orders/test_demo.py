"""The orders demo seeder: an order waiting at each approval step, approved, partly
delivered and delivered ones (assets made from the delivered units), a contract renewing
soon, and a draft the manager sent back; safe to run twice."""

from crm.accounts.demo import seed_accounts
from crm.catalog.demo import seed_catalog
from crm.core.approvals import pending_step
from crm.core.demo import seed_teams
from crm.core.models import Approval
from crm.orders.demo import seed_orders
from crm.orders.models import Order, OrderKind, OrderStatus
from crm.service.models import Asset
from tenants.users.models import User


def test_the_demo_orders_cover_every_state(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        for key in ("rep", "manager"):
            User.objects.filter(pk=tenant_a.users[key].pk).update(email=f"{key}@demo.test")
        seed_accounts()
        seed_catalog()
        seed_teams()
        seed_orders()
        seed_orders()
        orders = {order.external_id.removeprefix("demo-order-"): order
                  for order in Order.objects.filter(external_id__startswith="demo-order-")}
        assert len(orders) == 7
        manager, admin = tenant_a.users["manager"], tenant_a.users["admin"]
        review = pending_step(orders["manager-review"])
        assert (review.step, set(review.candidates.all())) == (1, {manager})
        finance = pending_step(orders["finance-check"])
        assert finance.step == 2
        assert admin in finance.candidates.all()
        assert orders["approved"].status == OrderStatus.APPROVED
        assert orders["partly-delivered"].status == OrderStatus.PARTLY_DELIVERED
        assert orders["delivered"].status == OrderStatus.DELIVERED
        assert Asset.objects.filter(order_line__order=orders["delivered"]).count() == 2
        assert Asset.objects.filter(order_line__order=orders["partly-delivered"]).count() == 3
        assert orders["returned"].status == OrderStatus.DRAFT
        assert Approval.objects.filter(object_id=orders["returned"].pk,
                                       decision="rejected").exists()
        contract = orders["contract"]
        assert contract.kind == OrderKind.CONTRACT
        assert contract.status == OrderStatus.APPROVED
        assert contract.renewal_on is not None
