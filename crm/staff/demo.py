"""Demo data: the roles' limits (rep 10 %, manager 25 % and 500,000, admin unlimited), also
for a demo tenant provisioned before roles had limits. Idempotent."""

from tenants.demo import demo_seeder


@demo_seeder(name="role_policies", order=5)
def seed_role_policies() -> None:
    from crm.staff.services.role_policies import role_policies_ensure

    role_policies_ensure()
