"""A small service world in tenant A: two reps' customers, an agent and a default queue."""

import pytest

from crm.accounts.models import Account
from tests.crm.accounts.factories import make_account, make_contact
from tests.crm.service.service_factories import make_default_policy, make_queue


@pytest.fixture
def service_world(tenant_a, in_tenant):
    users = tenant_a.users
    with in_tenant(tenant_a):
        mine = make_account(owner=users["rep"], name="Rep Customer Ltd", region="East")
        branch = make_account(owner=users["rep"], name="Rep Customer Branch")
        Account.objects.filter(pk=branch.pk).update(parent=mine)
        branch.refresh_from_db()
        theirs = make_account(owner=users["rep2"], name="Rep2 Customer Ltd")
        contact = make_contact(account=mine, email="buyer@customer.test")
        other_contact = make_contact(account=theirs)
        policy = make_default_policy()
        queue = make_queue(agents=[users["agent"]], is_default=True, name="Default queue")
        yield {"users": users, "mine": mine, "branch": branch, "theirs": theirs,
               "contact": contact, "other_contact": other_contact, "policy": policy,
               "queue": queue, "admin": users["admin"], "agent": users["agent"],
               "rep": users["rep"], "rep2": users["rep2"]}
