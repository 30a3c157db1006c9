"""Portal writes, one small module per area: memberships and invitations, registrations,
the member's profile and preferences, the tenant's portal settings, member API tokens."""
