"""Roles and limits: the matrix is generated from ROLE_CAPABILITIES with a label per
capability; limits per role are stored per tenant with defaults from provisioning, edited
by admins (audited), and read through role_discount_limit / role_approval_limit."""

from decimal import Decimal

from crm.core.models import AuditEntry
from crm.staff.models import RolePolicy
from crm.staff.selectors import role_approval_limit, role_discount_limit, role_matrix
from crm.staff.services.role_policies import role_policies_ensure
from tenants.users.models import Role
from tenants.users.permissions import CAPABILITY_LABELS, ROLE_CAPABILITIES, Capability

ROLES = "/crm/settings/roles/"


def test_every_capability_has_a_label():
    assert set(CAPABILITY_LABELS) == set(Capability)
    assert all(str(capability.label) for capability in Capability)


def test_matrix_is_read_from_the_capability_map(monkeypatch):
    matrix = {row.capability: row.allowed for row in role_matrix()}
    roles = list(Role.values)
    for capability in Capability:
        assert matrix[capability] == tuple(
            capability in ROLE_CAPABILITIES[role] for role in roles)
    # A change to the map shows on the page: there is no second copy.
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.READ_ONLY,
                        ROLE_CAPABILITIES[Role.READ_ONLY] | {Capability.MANAGE_BILLING})
    row = next(r for r in role_matrix() if r.capability == Capability.MANAGE_BILLING)
    assert row.allowed[roles.index(Role.READ_ONLY)] is True


def test_roles_page_shows_the_matrix_and_limits(tenant_a, people_a, tenant_client):
    response = tenant_client(tenant_a, people_a["admin"]).get(ROLES)
    assert response.status_code == 200
    page = response.content.decode()
    assert str(Capability.ASSIGN_RECORDS.label) in page
    assert "Sales rep" in page
    assert "unlimited" in page


def test_provisioning_created_the_default_limits(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        stored = {p.role: (p.discount_limit_percent, p.approval_limit_amount)
                  for p in RolePolicy.objects.all()}
    assert stored[Role.SALES_REP] == (Decimal("10.00"), Decimal("0.00"))
    assert stored[Role.MANAGER] == (Decimal("25.00"), Decimal("500000.00"))
    assert stored[Role.ADMIN] == (None, None)


def test_selectors_read_the_tenants_limits(tenant_a, tenant_b, in_tenant):
    with in_tenant(tenant_a):
        RolePolicy.objects.filter(role=Role.SALES_REP).update(discount_limit_percent=Decimal("7.5"))
        assert role_discount_limit(Role.SALES_REP) == Decimal("7.5")
        assert role_approval_limit(Role.MANAGER) == Decimal("500000")
        assert role_discount_limit(Role.ADMIN) is None
        assert role_approval_limit(Role.ADMIN) is None
        assert role_discount_limit("") == Decimal("0")  # no role: nothing without approval
    with in_tenant(tenant_b):
        assert role_discount_limit(Role.SALES_REP) == Decimal("10")


def test_selectors_fall_back_to_defaults_without_rows(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        RolePolicy.objects.all().delete()
        assert role_discount_limit(Role.SALES_REP) == Decimal("10")
        assert role_approval_limit(Role.ADMIN) is None
        role_policies_ensure()
        assert RolePolicy.objects.count() == len(Role.values)


def test_admin_edits_limits_and_the_change_is_audited(tenant_a, in_tenant, people_a,
                                                      tenant_client):
    client = tenant_client(tenant_a, people_a["admin"])
    assert client.get(f"{ROLES}manager/").status_code == 200
    response = client.post(f"{ROLES}manager/", {"discount_limit_percent": "30",
                                                "approval_limit_amount": ""})
    assert response.status_code == 302
    with in_tenant(tenant_a):
        assert role_discount_limit(Role.MANAGER) == Decimal("30")
        assert role_approval_limit(Role.MANAGER) is None  # blank = unlimited
        policy = RolePolicy.objects.get(role=Role.MANAGER)
        entry = AuditEntry.objects.get(action="role_policy.updated", object_id=policy.pk)
        assert entry.actor_id == people_a["admin"].pk
        assert entry.changes["discount_limit_percent"] == ["25.00", "30"]


def test_out_of_range_limits_are_form_errors(tenant_a, in_tenant, people_a, tenant_client):
    client = tenant_client(tenant_a, people_a["admin"])
    assert client.post(f"{ROLES}sales_rep/", {"discount_limit_percent": "120"}).status_code == 400
    assert client.post(f"{ROLES}sales_rep/", {"approval_limit_amount": "-1"}).status_code == 400
    assert client.post(f"{ROLES}sales_rep/", {"discount_limit_percent": "abc"}).status_code == 400
    assert client.get(f"{ROLES}emperor/").status_code == 404
    with in_tenant(tenant_a):
        assert role_discount_limit(Role.SALES_REP) == Decimal("10")
