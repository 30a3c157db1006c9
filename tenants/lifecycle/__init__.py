"""End of a tenant's life, run by platform operators: export, archive, delete."""
