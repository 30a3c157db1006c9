"""Test harness: the real PostgreSQL and Redis; two tenants built once per session by clone.

- ``tenant_a`` / ``tenant_b``: committed at session start with one user per role each;
  every test runs in a transaction that is rolled back (pytest-django's ``db``).
- ``in_tenant(tenant)``: a context manager that switches the connection to that schema.
- ``tenant_client(tenant, user=None)``: a Django test client on the tenant's host, logged in
  (session written in that tenant's schema and cache prefix).
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from tenants.models import Tenant
from tenants.provisioning.platform_setup import public_tenant_ensure, template_ensure
from tenants.provisioning.services import tenant_provision
from tenants.users.models import Role, User, UserKind

PASSWORD = "Correct-horse-battery-9"

ROLE_USERS = {
    "admin": Role.ADMIN,
    "manager": Role.MANAGER,
    "rep": Role.SALES_REP,
    "rep2": Role.SALES_REP,
    "agent": Role.SERVICE_AGENT,
    "readonly": Role.READ_ONLY,
}


@dataclass
class TenantFixture:
    tenant: Tenant
    users: dict[str, User]

    @property
    def host(self) -> str:
        return self.tenant.primary_host


def _build_tenant(slug: str, name: str, extra_users: int) -> TenantFixture:
    job = tenant_provision(
        name=name, slug=slug, admin_email=f"admin@{slug}.test", admin_password=PASSWORD,
        run_inline=True,
    )
    assert job.tenant is not None, job.error
    tenant = job.tenant
    users: dict[str, User] = {}
    with tenant_context(tenant):
        for key, role in ROLE_USERS.items():
            user, _ = User.objects.get_or_create(
                email=f"{key}@{slug}.test",
                defaults={"role": role, "kind": UserKind.STAFF, "first_name": key.title(),
                          "last_name": name.split()[0]},
            )
            user.role = role
            user.set_password(PASSWORD)
            user.save()
            users[key] = user
        # Different head counts per tenant let tests tell the schemas apart.
        for index in range(extra_users):
            User.objects.create_user(
                email=f"extra{index}@{slug}.test", password=PASSWORD, role=Role.SALES_REP,
                kind=UserKind.STAFF,
            )
    connection.set_schema_to_public()
    return TenantFixture(tenant=tenant, users=users)


# Every id of the second test tenant starts here, so an id of one tenant never exists in the
# other: a cross-tenant test that asks tenant B for tenant A's id can only pass with a 404.
SECOND_TENANT_ID_OFFSET = 50_000_000


def _sequence_values(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, COALESCE(last_value, 0) FROM pg_sequences "
            "WHERE schemaname = %s", [schema],
        )
        return dict(cursor.fetchall())


def _set_sequences(schema: str, values: dict[str, int]) -> None:
    with connection.cursor() as cursor:
        for name, value in values.items():
            # setval(..., false) when a sequence was never used: nextval then returns 1.
            cursor.execute("SELECT setval(%s::regclass, %s, %s)",
                           [f'"{schema}"."{name}"', max(value, 1), value > 0])


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker):
    """The test database, always (browser and worker tests need it without a `db` fixture),
    extended with the public tenant, the template and two tenants built by clone."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=request.config.option.verbose, interactive=False,
                                 aliases={"default"})
        public_tenant_ensure()
        template_ensure()
        fixtures = {"a": _build_tenant("alpha", "Alpha Industries", extra_users=1)}
        # Beta is cloned from a template whose sequences start at the offset, so that the
        # rows provisioning makes (admin, pipeline, pools...) get offset ids too.
        saved = _sequence_values(settings.TENANT_BASE_SCHEMA)
        _set_sequences(settings.TENANT_BASE_SCHEMA, dict.fromkeys(saved,
                                                                  SECOND_TENANT_ID_OFFSET))
        try:
            fixtures["b"] = _build_tenant("beta", "Beta Trading", extra_users=3)
        finally:
            _set_sequences(settings.TENANT_BASE_SCHEMA, saved)
        _set_sequences(fixtures["b"].tenant.schema_name, {
            name: max(value, SECOND_TENANT_ID_OFFSET)
            for name, value in _sequence_values(fixtures["b"].tenant.schema_name).items()
        })
        caches["default"].clear()
    settings._TEST_TENANTS = fixtures  # read by the fixtures below
    yield
    with django_db_blocker.unblock():
        # Server and worker processes of browser/worker tests may still hold a connection.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()
        teardown_databases(db_cfg, verbosity=request.config.option.verbose)


def _fresh(fixture: TenantFixture) -> TenantFixture:
    """The session's tenant with its users' per-request memos (crm.core.visibility's owner
    scope) forgotten: a test's teams must not shape the next test's visibility."""
    for user in fixture.users.values():
        user.__dict__.pop("_owner_scope", None)
    return fixture


@pytest.fixture
def tenant_a(django_db_setup, db) -> TenantFixture:
    return _fresh(settings._TEST_TENANTS["a"])


@pytest.fixture
def tenant_b(django_db_setup, db) -> TenantFixture:
    return _fresh(settings._TEST_TENANTS["b"])


@pytest.fixture(autouse=True)
def _reset_schema() -> Iterator[None]:
    yield
    if hasattr(connection, "set_schema_to_public"):
        connection.set_schema_to_public()


@pytest.fixture
def in_tenant() -> Callable[[Tenant], AbstractContextManager]:
    def enter(tenant: Tenant | TenantFixture) -> AbstractContextManager:
        target = tenant.tenant if isinstance(tenant, TenantFixture) else tenant
        return tenant_context(target)

    return enter


@pytest.fixture
def in_public() -> Callable[[], AbstractContextManager]:
    return lambda: schema_context(settings.PUBLIC_SCHEMA_NAME)


@pytest.fixture
def tenant_client() -> Callable[..., Client]:
    def make(tenant: TenantFixture | Tenant, user: User | None = None, **extra: str) -> Client:
        target = tenant.tenant if isinstance(tenant, TenantFixture) else tenant
        client = Client(HTTP_HOST=target.primary_host, **extra)
        if user is not None:
            with tenant_context(target):
                client.force_login(user)
            connection.set_schema_to_public()
        return client

    return make


@pytest.fixture
def public_client() -> Client:
    return Client(HTTP_HOST=settings.PLATFORM_DOMAIN)


pytest_plugins = ["tests.worker"]
