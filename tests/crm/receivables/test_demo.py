"""The demo seeders: approved orders whose schedules fill every aging bucket, payments,
and expense requests in every status; safe to run twice."""

from crm.expenses.models import Expense, ExpenseStatus
from crm.orders.models import Order
from crm.receivables.models import Payment
from crm.receivables.selectors import BUCKET_KEYS, aging_report
from tenants.demo import registered_seeders
from tenants.users.models import User


def test_demo_data_fills_every_bucket_and_every_expense_status(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        for key in ("rep", "rep2", "manager"):
            User.objects.filter(pk=tenant_a.users[key].pk).update(email=f"{key}@demo.test")
        seeders = [s for s in registered_seeders()
                   if s.name in {"role_policies", "accounts", "catalog", "opportunities",
                                 "teams", "receivables", "expenses"}]
        for seeder in seeders:
            seeder.run()
        orders = Order.objects.filter(external_id__startswith="demo-rcv-").count()
        expenses = Expense.objects.count()
        for seeder in seeders:  # idempotent
            seeder.run()
        assert Order.objects.filter(external_id__startswith="demo-rcv-").count() == orders
        assert Expense.objects.count() == expenses
        (total,) = aging_report(viewer=tenant_a.users["admin"]).totals
        assert all(total.buckets.get(key) for key in BUCKET_KEYS), total.buckets
        assert Payment.objects.filter(order__external_id__startswith="demo-rcv-").count() >= 6
        statuses = set(Expense.objects.values_list("status", flat=True))
        assert statuses == set(ExpenseStatus.values)
