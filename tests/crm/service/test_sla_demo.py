"""The SLA demo seeder: the tenant default is Mon-Fri 09:00-18:00 Asia/Shanghai with this
year's Chinese holidays and adjusted working days, a 24x7 premium policy, contracts for demo
accounts (one account-wide on a head office, so its branches are covered); safe to run
twice."""

from datetime import date

from django.utils import timezone

from crm.accounts.demo import seed_accounts
from crm.service.coverage import CoverageSource, coverage_for
from crm.service.models import ServiceContract, SlaPolicy
from crm.service.sla_demo import PREMIUM_POLICY, seed_sla


def test_the_demo_policies_and_contracts(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        seed_accounts()
        seed_sla()
        seed_sla()
        default = SlaPolicy.objects.get(is_default=True)
        year = timezone.localdate().year
        assert default.time_zone == "Asia/Shanghai"
        assert default.hours == [{"weekday": d, "start": "09:00", "end": "18:00"}
                                 for d in range(5)]
        assert date(year, 10, 1).isoformat() in default.holidays
        assert default.extra_working_days
        assert all(date.fromisoformat(day).weekday() >= 5
                   for day in default.extra_working_days)
        premium = SlaPolicy.objects.get(name=PREMIUM_POLICY)
        assert premium.around_the_clock
        assert SlaPolicy.objects.count() == 2
        contracts = ServiceContract.objects.select_related("account")
        assert contracts.count() == 3
        head_contract = contracts.get(allowance_kind="visits")
        branch = head_contract.account.children.first()
        coverage = coverage_for(account=branch, asset=None)
        assert (coverage.source, coverage.sla_policy) == (CoverageSource.ACCOUNT_CONTRACT,
                                                           premium)
