"""Accounts and contacts for tests, built through the services (rules apply)."""

from itertools import count
from typing import Any

from crm.accounts.models import Account, Contact
from crm.accounts.services import account_create, contact_create
from tenants.users.models import User

_sequence = count(1)


def make_account(*, owner: User | None = None, name: str | None = None, **fields: Any) -> Account:
    return account_create(
        actor=None, owner=owner, name=name or f"Test Company {next(_sequence)}", **fields
    )


def make_contact(*, account: Account, last_name: str | None = None, **fields: Any) -> Contact:
    return contact_create(
        actor=None, account=account, last_name=last_name or f"Person{next(_sequence)}", **fields
    )
