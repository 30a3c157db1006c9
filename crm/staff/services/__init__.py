"""Commands of tenant user administration, one small module per concern: seats (the one
seat service), invitations, users (role, deactivation, reactivation, password reset) and
role policies. Each takes keyword-only arguments and the acting user."""
